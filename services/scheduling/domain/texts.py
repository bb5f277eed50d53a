"""Dates, times and numbers as a page's reader writes them: Babel (Unicode CLDR) in the page's
locale, so Arabic gets its month names and a language added as data brings its own. The pages'
words are data (``services/scheduling/texts/<code>.json``, ``adapters/texts.py``); a language
Babel does not know is written the Swedish way."""

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal

TZ = ZoneInfo("Europe/Stockholm")


@cache
def locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("sv")


def day(at: date | datetime, lang: str) -> str:
    """``at``'s date in words ("6 oktober 2025", "6 October 2025", "6 أكتوبر 2025")."""
    return format_date(at, "d MMMM y", locale=locale(lang))


def weekday(on: date, lang: str) -> str:
    """A day of the programme, as a filter's choice ("tisdag 6 oktober", "الثلاثاء 6 أكتوبر")."""
    return format_date(on, "EEEE d MMMM", locale=locale(lang))


def when(starts_at: str, ends_at: str, lang: str, pattern: str) -> str:
    """A session's day and hours in Malmö's time; ``pattern`` (the page's ``when_pattern``) orders them."""
    s, e = datetime.fromisoformat(starts_at).astimezone(TZ), datetime.fromisoformat(ends_at).astimezone(TZ)
    at = locale(lang)
    return pattern.format(day=day(s, lang), start=format_time(s, "HH:mm", locale=at), end=format_time(e, "HH:mm", locale=at))


def number(n: int | float, lang: str) -> str:
    return format_decimal(n, locale=locale(lang))


def listed(items: list[str], lang: str) -> str:
    """Labels as one phrase ("Demokrati, Inkludering och Delaktighet"; Arabic joins with "،" and "و")."""
    return format_list(list(items), locale=locale(lang)) if items else ""
