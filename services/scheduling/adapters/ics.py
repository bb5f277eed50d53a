"""iCalendar feeds (RFC 5545) that Google Calendar, Outlook and Apple Calendar accept.

``METHOD:PUBLISH``; one VEVENT per session with a stable ``UID`` (the session id), ``SEQUENCE``
= the session's version (so a calendar replaces an older copy), ``DTSTAMP``, times with
``TZID=Europe/Stockholm`` and its ``VTIMEZONE``; a cancelled session stays in the feed with
``STATUS:CANCELLED`` so subscribed calendars strike it out instead of keeping a stale copy.
``DESCRIPTION`` tells what the session is about (the initiative's summary and description in
the feed's language, Swedish where it has none), then the organiser and the session's page;
``CATEGORIES`` are the themes' labels; ``X-WR-CALNAME`` is the programme's name in the feed's
language (one of ``PLATFORM_LANGUAGES``; the API refuses any other with a 422).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from services.scheduling.domain.texts import CALENDAR_NAMES

TZ = ZoneInfo("Europe/Stockholm")
UID_DOMAIN = "oppna.malmo.se"


def _text(localized: dict | None, lang: str) -> str:
    localized = localized or {}
    return localized.get(lang) or localized.get("sv") or next(iter(localized.values()), "")


def calendar(sessions: list[dict], now: datetime, base_url: str, lang: str = "sv", about=None, theme_label=None) -> bytes:
    """``about(session)``: its initiative's {summary, description}; ``theme_label(code, lang)``: a theme's label."""
    name = CALENDAR_NAMES.get(lang, CALENDAR_NAMES["sv"])
    cal = Calendar()
    cal.add("prodid", "-//Malmö stad//Öppna Malmö//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Stockholm")
    for s in sessions:
        ev = Event()
        ev.add("uid", f"{s['session_id']}@{UID_DOMAIN}")
        ev.add("dtstamp", now)
        ev.add("sequence", s["version"])
        ev.add("dtstart", datetime.fromisoformat(s["starts_at"]).astimezone(TZ))
        ev.add("dtend", datetime.fromisoformat(s["ends_at"]).astimezone(TZ))
        ev.add("summary", _text(s["title"], lang))
        venue = s.get("venue")
        if venue:
            ev.add("location", f"{venue['name']}, {venue['address']}")
        elif s.get("online_url"):
            ev.add("location", s["online_url"])
        url = f"{base_url}/programme/sessions/{s['session_id']}"
        ev.add("url", url)
        organizer = (s.get("organizer") or {}).get("name", "")
        texts = about(s) if about else {}
        lines = [_text(texts.get("summary"), lang), _text(texts.get("description"), lang), organizer, url]
        if s["status"] == "cancelled" and s.get("cancellation_reason"):
            lines.insert(0, s["cancellation_reason"])
        ev.add("description", "\n\n".join(line for line in lines if line))
        themes = s.get("themes", [])
        ev.add("categories", [theme_label(t, lang) for t in themes] if theme_label else themes)
        ev.add("status", "CANCELLED" if s["status"] == "cancelled" else "CONFIRMED")
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
