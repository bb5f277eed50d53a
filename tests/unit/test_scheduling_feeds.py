"""The iCalendar feed, without I/O (the phone rule: test_shared_http.py)."""

from datetime import UTC, datetime

from icalendar import Calendar

from services.scheduling.adapters.ics import calendar


def session(status="published", **kw):
    return {
        "session_id": "abc", "version": 3, "status": status, "title": {"sv": "Samtal", "en": "Talk"},
        "starts_at": "2025-10-07T16:00:00+00:00", "ends_at": "2025-10-07T18:00:00+00:00",
        "venue": {"name": "Bibliotek", "address": "Gatan 1"}, "organizer": {"name": "Förening"}, "themes": ["democracy"],
        "cancellation_reason": "Sjukdom" if status == "cancelled" else None, **kw,
    }


def test_the_feed_is_a_publishable_calendar_with_local_times_and_cancellations():
    raw = calendar([session(), session("cancelled", session_id="def")], datetime(2025, 9, 1, tzinfo=UTC), "https://x", "en")
    cal = Calendar.from_ical(raw)
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    first, second = cal.walk("VEVENT")
    assert str(first["UID"]) == "abc@oppna.malmo.se" and int(first["SEQUENCE"]) == 3 and str(first["SUMMARY"]) == "Talk"
    assert first["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert first["DTSTART"].dt.hour == 18  # 16:00 UTC is 18:00 in Malmö in October
    assert str(first["STATUS"]) == "CONFIRMED" and str(second["STATUS"]) == "CANCELLED"
    assert b"\r\n" in raw  # RFC 5545 line endings

