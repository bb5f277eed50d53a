"""Which failures a message waits out (the engines') and which it is dead-lettered for (its own)."""

import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, RecordTooLargeError, RequestTimedOutError
from pymongo.errors import AutoReconnect, DuplicateKeyError, ExecutionTimeout, OperationFailure, ServerSelectionTimeoutError

from shared.kafka.failures import is_infrastructure


@pytest.mark.parametrize(
    "error",
    [
        ServerSelectionTimeoutError("no server"),
        AutoReconnect("connection reset"),
        ExecutionTimeout("operation exceeded time limit", 50),
        KafkaConnectionError("broker down"),
        KafkaTimeoutError(),
        RequestTimedOutError(),
        ConnectionRefusedError(),
        TimeoutError(),
    ],
)
def test_an_engine_that_is_away_is_waited_for(error):
    assert is_infrastructure(error)


@pytest.mark.parametrize(
    "error",
    [DuplicateKeyError("dup"), OperationFailure("bad update", 2), RecordTooLargeError(), ValueError("bug"), KeyError("x"), FileNotFoundError()],
)
def test_the_messages_own_trouble_is_not_waited_for(error):
    assert not is_infrastructure(error)
