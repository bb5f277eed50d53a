"""What a message says, put together when it is sent: the templates' context read now, rendered
in the reader's language, as the request handed over (``EmailRequestedV1`` / ``SmsRequestedV1``).

A message no longer worth sending raises: ``Expired`` (too late, though its trigger did not
know it), ``Obsolete`` (cancelled: opted out, the session moved, …), ``Postpone`` (something it
needs has not come yet). ``Drafts`` holds what the messages of one batch share — their session,
read once, and the rendered templates — so a page of a fan-out reads and renders once.
"""

import asyncio
import base64
from dataclasses import dataclass, field
from datetime import datetime

from services.notifications import render as r
from services.notifications.adapters.copies import Copies
from services.notifications.domain import tokens
from services.notifications.domain.quiet_hours import BOUND_BY_SESSION_START
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.recipients import Recipient
from shared.db.aggregates import AggregateStore
from shared.events.notifications import EmailRequestedV1, SmsRequestedV1
from shared.languages import platform_languages
from shared.vocabularies import VocabularyCopies

SESSION_CATEGORIES = {"registration_confirmed", "registration_waitlisted", "registration_promoted", "reminder", "session_changed", "session_cancelled",
                      "feedback_request"}
# The registration's copy is read only where it is used: a reminder checks it is still confirmed,
# a waitlisted one says where it stands. The others need the session alone. A registrant who
# cancels is not checked for here: the cancellation ends their waiting messages at once.
NEEDS_REGISTRATION = {"reminder", "registration_waitlisted"}
CALENDAR = {"registration_confirmed", "registration_promoted", "session_changed"}


class Postpone(Exception):
    def __init__(self, why: str):
        self.why = why


class Expired(Exception):
    """Too late now (e.g. the session has started), though the trigger did not know it."""


class Obsolete(Exception):
    def __init__(self, why: str):
        self.why = why


@dataclass
class Drafts:
    """What one batch's messages share: their sessions (one read each, shared by concurrent
    callers), the rendered templates (``render.render_cached``), and what follows from a session
    and a language alone — its view, the calendar attachment — and each wanted language's choice,
    made once per batch (a fan-out's page: once for its 500 recipients, not once each)."""

    sessions: dict[str, asyncio.Future] = field(default_factory=dict)
    rendered: dict = field(default_factory=dict)
    views: dict[tuple[str, str], dict] = field(default_factory=dict)
    attachments: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)


