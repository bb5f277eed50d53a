"""Outcome report reminders: the initiative's organiser is emailed 14 days after its last session
ended if no report came, and once more 14 days later (domain/report_reminders.py).

One writer: the initiative's document changes through its store's keyed writer; the timer (the
notifications timer loop, one process per database) schedules a due reminder as a message whose id
follows from ``report_reminder|<initiative>|<n>`` and then marks it sent — a crash between the two
makes the same message again, which is not made twice.
"""

import structlog

from services.notifications.adapters.feedback import FeedbackStores
from services.notifications.domain import report_reminders as rr
from services.notifications.usecases.scheduler import MessageScheduler
from shared.db.aggregates import change_one

log = structlog.get_logger(__name__)


class ReportReminders:
    def __init__(self, scheduler: MessageScheduler, stores: FeedbackStores):
        self.scheduler, self.store = scheduler, stores.reminders
        self.stores = stores

    async def on_session(self, event, data) -> None:
        await change_one(self.store, data.initiative_id, rr.session_seen(data.model_dump(mode="json")))

    async def on_report(self, event, data) -> None:
        """Any event of an initiative's report: a report exists, no reminder goes any more."""
        await change_one(self.store, data.initiative_id, rr.report_came(data.initiative_id))

    async def fire(self) -> int:
        fired = 0
        for state in await self.stores.due_reminders(self.scheduler.now()):
            if state.get("reported") or state.get("due_at") is None:
                continue
            number = state.get("sent", 0) + 1
            last = rr.last_end(state["ends"])
            await self.scheduler.schedule(
                cause=f"report_reminder|{state['initiative_id']}|{number}", channel="email", category="report_reminder", language="sv",
                kind="organizer", key=state["initiative_id"],
                context={"initiative_id": state["initiative_id"], "titles": state.get("title") or {}, "number": number,
                         "last_ended_at": last.isoformat() if last else None},
            )
            await change_one(self.store, state["initiative_id"], rr.reminded(number))
            log.info("report_reminder_scheduled", initiative_id=state["initiative_id"], number=number)
            fired += 1
        return fired
