"""Templates to messages: subject, plain text, HTML and SMS text, in the reader's language. Pure.

Files under ``templates/`` (and any extra folders given by ``TEMPLATE_DIRS``, searched first):
``<lang>/labels.json`` (words of the shared layout, ``dir`` for right-to-left scripts) and
``<lang>/<category>.j2`` with three blocks — ``subject``, ``intro`` and ``sms`` —;
``layout.txt.j2`` and ``layout.html.j2`` put every email together the same way: what, when,
where, the category's extras, and how to stop receiving messages.

A message is in the reader's language when the platform offers it (the languages vocabulary
marks it ``platform`` and its folder exists: ``shared/languages.py``), else in Swedish. The
initiative's own words (its title) follow the reader's language, then Swedish, then English,
and a title shown in another language says which, in the reader's words (``fallback_note``
with the language's name from CLDR). Dates and times are Babel's (CLDR), in the reader's locale.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property, lru_cache
from pathlib import Path

import icalendar
from babel import Locale
from babel.dates import format_skeleton, format_time
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from services.notifications.domain.gsm7 import SmsLength, measure
from services.notifications.domain.quiet_hours import STOCKHOLM
from shared.events.notifications import Category
from shared.languages import BASE, in_language

TEMPLATES = Path(__file__).parent / "templates"
Dirs = tuple[str, ...]  # extra template folders (``TEMPLATE_DIRS``), searched before ``TEMPLATES``


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str
    sms: str

    @cached_property
    def sms_length(self) -> SmsLength:
        """The SMS text's encoding and segments, measured when asked (an e-mail never is)."""
        return measure(self.sms)


def _roots(dirs: Dirs) -> list[Path]:
    return [*(Path(d) for d in dirs), TEMPLATES]


@cache
def _env(dirs: Dirs = ()) -> Environment:
    return Environment(
        loader=FileSystemLoader(_roots(dirs)),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


@cache
def languages(dirs: Dirs = ()) -> tuple[str, ...]:
    """The codes of the languages whose templates exist (a folder with ``labels.json``)."""
    return tuple(sorted({p.parent.name for root in _roots(dirs) for p in root.glob("*/labels.json")}))


@cache
def labels(lang: str, dirs: Dirs = ()) -> dict:
    path = next(root / lang / "labels.json" for root in _roots(dirs) if (root / lang / "labels.json").exists())
    return json.loads(path.read_text(encoding="utf-8"))


def language_for(wanted: str | None, offered: tuple[str, ...] | list[str] | None = None, dirs: Dirs = ()) -> str:
    """The wanted language if it is offered (``offered``: the platform's languages with templates;
    by default those with templates), else Swedish."""
    offered = languages(dirs) if offered is None else offered
    return wanted if wanted in offered and wanted in languages(dirs) else BASE


def _plain(text: str) -> str:
    # CLDR puts narrow and no-break spaces in times ("6:00 PM"): plain spaces keep an SMS in GSM-7
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@lru_cache(maxsize=1024)
def format_when(moment: datetime | str | None, lang: str) -> str:
    """A date and time in Stockholm's time, written as the reader's locale writes it (CLDR); the
    same moment and language, the same words (kept: a fan-out's recipients share theirs)."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(STOCKHOLM)
    locale = Locale.parse(lang)
    both = locale.datetime_formats["medium"].format(format_time(local, "short", locale=locale), format_skeleton("yMMMEd", local, locale=locale))
    return _plain(both)


def title_in(titles: dict | None, lang: str, dirs: Dirs = ()) -> str:
    """The initiative's title in ``lang``, else Swedish, else English; one shown in another
    language than the reader's says which (``fallback_note``, in the reader's words)."""
    text, shown = in_language(titles, lang)
    if text is None:
        return next(iter((titles or {}).values()), "")
    if shown == lang or lang not in languages(dirs):
        return text
    name = Locale.parse(lang).languages.get(shown, shown)
    return f"{text} {labels(lang, dirs)['fallback_note'].format(language=name)}"


def where_of(session: dict, lang: str, dirs: Dirs = ()) -> str:
    venue = session.get("venue")
    if venue:
        return f"{venue['name']}, {venue['address']}"
    if session.get("online_url"):
        return f"{labels(lang, dirs)['online']}: {session['online_url']}"
    return ""


def session_view(session: dict, lang: str, dirs: Dirs = ()) -> dict:
    return {"what": title_in(session.get("title"), lang, dirs), "when": format_when(session.get("starts_at"), lang), "where": where_of(session, lang, dirs)}


def _block(template, name: str, ctx: dict) -> str:
    return "".join(template.blocks[name](template.new_context(ctx))).strip()


def render(category: str, lang: str, ctx: dict, dirs: Dirs = ()) -> Rendered:
    """``ctx`` holds what the templates use: what, when, where, unsubscribe_url, and per category
    decision/comment, code/action_url, sessions, position, reason, previously, manage_url, feedback_url
    (a survey's link, to which each score's ``&score=N`` is added), last_ended(_en). ``lang``: the
    language chosen for the reader (``language_for``); Swedish where it has no templates."""
    lang = lang if lang in languages(dirs) else BASE
    Category(category)  # an unknown category is a programming error
    full = {
        "what": "", "when": "", "where": "", "comment": None, "sessions": [], "code": None, "action_url": None,
        "manage_url": None, "previously": None, "position": None, "reason": None, "decision": None, "feedback_url": None,
        **ctx, "lang": lang, "L": labels(lang, dirs),
    }
    env = _env(dirs)
    template = env.get_template(f"{lang}/{category}.j2")
    subject = " ".join(_block(template, "subject", full).split())
    intro = _block(template, "intro", full)
    sms = " ".join(_block(template, "sms", full).split())
    parts = {**full, "subject": subject, "intro": intro}
    text = env.get_template("layout.txt.j2").render(parts)
    html = env.get_template("layout.html.j2").render(parts)
    return Rendered(lang, subject, text, html, sms)


@cache
def page_labels(name: str) -> dict[str, dict]:
    """A public page's words by language (``templates/pages/<name>.json``)."""
    return json.loads((TEMPLATES / "pages" / f"{name}.json").read_text(encoding="utf-8"))


