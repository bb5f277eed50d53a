"""The feedback survey's stores (domain/feedback.py): sessions' surveys, the links' slots, the
answers (whose outbox carries their events to ``notifications.feedback.v1``), and the report
reminders' documents (domain/report_reminders.py).

Slots and answers hold nothing personal and nothing that pairs one with the other: a slot's id is
the hash of its token, an answer's is random (``uuid4``), and neither names a registration, a
message or a time of day.
"""

import random
from datetime import datetime

from shared.db.aggregates import AggregateStore, aggregate_indexes
from shared.db.indexes import IndexSpec
from shared.decisions import Decision

SURVEYS, SLOTS, ANSWERS, REPORT_REMINDERS = "feedback_surveys", "feedback_slots", "feedback_answers", "report_reminders"
INDEXES = (
    aggregate_indexes(SURVEYS) + [IndexSpec(SURVEYS, (("state.status", 1), ("state.due_at", 1)))]
    + aggregate_indexes(SLOTS)
    + aggregate_indexes(ANSWERS) + [IndexSpec(ANSWERS, (("session_id", 1),)), IndexSpec(ANSWERS, (("initiative_id", 1),))]
    + aggregate_indexes(REPORT_REMINDERS) + [IndexSpec(REPORT_REMINDERS, (("state.due_at", 1),))]
)


def answer_fields(state: dict) -> dict:
    """What comments are found by: the session and the initiative (top level: backed equality)."""
    return {"session_id": state["session_id"], "initiative_id": state["initiative_id"]}


class FeedbackStores:
    def __init__(self, surveys: AggregateStore, slots: AggregateStore, answers: AggregateStore, reminders: AggregateStore):
        self.surveys, self.slots, self.answers, self.reminders = surveys, slots, answers, reminders

    async def due_surveys(self, now: datetime, limit: int = 20) -> list[dict]:
        return [d["state"] async for d in self.surveys.find({"state.status": "waiting", "state.due_at": {"$lte": now}}, {"state": 1}, limit=limit)]

    async def open_slots(self, slots: dict[str, dict]) -> None:
        """New slots, written in a random order: where they lie in the table says nothing of whom
        (the registrants of a fan-out's page come in the page's order)."""
        ids = list(slots)
        random.shuffle(ids)
        await self.slots.change({i: (lambda state: lambda current, _v: Decision(dict(state)) if current is None else None)(slots[i]) for i in ids},
                                new=True)

    async def comments(self, *, session_id: str | None = None, initiative_id: str | None = None, released_only: bool = False,
                       limit: int = 500) -> list[dict]:
        query: dict = {"session_id": session_id} if session_id else {"initiative_id": initiative_id}
        found = [{"id": d["_id"], **d["state"]} async for d in self.answers.find(query, {"state": 1}, limit=limit)]
        return [a for a in found if a.get("comment") and (a.get("released") or not released_only)]

    async def due_reminders(self, now: datetime, limit: int = 50) -> list[dict]:
        return [d["state"] async for d in self.reminders.find({"state.due_at": {"$lte": now}}, {"state": 1}, limit=limit)]
