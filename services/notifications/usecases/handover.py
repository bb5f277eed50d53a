"""Step 3 of the send pipeline (sending.py): messages marked ``sending`` handed over.

First their rendered requests go to the gateways' topics (``notifications.email.v1``/``.sms.v1``),
in one batch: each message's request once (``requested`` in its state), again only after a crash
before its outcome was recorded, with the same event id and ``message_id`` (gateways deduplicate
on it). Then, in ``adapters`` mode, each e-mail to the SMTP adapter and the SMS in batches to the
gateway (one request for up to ``SmsGatewayAdapter.MAX_BATCH``), each channel within its rate
limit. A message whose registration was cancelled meanwhile (``watch``, withdrawals.py) is asked
after the rate limit's wait and not handed to its adapter: its outcome is ``WITHDRAWN``. In
``topics-only`` mode the topic is the hand-over: a request the broker did not take is a temporary
failure, retried like any other.

Nothing here writes to the database: the outcomes go back to the pipeline, which records them.
"""

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from aiolimiter import AsyncLimiter

from services.notifications.adapters import PermanentFailure, TemporaryFailure
from services.notifications.domain.messages import MessageState
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.recipients import Recipient
from services.notifications.usecases.withdrawals import Watch
from shared.ratelimit import share_of
from shared.envelope import Envelope
from shared.events.notifications import EmailRequestedV1, SmsRequestedV1
from shared.topics import Topic

log = structlog.get_logger(__name__)
WITHDRAWN = object()  # an outcome: not handed over, the registration was cancelled meanwhile
Requested = tuple[Topic, Envelope, str]  # a rendered request for its topic: (topic, event, key)
Outcome = tuple[object, str | None]  # (None: handed over | the failure | WITHDRAWN, its scrubbed reason)
Publish = Callable[[list[Requested]], Awaitable[None]]
EMAILS = re.compile(r"[^\s<>\"']+@[^\s<>\"']+")
NUMBERS = re.compile(r"\+?\d[\d \-]{6,}\d")


def scrub(reason: str, address: str | None) -> str:
    """A server's words may quote the address: reasons and logs never carry it (nor any other)."""
    if address:
        reason = reason.replace(address, "<recipient>")
    return NUMBERS.sub("<number>", EMAILS.sub("<address>", reason))


@dataclass(frozen=True)
class Handover:
    """What one message hands over: its request to its adapter and, where the topic has not had
    it yet, to the topic (``requested``)."""

    request: EmailRequestedV1 | SmsRequestedV1
    recipient: Recipient
    requested: Requested | None


async def each(items, fn, concurrency: int) -> list:
    """``fn(item)`` for every item, ``concurrency`` at a time; their results, in the items' order.
    ``concurrency`` workers take the items in turn (not a task per item: a fan-out's page has 500)."""
    items = list(items)
    results: list = [None] * len(items)
    turns = iter(enumerate(items))

    async def worker() -> None:
        for i, item in turns:
            results[i] = await fn(item)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(items)))))
    return results


class HandOver:
    def __init__(self, settings: NotificationsSettings, publish: Publish, email_adapter=None, sms_adapter=None):
        s = settings
        self.settings, self.publish, self.email, self.sms = s, publish, email_adapter, sms_adapter
        # the providers' rates are the service's: each replica sends its share
        email_rate, sms_rate = share_of(s.email_per_second, s.replica_count), share_of(s.sms_per_second, s.replica_count)
        self.limits = {"email": AsyncLimiter(email_rate, 1), "sms": AsyncLimiter(sms_rate, 1)}
        # a batch is taken from the rate limit whole: never more than a second's worth
        self.sms_batch = max(1, min(s.sms_batch, getattr(sms_adapter, "MAX_BATCH", 1), int(sms_rate)))

    async def __call__(self, items: list[tuple[MessageState, Handover]], watch: Watch | None) -> tuple[list[Outcome], bool]:
        """Each message handed over; returns the outcomes in the items' order, and whether the
        broker took every request that was to go to the topic (if not, the pipeline keeps those
        in the pages' outbox, ``adapters`` mode)."""
        published = await self._to_topics([h.requested for _, h in items if h.requested is not None])
        if self.settings.delivery_mode != "adapters":
            failure = TemporaryFailure("the broker did not take the request")
            return [(None, None) if published or h.requested is None else (failure, str(failure)) for _, h in items], published
        emails = [i for i, (state, _) in enumerate(items) if state["channel"] == "email"]
        sms = [i for i, (state, _) in enumerate(items) if state["channel"] != "email"]
        batches = [sms[k:k + self.sms_batch] for k in range(0, len(sms), self.sms_batch)]
        outcomes: list[Outcome | None] = [None] * len(items)
        concurrency = self.settings.fan_out_concurrency

        async def email(i: int) -> None:
            outcomes[i] = await self._email(*items[i], watch)

        async def sms_batch(batch: list[int]) -> None:
            for i, outcome in zip(batch, await self._sms([items[i] for i in batch], watch), strict=True):
                outcomes[i] = outcome

        await asyncio.gather(each(emails, email, concurrency), each(batches, sms_batch, max(1, concurrency // self.sms_batch)))
        return outcomes, published

    async def _to_topics(self, requests: list[Requested]) -> bool:
        if not requests:
            return True
        try:
            await self.publish(requests)
            return True
        except Exception as e:  # the broker away: the requests wait in the outbox, or the hand-over is retried
            log.warning("requests_not_published", messages=len(requests), error=f"{type(e).__name__}: {e}"[:300])
            return False

    @staticmethod
    def _withdrawn(state: MessageState, watch: Watch | None) -> bool:
        return watch is not None and watch.withdrawn(*state["recipient"]["key"].split(":", 1))

    async def _email(self, state: MessageState, handover: Handover, watch: Watch | None) -> Outcome:
        try:
            async with self.limits["email"]:
                if self._withdrawn(state, watch):  # asked after the rate limit's wait
                    return WITHDRAWN, None
                await self.email.send(handover.request)
        except (TemporaryFailure, PermanentFailure) as e:
            return e, scrub(str(e), handover.recipient.address)
        return None, None

    async def _sms(self, batch: list[tuple[MessageState, Handover]], watch: Watch | None) -> list[Outcome]:
        await self.limits["sms"].acquire(len(batch))
        # asked after the rate limit's wait (a page of 1,000 SMS waits up to 200 s at 5/s)
        going = [k for k, (state, _) in enumerate(batch) if not self._withdrawn(state, watch)]
        outcomes: list[Outcome] = [(WITHDRAWN, None)] * len(batch)
        if going:
            answers = await self.sms.send_many([batch[k][1].request for k in going])
            for k, answer in zip(going, answers, strict=True):
                failed = isinstance(answer, TemporaryFailure | PermanentFailure)
                outcomes[k] = (answer, scrub(str(answer), batch[k][1].recipient.address)) if failed else (None, None)
        return outcomes