def page_language(name: str, wanted: str | None) -> str:
    return wanted if wanted in page_labels(name) else "sv"


def page_template(name: str):
    """A public page's template (``templates/pages/<name>.html.j2``, HTML-escaped)."""
    return _env().get_template(f"pages/{name}.html.j2")


def render_page(name: str, lang: str, ctx: dict) -> str:
    """A public page (``templates/pages/<name>.html.j2``, escaped) in ``lang`` (Swedish if it has no words)."""
    lang = page_language(name, lang)
    return page_template(name).render({**ctx, "lang": lang, "L": page_labels(name)[lang]})


# The links of one recipient: the only part of a message that differs between the registrants of
# one change (and a waitlist position, which is part of the text).
LINKS = ("unsubscribe_url", "manage_url", "action_url", "feedback_url")


def render_cached(category: str, lang: str, ctx: dict, cache: dict, dirs: Dirs = ()) -> Rendered:
    """``render`` for the many recipients of one cause: the templates are rendered once per
    category, language and text (``cache``, the caller's, e.g. one page's), each recipient's
    links then put in — escaped in the HTML as the template escapes them. A link holds no
    whitespace, so the SMS text folds the same way and its length is measured as put together."""
    marks = {k: f"LINK{n}MARK{id(cache)}" for n, k in enumerate(LINKS) if ctx.get(k)}
    key = (category, lang, repr(sorted((k, v) for k, v in ctx.items() if k not in marks)), tuple(marks))
    if key not in cache:
        cache[key] = render(category, lang, {**ctx, **marks}, dirs)
    out = cache[key]
    text, html, sms = out.text, out.html, out.sms
    for k, mark in marks.items():
        text, html, sms = text.replace(mark, ctx[k]), html.replace(mark, str(escape(ctx[k]))), sms.replace(mark, ctx[k])
    return Rendered(out.language, out.subject, text, html, sms)


@lru_cache(maxsize=256)
def _ics_of(session_json: str, uid: str, lang: str, dirs: Dirs) -> bytes:
    return ics(json.loads(session_json), uid, lang, dirs)


def ics_cached(session: dict, uid: str, lang: str, dirs: Dirs = ()) -> bytes:
    """``ics``, made once for a session's many registrants (the same session, the same bytes)."""
    return _ics_of(json.dumps(session, sort_keys=True, default=str), uid, lang, dirs)


def _utc(moment: datetime | str) -> datetime:
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return moment.astimezone(UTC)


def ics(session: dict, uid: str, lang: str, dirs: Dirs = ()) -> bytes:
    """An iCalendar (RFC 5545) file for one session."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Malmö stad//Öppna Malmö//SV")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"{uid}@oppna.malmo.se")
    starts = _utc(session["starts_at"])
    event.add("dtstamp", starts - timedelta(days=1))  # deterministic: the same message, the same bytes
    event.add("summary", title_in(session.get("title"), lang, dirs))
    event.add("dtstart", starts)
    event.add("dtend", _utc(session["ends_at"]))
    where = where_of(session, lang, dirs)
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


def sample_context(category: str, lang: str, dirs: Dirs = (), session: dict | None = None) -> dict:
    """Sample data for previews and template tests: every field a category uses (``session``:
    another sample session, e.g. one whose title is in Swedish only)."""
    lang = language_for(lang, dirs=dirs)
    session = session or SAMPLE_SESSION
    base = {**session_view(session, lang, dirs), "unsubscribe_url": "https://oppna.malmo.se/v1/unsubscribe/SAMPLE-TOKEN"}
    extra: dict = {}
    if category == "organizer_decision":
        extra = {"decision": "changes_requested", "what": "Demokratisamtal KF-42", "comment": "Lägg till tillgänglighetsinformation.", "where": "Öppna Malmö, Stadskontoret"}
    elif category == "subscription_confirmation":
        extra = {"what": "Öppna Malmö", "code": "123456", "action_url": "https://oppna.malmo.se/v1/subscriptions/confirm?token=SAMPLE", "where": "https://oppna.malmo.se"}
    elif category == "digest":
        extra = {"sessions": [session_view(session, lang, dirs)]}
    elif category in ("registration_confirmed", "registration_waitlisted", "registration_promoted", "reminder"):
        extra = {"manage_url": "https://oppna.malmo.se/r/SAMPLE", "position": 2 if category == "registration_waitlisted" else None}
    elif category == "session_changed":
        extra = {"previously": format_when("2025-10-06T18:00:00+02:00", lang), "manage_url": "https://oppna.malmo.se/r/SAMPLE"}
    elif category == "session_cancelled":
        extra = {"reason": "Sjukdom / illness"}
    elif category == "feedback_request":
        extra = {"feedback_url": f"https://oppna.malmo.se/feedback/SAMPLE-TOKEN?lang={lang}"}
    elif category == "report_reminder":
        extra = {"where": "Öppna Malmö, Stadskontoret", "last_ended": format_when(session["ends_at"], lang),
                 "last_ended_en": format_when(session["ends_at"], "en")}
    return {**base, **extra}
