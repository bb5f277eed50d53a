"""The curator's grants: per edition, its stamped initiatives with what each asked and was granted,
a form per row, the sum and what remains of the budget. Each grant is one PUT to the registry with
the signed-in key; the registry's refusal (over the budget, not approved) is shown beside the row."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import RegistryDep, SchedulingDep, SignedIn, checked_form
from services.console.api.pages import answered, edition_choices, expect, language, redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/grants")
async def editions(request: Request, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """The newest edition's grants (the page lets the curator choose another)."""
    known = await edition_choices(scheduling, session.key, language(request))
    chosen = request.query_params.get("edition") or (known[0][0] if known else "")
    if chosen:
        return redirect(f"/grants/{chosen}")
    return render(request, "grants_page.html", session, editions=known, edition_id=None, rows=[], book=None, reasons=[], typed={})


async def grants_page(request: Request, session, registry, scheduling, edition_id: str, status: int = 200, reasons: list | None = None,
                      typed: dict | None = None) -> Response:
    """``reasons``/``typed``: a refused row's reasons and what was typed in it (by initiative id)."""
    book = expect(await registry.grants(session.key, edition_id))
    stamped = expect(await registry.stamped_of_edition(session.key, edition_id))["items"]
    rows = [_row(i, book["granted"].get(i["initiative_id"], 0), language(request)) for i in stamped]
    listed = {i["initiative_id"] for i in stamped}
    # granted once, no longer stamped: still shown, so the grant can be withdrawn
    rows += [{"id": iid, "title": iid, "organizer": "", "requested": None, "granted": amount, "stamped": False}
             for iid, amount in book["granted"].items() if iid not in listed]
    return render(request, "grants_page.html", session, status, editions=await edition_choices(scheduling, session.key, language(request)),
                  edition_id=edition_id, rows=rows, book=book, reasons=reasons or [], typed=typed or {})


def _row(i: dict, granted: int, lang: str) -> dict:
    content = i.get("content") or {}
    title = content.get("title") or {}
    return {"id": i["initiative_id"], "title": title.get(lang) or title.get("sv") or i["initiative_id"],
            "organizer": (content.get("organizer") or {}).get("name") or "", "stamped": True,
            "requested": (content.get("budget") or {}).get("requested_sek", 0), "granted": granted}


@router.get("/grants/{edition_id}")
async def grants(edition_id: str, request: Request, session: SignedIn, registry: RegistryDep, scheduling: SchedulingDep) -> Response:
    return await grants_page(request, session, registry, scheduling, edition_id)


@router.post("/grants/{edition_id}/{initiative_id}")
async def grant(edition_id: str, initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep,
                scheduling: SchedulingDep) -> Response:
    form = await checked_form(request, session)
    typed = form.get("amount_sek", "").strip().replace(" ", "").replace("\u00a0", "")
    answer = await registry.grant(session.key, edition_id, initiative_id, int(typed) if typed.isdigit() else typed)
    return await answered(answer, lambda _: f"/grants/{edition_id}#row-{initiative_id}",
                          lambda status, reasons: grants_page(request, session, registry, scheduling, edition_id, status,
                                                              [{**r, "row": initiative_id} for r in reasons], {initiative_id: typed}),
                          refused_here=(404, 409, 422))
