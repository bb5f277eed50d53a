"""A failure receipt after hand-over (an email bounce from a mail gateway, an SMS gateway's
failure) counts for reporting as bounced, never as failed (which means: never handed over)."""

from datetime import UTC, datetime

from services.notifications.domain.receipts import failed_after_send as _failed_after_send

NOW = datetime(2025, 10, 7, 9, 0, tzinfo=UTC)


def message(status: str) -> dict:
    return {"message_id": "m-1", "channel": "email", "language": "sv", "category": "reminder", "edition_id": "om-2025",
            "status": status, "attempts": 1}


def counted(decision) -> list[str]:
    return [p.event["data"]["outcome"] for p in decision.events if p.topic == "notifications.deliveries.v1"]


def test_a_bounce_after_hand_over_counts_as_bounced_not_failed():
    decision = _failed_after_send(NOW, "urn:test", "550 5.1.1 mailbox unavailable")(message("sent"), 3)
    assert decision.state["status"] == "failed"
    assert counted(decision) == ["bounced"]


def test_a_bounce_that_overtakes_the_senders_mark_counts_the_hand_over_first():
    decision = _failed_after_send(NOW, "urn:test", "550 5.1.1 mailbox unavailable")(message("sending"), 2)
    assert counted(decision) == ["sent", "bounced"]


def test_a_second_bounce_changes_nothing():
    assert _failed_after_send(NOW, "urn:test", "550")(message("failed"), 4) is None
