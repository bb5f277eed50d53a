"""What a consumer's failure is: the engines' (wait for them), the group's (rejoin), or the message's."""

from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaConnectionError, KafkaError, KafkaTimeoutError
from pymongo.errors import ConnectionFailure, PyMongoError


def is_infrastructure(error: BaseException) -> bool:
    """A failure of the engines (database or broker unreachable, a call timed out), not of the
    message: the message waits for them and is never dead-lettered for it."""
    if isinstance(error, ConnectionFailure | ConnectionError | TimeoutError | KafkaConnectionError | KafkaTimeoutError):
        return True
    if isinstance(error, KafkaError):
        return bool(error.retriable)
    return isinstance(error, PyMongoError) and error.timeout


def is_handed_over(error: BaseException) -> bool:
    """The group moved the partition on before its batch was committed: the member was evicted
    (its event loop stalled past the session timeout, so no heartbeat went out) or a rebalance
    revoked the partition mid-batch. The batch's effects are durable and recorded as processed,
    so whoever owns the partition now takes it again from the last commit and skips them; the
    runner rejoins the group (which resets its positions to the committed offsets) and goes on."""
    return isinstance(error, CommitFailedError | IllegalStateError)


class Interrupted(Exception):
    """The runner is stopping while an engine is away: leave the batch uncommitted."""