class Contents:
    def __init__(self, settings: NotificationsSettings, copies: Copies, vocabularies: VocabularyCopies, report_reminders: AggregateStore | None = None):
        """``vocabularies``: the registry's, followed (which languages the platform offers);
        ``report_reminders``: the initiatives' reminder documents (a report that came since a
        reminder was made cancels it: it may have waited for the organiser's contact)."""
        self.settings, self.copies, self.report_reminders, self.vocabularies = settings, copies, report_reminders, vocabularies
        self.dirs = tuple(settings.template_dirs)

    async def language(self, wanted: str, drafts: Drafts | None = None) -> str:
        """The reader's language where the platform offers it (a platform language with templates),
        else Swedish; chosen once per batch (``drafts``) for each language wanted."""
        if drafts is not None and wanted in drafts.languages:
            return drafts.languages[wanted]
        offered = platform_languages(await self.vocabularies.fresh(), r.languages(self.dirs))
        chosen = r.language_for(wanted, [x.code for x in offered], self.dirs)
        if drafts is not None:
            drafts.languages[wanted] = chosen
        return chosen

    async def _session(self, session_id: str, drafts: Drafts) -> dict | None:
        copies = self.copies
        if session_id not in drafts.sessions:
            drafts.sessions[session_id] = asyncio.ensure_future(copies.get(copies.sessions, session_id))
        return await asyncio.shield(drafts.sessions[session_id])

    async def _about_session(self, state: dict, lang: str, now: datetime, drafts: Drafts, dirs: r.Dirs) -> tuple[dict, dict]:
        copies, c, category = self.copies, state["context"], state["category"]
        session = await self._session(c["session_id"], drafts)
        if session is None:
            raise Postpone("session")
        registration = await copies.get(copies.registrations, c["registration_id"]) if category in NEEDS_REGISTRATION else None
        if category in BOUND_BY_SESSION_START and category != "session_cancelled" and now >= datetime.fromisoformat(session["starts_at"]):
            raise Expired()  # the session started (or moved earlier) since the message was made
        if category == "reminder":
            if session["status"] == "cancelled" or session["starts_at"] != c["starts_at"]:
                raise Obsolete("session_moved_or_cancelled")
            if registration is None or registration["status"] != "confirmed":
                raise Obsolete("registration_not_confirmed")
        view_key = (c["session_id"], lang)
        if view_key not in drafts.views:
            drafts.views[view_key] = r.session_view(session, lang, dirs)
        ctx = dict(drafts.views[view_key])
        ctx["position"] = (registration or {}).get("waitlist_position") if category == "registration_waitlisted" else None
        if category == "session_changed" and c.get("previous_starts_at"):
            ctx["previously"] = r.format_when(c["previous_starts_at"], lang)
        if category == "session_cancelled":
            ctx["reason"] = session.get("cancellation_reason")
        return ctx, session

    async def context(self, state: dict, recipient: Recipient, now: datetime, drafts: Drafts) -> tuple[dict, dict | None, str]:
        """What the templates need, read now; the session, for an .ics attachment; the language."""
        c, category = state["context"], state["category"]
        lang, dirs = await self.language(state["language"], drafts), self.dirs
        # the pages a link opens are in the message's language
        ctx: dict = {"unsubscribe_url": f"{recipient.unsubscribe_url}?lang={lang}", "manage_url": recipient.manage_url}
        session = None
        if category in SESSION_CATEGORIES:
            about, session = await self._about_session(state, lang, now, drafts, dirs)
            ctx.update(about)
            if category == "feedback_request":  # the survey's link: its token, and the language of the page it opens
                ctx["feedback_url"] = f"{self.settings.public_base_url.rstrip('/')}/feedback/{c['token']}?lang={lang}"
        elif category == "digest":
            sessions = [await self._session(sid, drafts) for sid in c["session_ids"]]
            views = [r.session_view(s, lang, dirs) for s in sessions if s and s["status"] != "cancelled"]
            if not views:
                raise Obsolete("no_sessions_left")
            ctx.update(views[0])
            ctx["sessions"] = views
        elif category == "organizer_decision":
            ctx.update(what=r.title_in(c["titles"], lang, dirs), when=r.format_when(c["decided_at"], lang), where="Öppna Malmö, Stadskontoret, Malmö stad", decision=c["decision"], comment=c.get("comment"))
        elif category == "report_reminder":
            if self.report_reminders is not None and ((await self.report_reminders.get(c["initiative_id"])) or {}).get("state", {}).get("reported"):
                raise Obsolete("report_came")
            last = r.format_when(c["last_ended_at"], lang)
            ctx.update(what=r.title_in(c["titles"], lang, dirs), when=last, where="Öppna Malmö, Stadskontoret, Malmö stad", last_ended=last,
                       last_ended_en=r.format_when(c["last_ended_at"], "en"))
        elif category == "subscription_confirmation":
            if recipient.subscription_status != "pending":
                raise Obsolete("not_pending")
            s = self.settings
            sid = state["recipient"]["key"].split(":", 1)[1]
            ctx.update(what=c["summary"], when=r.format_when(state["expires_at"], lang), where=s.public_base_url)
            if state["channel"] == "sms":
                ctx["code"] = tokens.sms_code(s.token_secret, sid)
            else:
                ctx["action_url"] = f"{s.public_base_url.rstrip('/')}/v1/subscriptions/confirm?token={tokens.sign(s.token_secret, 'confirm', sid)}&lang={lang}"
        return ctx, session, lang

    async def request(self, state: dict, recipient: Recipient, now: datetime, drafts: Drafts) -> EmailRequestedV1 | SmsRequestedV1:
        ctx, session, lang = await self.context(state, recipient, now, drafts)
        out = r.render_cached(state["category"], lang, ctx, drafts.rendered, self.dirs)
        common = dict(message_id=state["message_id"], recipient=recipient.address, language=out.language, category=state["category"], not_before=state["not_before"], expires_at=state["expires_at"])
        if state["channel"] == "sms":
            return SmsRequestedV1(**common, text=out.sms, encoding=out.sms_length.encoding, segments=out.sms_length.segments)
        headers = {"List-Unsubscribe": f"<{recipient.unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        if self.settings.unsubscribe_mailto:
            headers["List-Unsubscribe"] += f", <mailto:{self.settings.unsubscribe_mailto}>"
        attachments = []
        if session is not None and state["category"] in CALENDAR:
            attachments = self._calendar(session, state["context"]["session_id"], out.language, drafts)
        return EmailRequestedV1(**common, subject=out.subject, text=out.text, html=out.html, headers=headers, attachments=attachments)

    def _calendar(self, session: dict, session_id: str, lang: str, drafts: Drafts) -> list[dict]:
        """The session's .ics as an attachment, made once per batch and language (the same
        session, the same bytes: ``render.ics_cached``)."""
        key = (session_id, lang)
        if key not in drafts.attachments:
            data = r.ics_cached(session, session_id, lang, self.dirs)
            drafts.attachments[key] = [{"filename": "oppna-malmo.ics", "content_type": "text/calendar", "content_base64": base64.b64encode(data).decode()}]
        return drafts.attachments[key]
