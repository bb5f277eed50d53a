"""Templates to messages: subject, plain text, HTML and SMS text, in the reader's language. Pure.

Files under ``templates/``: ``<lang>/labels.json`` (words of the shared layout, ``dir`` for
right-to-left scripts) and ``<lang>/<category>.j2`` with three blocks — ``subject``, ``intro``
and ``sms`` —; ``layout.txt.j2`` and ``layout.html.j2`` put every email together the same way:
what, when, where, the category's extras, and how to stop receiving messages. A new language is
a new folder.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path

import icalendar
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from services.notifications.domain.gsm7 import SmsLength, measure
from services.notifications.domain.quiet_hours import STOCKHOLM
from shared.events.notifications import Category

TEMPLATES = Path(__file__).parent / "templates"
FALLBACK = ("en", "sv")


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str
    sms: str
    sms_length: SmsLength


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


@cache
def languages() -> tuple[str, ...]:
    return tuple(sorted(p.parent.name for p in TEMPLATES.glob("*/labels.json")))


@cache
def labels(lang: str) -> dict:
    return json.loads((TEMPLATES / lang / "labels.json").read_text(encoding="utf-8"))


def language_for(wanted: str | None) -> str:
    """The wanted language if its templates exist, else English, else Swedish."""
    if wanted in languages():
        return wanted
    return next(lang for lang in FALLBACK if lang in languages())


def format_when(moment: datetime | str | None, lang: str) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(STOCKHOLM)
    L = labels(lang)
    return f"{L['weekdays'][local.weekday()]} {local.day} {L['months'][local.month - 1]} {local.year} {L['time_prefix']} {local:%H:%M}"


def title_in(titles: dict | None, lang: str) -> str:
    titles = titles or {}
    return titles.get(lang) or titles.get("en") or titles.get("sv") or next(iter(titles.values()), "")


def where_of(session: dict, lang: str) -> str:
    venue = session.get("venue")
    if venue:
        return f"{venue['name']}, {venue['address']}"
    if session.get("online_url"):
        return f"{labels(lang)['online']}: {session['online_url']}"
    return ""


def session_view(session: dict, lang: str) -> dict:
    return {"what": title_in(session.get("title"), lang), "when": format_when(session.get("starts_at"), lang), "where": where_of(session, lang)}


def _block(template, name: str, ctx: dict) -> str:
    return "".join(template.blocks[name](template.new_context(ctx))).strip()


def render(category: str, lang: str, ctx: dict) -> Rendered:
    """``ctx`` holds what the templates use: what, when, where, unsubscribe_url, and per category
    decision/comment, code/action_url, sessions, position, reason, previously, manage_url, feedback_url
    (a survey's link, to which each score's ``&score=N`` is added), last_ended(_en)."""
    lang = language_for(lang)
    Category(category)  # an unknown category is a programming error
    full = {
        "what": "", "when": "", "where": "", "comment": None, "sessions": [], "code": None, "action_url": None,
        "manage_url": None, "previously": None, "position": None, "reason": None, "decision": None, "feedback_url": None,
        **ctx, "lang": lang, "L": labels(lang),
    }
    template = _env().get_template(f"{lang}/{category}.j2")
    subject = " ".join(_block(template, "subject", full).split())
    intro = _block(template, "intro", full)
    sms = " ".join(_block(template, "sms", full).split())
    parts = {**full, "subject": subject, "intro": intro}
    text = _env().get_template("layout.txt.j2").render(parts)
    html = _env().get_template("layout.html.j2").render(parts)
    return Rendered(lang, subject, text, html, sms, measure(sms))


@cache
def page_labels(name: str) -> dict[str, dict]:
    """A public page's words by language (``templates/pages/<name>.json``)."""
    return json.loads((TEMPLATES / "pages" / f"{name}.json").read_text(encoding="utf-8"))


def page_language(name: str, wanted: str | None) -> str:
    return wanted if wanted in page_labels(name) else "sv"


def render_page(name: str, lang: str, ctx: dict) -> str:
    """A public page (``templates/pages/<name>.html.j2``, escaped) in ``lang`` (Swedish if it has no words)."""
    lang = page_language(name, lang)
    return _env().get_template(f"pages/{name}.html.j2").render({**ctx, "lang": lang, "L": page_labels(name)[lang]})


# The links of one recipient: the only part of a message that differs between the registrants of
# one change (and a waitlist position, which is part of the text).
LINKS = ("unsubscribe_url", "manage_url", "action_url", "feedback_url")


