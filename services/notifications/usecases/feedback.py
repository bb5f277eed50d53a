"""Answering the survey and releasing its comments (domain/feedback.py).

An answer is two writes, each by its keyed writer: the slot marked answered (refused if it was, or
if the survey closed), then the answer inserted under a random id with its event in its outbox. A
crash between the two loses that one answer rather than ever counting one twice; nothing joins the
two writes but this call.
"""

import uuid

from services.notifications.adapters.copies import Copies
from services.notifications.adapters.feedback import FeedbackStores
from services.notifications.domain import feedback as f
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.clock import Clock
from shared.db.aggregates import change_one

RECORDED = "recorded"


class Feedback:
    def __init__(self, settings: NotificationsSettings, stores: FeedbackStores, copies: Copies, now: Clock):
        self.settings, self.stores, self.copies, self.now = settings, stores, copies, now

    async def status(self, token: str) -> tuple[str, dict | None]:
        """``open``, ``answered``, ``closed`` or ``unknown``, and the session asked about (its copy):
        what the link's page shows (a GET records nothing)."""
        doc = await self.stores.slots.get(f.slot_id(token))
        status = f.slot_status(doc["state"] if doc else None, f.stockholm_day(self.now()))
        session = await self.copies.get(self.copies.sessions, doc["state"]["session_id"]) if doc else None
        return status, session

    async def answer(self, token: str, score: int, would_come_again: bool | None, comment: str | None) -> str:
        """``recorded``, or why not: ``answered``, ``closed``, ``unknown``."""
        today = f.stockholm_day(self.now())
        taken = await change_one(self.stores.slots, f.slot_id(token), f.take_slot(today))
        if taken.outcome != "open":
            return taken.outcome
        slot, source = taken.state, self.settings.event_source
        await change_one(self.stores.answers, str(uuid.uuid4()), lambda _c, _v: f.answered(slot, today, score, would_come_again, comment, source), new=True)
        return RECORDED

    async def comments(self, *, session_id: str | None, initiative_id: str | None, released_only: bool) -> list[dict]:
        """The answers' comments (unreleased too unless ``released_only``), without anything personal."""
        found = await self.stores.comments(session_id=session_id, initiative_id=initiative_id, released_only=released_only)
        return [{"id": a["id"], "session_id": a["session_id"], "initiative_id": a["initiative_id"], "edition_id": a.get("edition_id"),
                 "answered_on": a["answered_on"], "score": a["score"], "would_come_again": a.get("would_come_again"),
                 "comment": a["comment"], "released": bool(a.get("released"))} for a in found]

    async def publisher_of(self, *, session_id: str | None, initiative_id: str | None) -> str | None:
        """The publisher (CloudEvents source) of the session, or of the initiative's sessions, as copied here."""
        query = {"_id": session_id} if session_id else {"state.initiative_id": initiative_id}
        async for doc in self.copies.sessions.find(query, {"state.source": 1}, limit=1):
            return doc["state"].get("source")
        return None

    async def release(self, answer_id: str) -> dict | None:
        """The answer's comment released (once); None where there is no such answer or no comment."""
        return (await change_one(self.stores.answers, answer_id, f.released(self.settings.event_source, self.now()))).outcome
