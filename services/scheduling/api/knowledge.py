"""The public knowledge bank: the published outcome reports of every edition, searched by words
(Swedish and English stems) and filtered by theme, district, target group, organiser kind,
partner and edition; each report with its initiative's sessions in the programme. Swedish and
English (``?lang=en``), server-rendered, no JavaScript (docs/scheduling.md, "The knowledge bank")."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.scheduling.adapters.programme import is_public
from services.scheduling.api.deps import KnowledgeDep, ProgrammeDep, VocabulariesDep
from services.scheduling.api.pages import decorate, render
from services.scheduling.domain.knowledge import Asked
from services.scheduling.domain.texts import page_language, texts
from shared.events.initiatives import OrganizerKind
from shared.refusals import Refused

router = APIRouter(tags=["pages"], include_in_schema=False)


def _in(texts: dict | None, lang: str) -> tuple[str | None, bool]:
    """A text in the page's language, else Swedish; and whether it fell back."""
    texts = texts or {}
    return (texts[lang], False) if texts.get(lang) else (texts.get("sv"), lang != "sv")


def shown(report: dict, lang: str, label) -> dict:
    """A report as the bank shows it in ``lang``: texts (with their fallback), codes as labels."""
    content = report["content"]
    fields = {name: _in(content.get(name), lang) for name in ("what_happened", "worked", "did_not_work")}
    return {
        **report,
        "title_text": _in(report.get("title"), lang)[0] or report["initiative_id"],
        "texts": {name: text for name, (text, _) in fields.items()},
        "fell_back": any(fell for text, fell in fields.values() if text),
        "theme_labels": [label("themes", c, lang) for c in report.get("themes", [])],
        "district_labels": [label("districts", c, lang) for c in content.get("districts", [])],
        "target_group_labels": [label("target_groups", c, lang) for c in content.get("target_groups", [])],
    }


@router.get("/knowledge", response_class=HTMLResponse)
async def bank(knowledge: KnowledgeDep, vocabularies: VocabulariesDep, lang: str = "sv", q: str = "", theme: str = "", district: str = "",
               target_group: str = "", organizer_kind: str = "", partner: str = "", edition: str = "") -> HTMLResponse:
    lang = page_language(lang)
    label = (await vocabularies.fresh()).label
    asked = Asked(q=q[:200], theme=theme, district=district, target_group=target_group, organizer_kind=organizer_kind,
                  partner=partner[:200], edition=edition)
    everything = knowledge.find(Asked())
    options = {
        "themes": sorted({(c, label("themes", c, lang)) for r in everything for c in r.get("themes", [])}, key=lambda o: o[1]),
        "districts": sorted({(c, label("districts", c, lang)) for r in everything for c in r["content"].get("districts", [])}, key=lambda o: o[1]),
        "target_groups": sorted({(c, label("target_groups", c, lang)) for r in everything for c in r["content"].get("target_groups", [])},
                                key=lambda o: o[1]),
        "organizer_kinds": [k.value for k in OrganizerKind],
        "editions": knowledge.editions(),
    }
    reports = [shown(r, lang, label) for r in knowledge.find(asked)]
    return render("knowledge.html", lang, page_title=texts(lang)[1]["knowledge"], reports=reports, options=options, f=asked)


@router.get("/knowledge/{initiative_id}", response_class=HTMLResponse)
async def report(initiative_id: str, knowledge: KnowledgeDep, programme: ProgrammeDep, vocabularies: VocabulariesDep,
                 lang: str = "sv") -> HTMLResponse:
    lang = page_language(lang)
    found = knowledge.get(initiative_id)
    if found is None:
        raise Refused(404, "initiative_id", "not_found", "No published report for this initiative")
    label = (await vocabularies.fresh()).label
    r = shown(found, lang, label)
    sessions = [decorate(programme.sessions[sid], lang, programme.about_of(programme.sessions[sid]), label)
                for sid in programme.of_initiative(initiative_id) if is_public(programme.sessions[sid])]
    return render("knowledge_report.html", lang, page_title=r["title_text"], r=r, sessions=sessions)
