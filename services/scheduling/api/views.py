"""A session and the programme's filters as a page shows them in its language: the initiative's
texts by the fallback rule (the reader's language, then Swedish, then English, and which one each
is in), every vocabulary code as its label, dates and numbers by Babel."""

from services.scheduling.adapters.programme import local_date
from services.scheduling.api.page import Page
from services.scheduling.domain.texts import weekday, when
from shared.languages import in_language


def text_in(texts: dict | None, page: Page) -> dict:
    """``{text, lang, dir}``: the text the reader gets (``lang``: the language it is in)."""
    text, lang = in_language(texts, page.lang)
    if text is None and texts:  # none in the rule's languages (Swedish is required): whichever it has
        lang, text = next(iter(texts.items()))
    return {"text": text, "lang": lang or page.lang, "dir": page.dir if (lang or page.lang) == page.lang else "ltr", "note": None}


def noted(page: Page, *shown: dict) -> None:
    """Each text, in the order the page shows them, gets ``note`` where the texts turn to a
    fallback language: "shown in Swedish" said once before the texts it covers, in the reader's
    language."""
    before = page.lang
    for x in shown:
        if x["text"]:
            x["note"] = page.t.get(f"shown_in_{x['lang']}") if x["lang"] not in (page.lang, before) else None
            before = x["lang"]


def decorate(view: dict, page: Page, about: dict | None = None) -> dict:
    """The session as the page shows it: ``about`` is its initiative's summary, description, target groups."""
    about = about or {}
    label = page.label
    title, summary, description = text_in(view["title"], page), text_in(about.get("summary"), page), text_in(about.get("description"), page)
    noted(page, title, summary, description)
    accessibility = sorted(set(view.get("accessibility", [])) | set((view.get("venue") or {}).get("accessibility", [])))
    return {
        **view,
        "title_shown": title,
        "title_text": title["text"],
        "when": when(view["starts_at"], view["ends_at"], page.lang, page.t["when_pattern"]),
        "summary_shown": summary,
        "description_shown": description,
        "theme_labels": [label("themes", c) for c in view.get("themes", [])],
        "target_group_labels": [label("target_groups", c) for c in about.get("target_groups", [])],
        "district_labels": [label("districts", c) for c in view.get("districts", [])],
        "language_labels": [label("languages", c) for c in view.get("languages", [])],
        "accessibility_labels": [label("accessibility", c) for c in accessibility],
        "free_seats_text": page.number(view["free_seats"]) if view.get("free_seats") else None,
    }


def options_of(sessions: list[dict], page: Page, about) -> dict:
    """The filters' choices: every code the published sessions have, as ``{code, label}`` by label;
    the days as the reader writes them. ``about(view)``: the session's initiative (its target groups)."""

    def choices(name: str, codes) -> list[dict]:
        return sorted(({"code": c, "label": page.label(name, c)} for c in set(codes)), key=lambda o: (o["label"].casefold(), o["code"]))

    days = sorted({local_date(v["starts_at"]) for v in sessions})
    return {
        "days": [{"code": d.isoformat(), "label": weekday(d, page.lang)} for d in days],
        "themes": choices("themes", (x for v in sessions for x in v["themes"])),
        "districts": choices("districts", (x for v in sessions for x in v.get("districts", []))),
        "target_groups": choices("target_groups", (x for v in sessions for x in about(v).get("target_groups", []))),
        "languages": choices("languages", (x for v in sessions for x in v["languages"])),
        "accessibility": choices(
            "accessibility", (x for v in sessions for x in (*v.get("accessibility", []), *(v.get("venue") or {}).get("accessibility", [])))
        ),
    }
