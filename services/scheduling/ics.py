"""iCalendar feeds (RFC 5545) that Google Calendar, Outlook and Apple Calendar accept.

``METHOD:PUBLISH``; one VEVENT per session with a stable ``UID`` (the session id), ``SEQUENCE``
= the session's version (so a calendar replaces an older copy), ``DTSTAMP``, times with
``TZID=Europe/Stockholm`` and its ``VTIMEZONE``; a cancelled session stays in the feed with
``STATUS:CANCELLED`` so subscribed calendars strike it out instead of keeping a stale copy.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

TZ = ZoneInfo("Europe/Stockholm")
UID_DOMAIN = "oppna.malmo.se"


def _text(localized: dict, lang: str) -> str:
    return localized.get(lang) or localized.get("sv") or next(iter(localized.values()), "")


def calendar(sessions: list[dict], name: str, now: datetime, base_url: str, lang: str = "sv") -> bytes:
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
        description = f"{organizer}\n{url}" if organizer else url
        if s["status"] == "cancelled" and s.get("cancellation_reason"):
            description = f"{s['cancellation_reason']}\n{description}"
        ev.add("description", description)
        ev.add("categories", s.get("themes", []))
        ev.add("status", "CANCELLED" if s["status"] == "cancelled" else "CONFIRMED")
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
