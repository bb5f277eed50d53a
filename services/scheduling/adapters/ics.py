"""iCalendar feeds (RFC 5545) that Google Calendar, Outlook and Apple Calendar accept.

``METHOD:PUBLISH``; one VEVENT per session with a stable ``UID`` (the session id), ``SEQUENCE``
= the session's version (so a calendar replaces an older copy), ``DTSTAMP``, times with
``TZID=Europe/Stockholm`` and its ``VTIMEZONE``; a cancelled session stays in the feed with
``STATUS:CANCELLED`` so subscribed calendars strike it out instead of keeping a stale copy.
``SUMMARY`` is the title and ``DESCRIPTION`` tells what the session is about (the initiative's
summary and description) in the feed's language, else Swedish, else English (``in_language``),
with a line in the feed's language saying so when it fell back; then the organiser and the
session's page. ``CATEGORIES`` are the themes' labels; ``X-WR-CALNAME`` is the programme's name
from the feed language's words (``texts/<code>.json``, ``calendar_name``); the API refuses a
language that is not offered with a 422.
"""

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from shared.languages import in_language

TZ = ZoneInfo("Europe/Stockholm")
UID_DOMAIN = "oppna.malmo.se"


def _text(localized: dict | None, lang: str) -> tuple[str, str | None]:
    text, shown_in = in_language(localized, lang)
    return text or "", shown_in


def calendar(sessions: list[dict], now: datetime, base_url: str, lang: str = "sv", about=None, theme_label=None,
             words: Mapping[str, str] | None = None) -> bytes:
    """``about(session)``: its initiative's {summary, description}; ``theme_label(code, lang)``: a theme's label;
    ``words``: the feed language's words (the calendar's name, the fallback notes)."""
    words = words or {}
    name = words.get("calendar_name", "Öppna Malmö")
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
        title, title_in = _text(s["title"], lang)
        ev.add("summary", title)
        venue = s.get("venue")
        if venue:
            ev.add("location", f"{venue['name']}, {venue['address']}")
        elif s.get("online_url"):
            ev.add("location", s["online_url"])
        url = f"{base_url}/programme/sessions/{s['session_id']}"
        ev.add("url", url)
        organizer = (s.get("organizer") or {}).get("name", "")
        texts = about(s) if about else {}
        (summary, summary_in), (description, description_in) = _text(texts.get("summary"), lang), _text(texts.get("description"), lang)
        other = next((code for text, code in ((title, title_in), (summary, summary_in), (description, description_in))
                      if text and code != lang), None)
        lines = [words.get(f"shown_in_{other}", "") if other else "", summary, description, organizer, url]
        if s["status"] == "cancelled" and s.get("cancellation_reason"):
            lines.insert(0, s["cancellation_reason"])
        ev.add("description", "\n\n".join(line for line in lines if line))
        themes = s.get("themes", [])
        ev.add("categories", [theme_label(t, lang) for t in themes] if theme_label else themes)
        ev.add("status", "CANCELLED" if s["status"] == "cancelled" else "CONFIRMED")
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
