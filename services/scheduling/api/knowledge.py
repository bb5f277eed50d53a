"""The public knowledge bank: the published outcome reports of every edition, searched by words
(Swedish and English stems) and filtered by theme, district, target group, organiser kind,
partner and edition; each report with its initiative's sessions in the programme. In every
platform language the pages have words for (``api/page.py``); a report's texts in the reader's
language, else Swedish, else English, saying so when it fell back. Server-rendered, no JavaScript
(docs/scheduling.md, "The knowledge bank")."""

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.scheduling.adapters.programme import Programme, is_public
from services.scheduling.api.deps import KnowledgeDep, ProgrammeDep
from services.scheduling.api.page import Page, PageDep, render
from services.scheduling.api.views import decorate, noted, text_in
from services.scheduling.domain.knowledge import Asked
from services.scheduling.domain.texts import day
from shared.events.initiatives import OrganizerKind
from shared.refusals import Refused

router = APIRouter(tags=["pages"], include_in_schema=False)
TEXTS = ("what_happened", "worked", "did_not_work")


def shown(report: dict, page: Page) -> dict:
    """A report as the bank shows it: texts (with the language each is in), codes as labels."""
    content = report["content"]
    title = text_in(report.get("title"), page)
    fields = {name: text_in(content.get(name), page) for name in TEXTS}
    noted(page, title, *fields.values())
    published = report.get("published_at")
    return {
        **report,
        "title_shown": title,
        "title_text": title["text"] or report["initiative_id"],
        "texts": fields,
        "participants_text": page.number(content["participants"]) if content.get("participants") is not None else None,
        "published_text": day(datetime.fromisoformat(published), page.lang) if published else None,
        "theme_labels": [page.label("themes", c) for c in report.get("themes", [])],
        "district_labels": [page.label("districts", c) for c in content.get("districts", [])],
        "target_group_labels": [page.label("target_groups", c) for c in content.get("target_groups", [])],
    }


def edition_name(programme: Programme, edition_id: str, page: Page) -> str:
    """An edition by its name in the reader's language (else Swedish, English), its id if unknown here."""
    return text_in((programme.editions.get(edition_id) or {}).get("name"), page)["text"] or edition_id


def labelled(page: Page, vocabulary: str, codes) -> list[tuple[str, str]]:
    return sorted({(c, page.label(vocabulary, c)) for c in codes}, key=lambda o: o[1].casefold())


@router.get("/knowledge", response_class=HTMLResponse)
async def bank(knowledge: KnowledgeDep, programme: ProgrammeDep, page: PageDep, q: str = "", theme: str = "", district: str = "",
               target_group: str = "", organizer_kind: str = "", partner: str = "", edition: str = "") -> HTMLResponse:
    asked = Asked(q=q[:200], theme=theme, district=district, target_group=target_group, organizer_kind=organizer_kind,
                  partner=partner[:200], edition=edition)
    everything = knowledge.find(Asked())
    options = {
        "themes": labelled(page, "themes", (c for r in everything for c in r.get("themes", []))),
        "districts": labelled(page, "districts", (c for r in everything for c in r["content"].get("districts", []))),
        "target_groups": labelled(page, "target_groups", (c for r in everything for c in r["content"].get("target_groups", []))),
        "organizer_kinds": [k.value for k in OrganizerKind],
        "editions": [(e, edition_name(programme, e, page)) for e in knowledge.editions()],
    }
    reports = [shown(r, page) for r in knowledge.find(asked)]
    return render(page, "knowledge.html", page_title=page.t["knowledge"], reports=reports, options=options, f=asked)


@router.get("/knowledge/{initiative_id}", response_class=HTMLResponse)
async def report(initiative_id: str, knowledge: KnowledgeDep, programme: ProgrammeDep, page: PageDep) -> HTMLResponse:
    found = knowledge.get(initiative_id)
    if found is None:
        raise Refused(404, "initiative_id", "not_found", "No published report for this initiative")
    r = shown(found, page) | {"edition_name": edition_name(programme, found["edition_id"], page) if found.get("edition_id") else None}
    sessions = [decorate(programme.sessions[sid], page, programme.about_of(programme.sessions[sid]))
                for sid in programme.of_initiative(initiative_id) if is_public(programme.sessions[sid])]
    return render(page, "knowledge_report.html", page_title=r["title_text"], r=r, sessions=sessions)
