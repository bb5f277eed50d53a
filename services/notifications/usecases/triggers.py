"""What each upstream event makes happen here: copies kept, messages scheduled. Thin use cases.

Every message id follows from the cause (the triggering event's ``source|id``, or a durable
schedule's key), the recipient and the template, so a redelivery creates nothing new.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from services.notifications.adapters.copies import Copies
from services.notifications.adapters.notices import Notices
from services.notifications.adapters.organizers import OrganizerContacts
from services.notifications.adapters.read_at_once import SessionContacts
from services.notifications.domain import quiet_hours as q
from services.notifications.domain.notices import edited, fired
from services.notifications.domain.receipts import delivered, failed_after_send
from services.notifications.usecases.privacy import Erasure
from services.notifications.usecases.scheduler import MessageScheduler
from services.notifications.usecases.withdrawals import Withdrawals
from shared.db.aggregates import change_one
from shared.envelope import Envelope
from shared.events.scheduling import ERASURE_REASON_HEADER, ERASURE_REASONS
from shared.metrics import CONTACTS_ERASED

log = structlog.get_logger(__name__)
DECISIONS = {"approved", "changes_requested", "rejected"}
TOLD = {"confirmed", "waitlisted"}  # who hears of a change or cancellation
PAGES_AT_ONCE = 2  # a fan-out's pages in the pipeline at once: one handed over while the next is made


def cause_of(event: Envelope) -> str:
    return f"{event.source}|{event.id}"


def _reminders_may_change(previous: dict | None, stored: dict) -> bool:
    """Whether a session's new version can call for reminders its registrants do not have yet.

    A reminder follows from the registration and the session's start (``_reminder_message``), and
    each registration gets its own when confirmed (``on_registration``). So only a new start or a
    new status asks for every registration again. A change of seats alone does not: scheduling
    tells one per registration, and walking every registration for each made a rush of N
    registrations cost N²/sessions reads. The same version again is a redelivery, perhaps after a
    crash before the walk: walked again (the reminders' ids follow from their cause)."""
    if previous is None or previous.get("version") == stored.get("version"):
        return True
    return previous.get("starts_at") != stored.get("starts_at") or previous.get("status") != stored.get("status")


def reminders_of(session: dict) -> str:
    """The group of a session's reminders at its current start: their pages' cause. A reminder is
    made by its registration's confirmation or by a fan-out of them (a new start), under the
    group's lock, and neither makes one the other has (``Messages.of_cause``)."""
    return f"reminders|{session['session_id']}|{session['starts_at']}"


def _dt(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class Triggers(MessageScheduler):
    """``MessageScheduler``'s arguments, then the copies and stores the triggers keep, and the
    erasure (an erased recipient's messages go)."""

    def __init__(self, *scheduling, copies: Copies, notices: Notices, organizers: OrganizerContacts, withdrawals: Withdrawals, erasure: Erasure):
        super().__init__(*scheduling)
        self.copies, self.notices, self.organizers, self.withdrawals, self.erasure = copies, notices, organizers, withdrawals, erasure

    # --- registry: review decisions → the organiser ------------------------------------------
    async def on_initiative(self, event: Envelope, data) -> None:
        """A review decision is told to the organiser, whose contact comes on registry.contacts.v1.

        The two topics are read apart, so the contact may come after the decision: with no copy
        yet the message is scheduled anyway and waits for it (the address is resolved at send
        time); a copy without an email (none given, or erased) means no one to tell."""
        decision = event.type.split(".")[-2]
        if decision not in DECISIONS:
            return
        content = data.content if isinstance(data.content, dict) else {}
        review = data.review or {}
        organiser = await self.organizers.get(data.initiative_id)
        if organiser is not None and not (organiser.get("contact") or {}).get("email"):
            log.info("organizer_without_email", initiative_id=data.initiative_id)
            return
        await self.schedule(
            cause=cause_of(event), channel="email", category="organizer_decision", language="sv", kind="organizer", key=data.initiative_id,
            context={"initiative_id": data.initiative_id, "titles": content.get("title") or {}, "decision": review.get("decision") or decision,
                     "comment": review.get("comment"), "decided_at": str(review.get("decided_at") or data.updated_at)},
        )

    async def on_organiser_contact(self, event: Envelope, data) -> None:
        await self.organizers.keep(data.initiative_id, data.version, data.model_dump(mode="json")["contact"])

    async def on_organiser_contact_erased(self, event: Envelope, data) -> None:
        """The registry erased the organiser's contact: the copy and every message to them go."""
        await self.organizers.erase(data.initiative_id, data.version)
        await self.erasure.forget_recipients([f"organizer:{data.initiative_id}"])

    # --- scheduling: editions and sessions -----------------------------------------------------
    async def on_edition(self, event: Envelope, data) -> None:
        await self.copies.keep(self.copies.editions, data.edition_id, data.model_dump(mode="json"))

    async def on_session(self, event: Envelope, data) -> None:
        stored_data = data.model_dump(mode="json")
        previous, stored = await self.copies.keep_session(stored_data, self.now())
        if stored is None:
            return  # stale or repeated
        kind = event.type.split(".")[-2]
        if kind == "rescheduled":
            before = data.previous_starts_at.isoformat() if data.previous_starts_at else (previous or {}).get("starts_at")
            debounce = timedelta(seconds=self.settings.change_debounce_s)
            await change_one(self.notices.store, data.session_id, edited(data.session_id, cause_of(event), before, self.now(), debounce))
        if kind == "cancelled":
            cause = cause_of(event)
            await self._fan_out(data.session_id, TOLD, lambda reg: self._to_registrant_message(cause, "session_cancelled", reg, stored), cause)
            return
        if stored["status"] in ("published", "rescheduled", "scheduled") and _reminders_may_change(previous, stored):
            hours = await self._reminder_hours(stored)
            await self._fan_out(data.session_id, {"confirmed"}, lambda reg: self._reminder_message(reg, stored, hours), reminders_of(stored))

    async def _fan_out(self, session_id: str, statuses: set[str], make: Callable[[dict], dict | None], cause: str) -> None:
        """One message per registration of the session in ``statuses``, made and sent a page of
        registrations at a time as the pages are read: the first people hear within seconds
        however big the session (not after all 100,000 are read and made). Each page is one
        document (``fan_out_page``) of ``cause``: the messages' own (a change, a cancellation), or
        their group's (reminders, each of its own cause: ``reminders_of``)."""
        # one fan-out of a cause at a time: the messages made before it began are all it skips
        async with self.fan_outs.hold(cause):
            await self._fan_out_pages(session_id, statuses, make, cause)

    async def _fan_out_pages(self, session_id: str, statuses: set[str], make: Callable[[dict], dict | None], cause: str) -> None:
        """The pages of one cause, ``PAGES_AT_ONCE`` in the pipeline. A page that fails stops the
        reading (the pages under way finish: none is left half handed over) and fails the fan-out,
        whose trigger comes again and makes what this one did not (``existing``)."""
        existing = await self.messages.of_cause(cause)  # none but after a crash or a repeat
        contacts = SessionContacts(self.copies.contacts, session_id)
        room, running, failures = asyncio.Semaphore(PAGES_AT_ONCE), set(), []

        async def page_of(news, found, watch) -> None:
            try:
                await self.fan_out_page(cause, news, found, watch)
            except Exception as e:
                failures.append(e)
            finally:
                room.release()

        try:
            # watched from before the first read: a registrant who cancels after their page was read gets nothing
            with self.withdrawals.watch(session_id) as watch:
                # aclosing: an error or a cancellation stops the read (and its task) now, not at collection
                async with contextlib.aclosing(self.copies.registrations_in(session_id)) as pages:
                    async for page in pages:
                        news = self.fan_out_news([m for m in (make(reg) for reg in page if reg["status"] in statuses) if m], existing, watch)
                        if news:
                            # only what is sent now needs its contact (the rest waits for its time)
                            found = await contacts.take(n.recipient_key for n in news if n.not_before <= self.now())
                            await room.acquire()
                            if failures:
                                break
                            running.add(asyncio.create_task(page_of(news, found, watch)))
                await asyncio.gather(*running)
        finally:
            for task in running:
                task.cancel()  # only where the fan-out itself was cancelled: otherwise each is done
            await contacts.close()
        if failures:
            raise failures[0]

    async def fire_notices(self) -> int:
        fired_count = 0
        for notice in await self.notices.due(self.now()):
            session = await self.copies.get(self.copies.sessions, notice["session_id"])
            if session and session["status"] != "cancelled":
                cause, extra = f"change|{notice['session_id']}|{notice['burst']}", {"previous_starts_at": notice.get("previous_starts_at")}
                await self._fan_out(notice["session_id"], TOLD, lambda reg: self._to_registrant_message(cause, "session_changed", reg, session, extra), cause)
            await change_one(self.notices.store, notice["session_id"], fired(notice["burst"]))
            fired_count += 1
        return fired_count

    # --- scheduling: registrations and contacts ---------------------------------------------
    async def on_registration(self, event: Envelope, data) -> None:
        stored = await self.copies.keep(self.copies.registrations, data.registration_id, data.model_dump(mode="json"))
        if data.status == "cancelled":
            await self._withdraw(data.session_id, data.registration_id)
        if stored is None:
            return
        session = await self.copies.get(self.copies.sessions, data.session_id)
        category = {"confirmed": "registration_confirmed", "waitlisted": "registration_waitlisted", "promoted": "registration_promoted"}.get(event.type.split(".")[-2])
        if category:
            await self._to_registrant(cause_of(event), category, stored, session)
        if stored["status"] == "confirmed" and session is not None:
            await self.reminder(stored, session)

    async def _withdraw(self, session_id: str, registration_id: str) -> None:
        """A registrant cancelled: nothing more about the session reaches them. The session's
        fan-outs under way leave them out (withdrawals.py); their messages still waiting — held for
        the morning by the quiet hours, a reminder, a change notice, their own confirmation — end
        ``cancelled`` (``registration_cancelled``), found by one backed query, not by a read per
        message at send time. Done on a repeat of the event too (a crash may have come between the
        copy and this): a cancellation is final, and a repeat ends nothing new."""
        self.withdrawals.tell(session_id, registration_id)
        ended = await self.messages.withdraw(registration_id, self.now())
        if ended:
            log.info("messages_withdrawn", registration_id=registration_id, count=ended)

    async def _to_registrant(self, cause: str, category: str, reg: dict, session: dict | None, extra: dict | None = None) -> str:
        return await self.schedule(**self._to_registrant_message(cause, category, reg, session, extra))

    @staticmethod
    def _to_registrant_message(cause: str, category: str, reg: dict, session: dict | None, extra: dict | None = None) -> dict:
        return dict(
            cause=cause, channel=reg["channel"], category=category, language=reg["language"], kind="registration", key=reg["registration_id"],
            context={"session_id": reg["session_id"], "registration_id": reg["registration_id"], **(extra or {})},
            session_start=_dt(session["starts_at"]) if session else None, edition_id=reg.get("edition_id"),
        )

    async def _reminder_hours(self, session: dict) -> int:
        edition = await self.copies.get(self.copies.editions, session["edition_id"])
        return (edition or {}).get("reminder_hours_before") or self.settings.reminder_hours_before

    def _reminder_message(self, reg: dict, session: dict, hours: int) -> dict | None:
        start = _dt(session["starts_at"])
        due = q.reminder_due(start, hours)
        if due <= self.now():
            return None  # registered within the reminder period: the confirmation is the reminder
        return dict(
            cause=f"reminder|{reg['registration_id']}|{session['starts_at']}", channel=reg["channel"], category="reminder", language=reg["language"],
            kind="registration", key=reg["registration_id"],
            context={"session_id": reg["session_id"], "registration_id": reg["registration_id"], "starts_at": session["starts_at"]},
            due=due, session_start=start, edition_id=reg.get("edition_id"),
        )

    async def reminder(self, reg: dict, session: dict) -> str | None:
        """The durable reminder for a confirmed registration at the session's current time: a page
        of one of its session's reminders (``reminders_of``), unless a fan-out of them holds it."""
        message = self._reminder_message(reg, session, await self._reminder_hours(session))
        if message is None:
            return None  # registered within the reminder period: the confirmation is the reminder
        group = reminders_of(session)
        async with self.fan_outs.hold(group):
            new = self._new(self.now(), **message)[0]
            if new.message_id not in await self.messages.of_cause(group):
                await self.messages.create([new], self.now(), cause=group)
        return new.message_id

    async def on_contact(self, event: Envelope, data) -> None:
        await self.copies.keep_contact(data.model_dump(mode="json", exclude_none=True))

    async def on_contact_tombstone(self, registration_id: str, told: dict[str, str]) -> None:
        """Scheduling erased a registrant: the contact goes (its mark stays, so a message made for
        them later is cancelled at once), then every message to them. Counted by the reason in the
        tombstone's header (a tombstone without one came on request)."""
        reason = told.get(ERASURE_REASON_HEADER)
        if await self.copies.erase_contact(registration_id):
            CONTACTS_ERASED.labels("notifications", reason if reason in ERASURE_REASONS else "request").inc()
        await self.erasure.forget_recipients([f"registration:{registration_id}"])

    # --- receipts from gateways -------------------------------------------------------------
    async def on_receipt(self, event: Envelope, data) -> None:
        now = self.now()
        if event.type.endswith(".delivered.v1"):
            await self.messages.change_one(data.message_id, delivered(now, self.settings.event_source))
        elif data.permanent:
            await self.messages.change_one(data.message_id, failed_after_send(now, self.settings.event_source, data.reason))
