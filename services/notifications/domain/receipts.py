"""What a gateway's receipt does to its message: delivered, or failed after it was handed over. Pure."""

from datetime import datetime

from services.notifications.domain.messages import counted, dead_letter
from shared.decisions import Decision
from shared.events.notifications import DeliveryOutcome


def delivered(now: datetime, source: str):
    def decide(current, _v):
        if current is None or current["status"] in ("delivered", "failed", "expired", "cancelled"):
            return None
        state = {**current, "status": "delivered", "delivered_at": now}
        events = [counted(state, DeliveryOutcome.delivered, now, source)]
        if current["status"] in ("scheduled", "sending"):
            # the receipt overtook the sender's "sent" mark (which now changes nothing): it was sent
            state["sent_at"] = now
            events.insert(0, counted(state, DeliveryOutcome.sent, now, source))
        return Decision(state, events)

    return decide


def failed_after_send(now: datetime, source: str, reason: str):
    """A failure receipt (an email bounce, an SMS gateway's failure): the message was handed over,
    so it counts as ``bounced``, not as ``failed`` (never handed over)."""
    def decide(current, _v):
        if current is None or current["status"] in ("failed", "expired", "cancelled"):
            return None
        state = {**current, "status": "failed", "failed_at": now, "last_error": reason[:300]}
        events = [dead_letter(state, reason, True, now, source), counted(state, DeliveryOutcome.bounced, now, source)]
        if current["status"] in ("scheduled", "sending"):
            # the receipt overtook the sender's "sent" mark (which now changes nothing): it was handed over
            state["sent_at"] = now
            events.insert(1, counted(state, DeliveryOutcome.sent, now, source))
        return Decision(state, events)

    return decide
