"""The timer's questions — which messages are due, which were left ``sending`` — on the real FerretDB.

They were filters on ``state.status`` and ``state.due_at``: FerretDB evaluates nested fields in its
own process over every message (8.9 s and 10.0 s after a fan-out to 100,000, past the database
timeout, so retries and reminders stopped). Now each is asked by equality on the top-level ``wake``,
which PostgreSQL answers from its GIN index; the answers stay what they were.
"""

from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient, monitoring

from services.notifications.adapters import messages as stored
from services.notifications.adapters.messages import Messages
from services.notifications.domain import messages as m
from services.notifications.domain.messages import NewMessage
from services.notifications.domain.pages import items_of
from shared.db.aggregates import AggregateStore
from shared.db.indexes import ensure_indexes, is_ferretdb

pytestmark = pytest.mark.integration


class Finds(monitoring.CommandListener):
    def __init__(self):
        self.filters: list[dict] = []

    def started(self, event):
        if event.command_name == "find" and event.command.get("find") == stored.COLLECTION:
            self.filters.append(event.command["filter"])

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def _new(key: str, due: datetime) -> NewMessage:
    return NewMessage(f"cause-{key}", "email", "session_changed", "sv", "registration", key, {"session_id": "s1", "registration_id": key},
                      due, due + timedelta(days=30))


async def _messages(infra, name: str, listener=None):
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000, tz_aware=True, event_listeners=[listener] if listener else [])
    db = client[name]
    await ensure_indexes(db, [*stored.INDEXES], infra.ferretdb_postgresql)
    return client, db


async def _fill(messages: Messages, now: datetime) -> None:
    for key, due in (("long-ago", now - timedelta(days=200)), ("now", now), ("soon", now + timedelta(seconds=1)), ("later", now + timedelta(hours=1)),
                     ("sent", now - timedelta(days=1)), ("sending-stale", now - timedelta(minutes=2)), ("sending-live", now - timedelta(seconds=5))):
        await messages.create([_new(key, due)], due)
    await messages.change_one(_new("sent", now).message_id, m.to_status("sent", now, "test"))
    await messages.change_one(_new("sending-stale", now).message_id, m.start_sending("scheduled", now - timedelta(minutes=2), "adapter"))
    await messages.change_one(_new("sending-live", now).message_id, m.start_sending("scheduled", now - timedelta(seconds=5), "adapter"))


def _keys(pages: list[dict], status: str, by: str, until: datetime) -> set[str]:
    """The messages of the pages found in ``status`` by ``until`` (a page found may hold others)."""
    return {s["recipient"]["key"].split(":", 1)[1] for p in pages for s in items_of(p).values() if s["status"] == status and s[by] <= until}


def _due(pages: list[dict], until: datetime) -> set[str]:
    return _keys(pages, "scheduled", "due_at", until)


def _stale(pages: list[dict], until: datetime) -> set[str]:
    return _keys(pages, "sending", "sending_since", until)


async def test_due_and_stale_answer_as_before(infra, run_id):
    client, db = await _messages(infra, f"{run_id}_wake_answers")
    try:
        now = datetime.now(UTC).replace(microsecond=0)
        messages = Messages(AggregateStore(db[stored.COLLECTION], lift=stored.lift))
        await _fill(messages, now)

        fresh = Messages(AggregateStore(db[stored.COLLECTION], lift=stored.lift))  # a process starting: walks back from nothing
        assert _due(await fresh.due(now), now) == {"long-ago", "now"}
        assert _due(await fresh.due(now + timedelta(seconds=1)), now + timedelta(seconds=1)) == {"long-ago", "now", "soon"}
        assert _stale(await fresh.stale_sending(now - timedelta(seconds=30)), now - timedelta(seconds=30)) == {"sending-stale"}

        # once sent, a message is in no queue; one sent back to scheduled is found again
        await fresh.change_one(_new("now", now).message_id, m.to_status("sent", now, "test"))
        await fresh.change_one(_new("sending-stale", now).message_id, m.after_failure(now, "test", "x", False, 5, now))
        assert _due(await fresh.due(now + timedelta(seconds=1)), now + timedelta(seconds=1)) == {"long-ago", "soon", "sending-stale"}
        assert _stale(await fresh.stale_sending(now - timedelta(seconds=30)), now - timedelta(seconds=30)) == set()
    finally:
        await client.drop_database(f"{run_id}_wake_answers")
        await client.close()


async def test_the_timer_queries_are_answered_from_a_postgresql_index(infra, run_id):
    finds = Finds()
    client, db = await _messages(infra, f"{run_id}_wake_plans", finds)
    try:
        if not await is_ferretdb(db):
            pytest.skip("MongoDB serves these from its own indexes")
        now = datetime.now(UTC).replace(microsecond=0)
        messages = Messages(AggregateStore(db[stored.COLLECTION], lift=stored.lift))
        await _fill(messages, now)
        finds.filters.clear()
        await messages.due(now)
        await messages.stale_sending(now - timedelta(seconds=30))
        assert finds.filters
        for f in {repr(f): f for f in finds.filters}.values():
            plan = await db.command("explain", {"find": stored.COLLECTION, "filter": f, "limit": 50})
            assert plan["filterPushdown"], f"{f}: filtered in FerretDB's process"
            assert "Bitmap Index Scan" in str(plan["queryPlanner"]) and "_wake_ompath" in str(plan["queryPlanner"]), (f, plan["queryPlanner"])
    finally:
        await client.drop_database(f"{run_id}_wake_plans")
        await client.close()
