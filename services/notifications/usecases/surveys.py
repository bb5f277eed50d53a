"""The feedback survey's messages: planned on each session's events, sent the morning after the
session ended, one per registrant asked (domain/feedback.py), through the fan-out pipeline
(``MessageScheduler.fan_out_page``) as the message category ``feedback_request``.

Each message carries a random token (its link); only the token's hash is kept, as a slot, made
before the message. A message keeps the token in its context until it is final (sent, failed,
expired, cancelled: domain/messages.py ``settled``), so it can be rendered again on a retry and is
forgotten once handed over.
"""

import contextlib

import structlog

from services.notifications.adapters.feedback import FeedbackStores
from services.notifications.adapters.read_at_once import SessionContacts
from services.notifications.domain import feedback as f
from services.notifications.usecases.triggers import Triggers
from shared.db.aggregates import change_one

log = structlog.get_logger(__name__)
CATEGORY = "feedback_request"


def cause_of_survey(session_id: str) -> str:
    return f"feedback|{session_id}"


class Surveys:
    def __init__(self, triggers: Triggers, stores: FeedbackStores, hour: int):
        self.t, self.stores, self.hour = triggers, stores, hour

    async def on_session(self, event, data) -> None:
        """A session's new version plans (or moves, or cancels) its survey."""
        await change_one(self.stores.surveys, data.session_id, f.survey_planned(data.model_dump(mode="json"), self.hour))

    async def fire(self) -> int:
        """Every survey due now: its messages made and sent, then the survey marked sent."""
        fired = 0
        for survey in await self.stores.due_surveys(self.t.now()):
            session = await self.t.copies.get(self.t.copies.sessions, survey["session_id"])
            if session is None:
                continue  # its copy comes by another consumer group: asked again on the next pass
            if session["status"] != "cancelled":
                await self.send(survey)
            await change_one(self.stores.surveys, survey["session_id"], f.survey_sent)
            fired += 1
        return fired

    async def _checked_in_taken(self, session_id: str) -> bool:
        async with contextlib.aclosing(self.t.copies.registrations_in(session_id)) as pages:
            async for page in pages:
                if f.any_checked_in(page):
                    return True
        return False

    def _message(self, cause: str, reg: dict, survey: dict) -> dict:
        return dict(cause=cause, channel=reg["channel"], category=CATEGORY, language=reg["language"], kind="registration", key=reg["registration_id"],
                    context={"session_id": survey["session_id"], "registration_id": reg["registration_id"], "token": f.new_token()},
                    edition_id=survey.get("edition_id"))

    async def send(self, survey: dict) -> None:
        """One survey's messages, a page of registrants at a time: the slots of a page's new
        messages written first (a crash between leaves a slot no one holds, never a link without
        one); a repeat makes no message twice (their ids follow from the session and registrant)."""
        t, session_id = self.t, survey["session_id"]
        cause = cause_of_survey(session_id)
        async with t.fan_outs.hold(cause):
            existing = await t.messages.of_cause(cause)
            taken = await self._checked_in_taken(session_id)
            contacts = SessionContacts(t.copies.contacts, session_id)
            today = f.stockholm_day(t.now())
            try:
                with t.withdrawals.watch(session_id) as watch:
                    async with contextlib.aclosing(t.copies.registrations_in(session_id)) as pages:
                        async for page in pages:
                            news = t.fan_out_news([self._message(cause, r, survey) for r in page if f.is_asked(r, taken)], existing, watch)
                            if not news:
                                continue
                            await self.stores.open_slots({f.slot_id(n.context["token"]): f.new_slot(survey, today) for n in news})
                            found = await contacts.take(n.recipient_key for n in news if n.not_before <= t.now())
                            await t.fan_out_page(cause, news, found, watch)
            finally:
                await contacts.close()
        log.info("survey_sent", session_id=session_id, checked_in=taken)
