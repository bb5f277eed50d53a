"""Per-channel rate limits: the SMS adapter never hands the gateway more than the configured rate.

Six same-day cancellations by SMS with ``sms_per_second=2``: the limiter lets two through at
once and then one every half second, so the last arrives about two seconds after the first.
Without the limit all six would arrive within a fraction of a second.
"""

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import shared.events.scheduling as ev
from tests.integration.test_notifications_delivery import _async, contact, edition, notifications_env, registration, session, uid
from tests.platform import eventually


async def test_sms_reach_the_gateway_no_faster_than_the_channels_rate(infra, run_id):
    async with notifications_env(infra, f"{run_id}rl{uuid.uuid4().hex[:4]}", sms_per_second=2.0) as env:
        ed, sid = uid("ed"), uid("s")
        start = datetime.now(UTC) + timedelta(minutes=45)
        await env.publish("scheduling.sessions.v1", edition(ed), ed)
        await env.publish("scheduling.sessions.v1", session(sid, ed, start), sid)
        phones = [f"+4670{uuid.uuid4().int % 10**7:07d}" for _ in range(6)]
        for phone in phones:
            rid = uid("r")
            await env.publish("scheduling.contacts.v1", contact(rid, sid, phone=phone), rid)
            await env.publish("scheduling.registrations.v1", registration(rid, sid, ed, channel="sms"), rid)

        async def all_registered():
            return len(await env.message_states(category="registration_confirmed")) == 6 or None

        await eventually(all_registered, timeout=60, what="six confirmations to be made")
        # The confirmations' own six SMS go out first, at the same 2 per second (3 s): wait for all
        # of them, so none falls inside the measured burst (a fixed sleep was too short).
        await eventually(lambda: _async(len(env.sms.requests) >= 6 or None), timeout=60, what="the six confirmation SMS")
        before = len(env.sms.requests)
        await env.publish("scheduling.sessions.v1", session(sid, ed, start, version=2, cls=ev.SessionCancelledV1, status="cancelled", cancellation_reason="Sjukdom"), sid)

        arrivals: list[float] = []
        deadline = time.monotonic() + 60
        while len(arrivals) < 6 and time.monotonic() < deadline:
            new = len(env.sms.requests) - before - len(arrivals)
            arrivals.extend([time.monotonic()] * max(new, 0))
            await asyncio.sleep(0.02)
        assert len(arrivals) == 6, f"only {len(arrivals)} cancellation SMS arrived"
        cancelled = [r for r in env.sms.requests[before:] if "INSTÄLLT" in r["text"]]
        assert sorted(r["to"] for r in cancelled) == sorted(phones)
        first_second = [t for t in arrivals if t - arrivals[0] < 0.95]
        assert len(first_second) <= 3, f"{len(first_second)} SMS within the first second at 2 per second"
        assert arrivals[-1] - arrivals[0] >= 1.4, "six SMS at two per second take about two seconds"