def render_cached(category: str, lang: str, ctx: dict, cache: dict) -> Rendered:
    """``render`` for the many recipients of one cause: the templates are rendered once per
    category, language and text (``cache``, the caller's, e.g. one page's), each recipient's
    links then put in — escaped in the HTML as the template escapes them. A link holds no
    whitespace, so the SMS text folds the same way and its length is measured as put together."""
    marks = {k: f"LINK{n}MARK{id(cache)}" for n, k in enumerate(LINKS) if ctx.get(k)}
    key = (category, lang, repr(sorted((k, v) for k, v in ctx.items() if k not in marks)), tuple(marks))
    if key not in cache:
        cache[key] = render(category, lang, {**ctx, **marks})
    out = cache[key]
    text, html, sms = out.text, out.html, out.sms
    for k, mark in marks.items():
        text, html, sms = text.replace(mark, ctx[k]), html.replace(mark, str(escape(ctx[k]))), sms.replace(mark, ctx[k])
    return Rendered(out.language, out.subject, text, html, sms, measure(sms))


@lru_cache(maxsize=256)
def _ics_of(session_json: str, uid: str, lang: str) -> bytes:
    return ics(json.loads(session_json), uid, lang)


def ics_cached(session: dict, uid: str, lang: str) -> bytes:
    """``ics``, made once for a session's many registrants (the same session, the same bytes)."""
    return _ics_of(json.dumps(session, sort_keys=True, default=str), uid, lang)


def _utc(moment: datetime | str) -> datetime:
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return moment.astimezone(UTC)


def ics(session: dict, uid: str, lang: str) -> bytes:
    """An iCalendar (RFC 5545) file for one session."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Malmö stad//Öppna Malmö//SV")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"{uid}@oppna.malmo.se")
    starts = _utc(session["starts_at"])
    event.add("dtstamp", starts - timedelta(days=1))  # deterministic: the same message, the same bytes
    event.add("summary", title_in(session.get("title"), lang))
    event.add("dtstart", starts)
    event.add("dtend", _utc(session["ends_at"]))
    where = where_of(session, lang)
    if where:
        event.add("location", where)
    if session.get("online_url"):
        event.add("url", session["online_url"])
    cal.add_component(event)
    return cal.to_ical()


SAMPLE_SESSION = {
    "session_id": "sample-session",
    "title": {"sv": "Samtal om demokrati i Rosengård", "en": "Talk about democracy in Rosengård", "ar": "حوار حول الديمقراطية في روزنغورد"},
    "starts_at": "2025-10-07T18:00:00+02:00",
    "ends_at": "2025-10-07T20:00:00+02:00",
    "venue": {"venue_id": "v1", "name": "Rosengårds bibliotek", "address": "Amiralsgatan 35", "district": "rosengard"},
    "themes": ["democracy"], "districts": ["rosengard"], "languages": ["sv", "ar"], "status": "published",
}


def sample_context(category: str, lang: str) -> dict:
    """Sample data for previews and template tests: every field a category uses."""
    lang = language_for(lang)
    base = {**session_view(SAMPLE_SESSION, lang), "unsubscribe_url": "https://oppna.malmo.se/v1/unsubscribe/SAMPLE-TOKEN"}
    extra: dict = {}
    if category == "organizer_decision":
        extra = {"decision": "changes_requested", "what": "Demokratisamtal KF-42", "comment": "Lägg till tillgänglighetsinformation.", "where": "Öppna Malmö, Stadskontoret"}
    elif category == "subscription_confirmation":
        extra = {"what": "Öppna Malmö", "code": "123456", "action_url": "https://oppna.malmo.se/v1/subscriptions/confirm?token=SAMPLE", "where": "https://oppna.malmo.se"}
    elif category == "digest":
        extra = {"sessions": [session_view(SAMPLE_SESSION, lang)]}
    elif category in ("registration_confirmed", "registration_waitlisted", "registration_promoted", "reminder"):
        extra = {"manage_url": "https://oppna.malmo.se/r/SAMPLE", "position": 2 if category == "registration_waitlisted" else None}
    elif category == "session_changed":
        extra = {"previously": format_when("2025-10-06T18:00:00+02:00", lang), "manage_url": "https://oppna.malmo.se/r/SAMPLE"}
    elif category == "session_cancelled":
        extra = {"reason": "Sjukdom / illness"}
    elif category == "feedback_request":
        extra = {"feedback_url": f"https://oppna.malmo.se/feedback/SAMPLE-TOKEN?lang={lang}"}
    elif category == "report_reminder":
        extra = {"where": "Öppna Malmö, Stadskontoret", "last_ended": format_when(SAMPLE_SESSION["ends_at"], "sv"),
                 "last_ended_en": format_when(SAMPLE_SESSION["ends_at"], "en")}
    return {**base, **extra}
