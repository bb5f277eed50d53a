"""HTTP routes of reporting: figures, exports, trends, the dashboard, and analysts' tools.

Public routes always suppress small numbers; analysts (role ``analyst``) read unsuppressed
figures under ``/v1/analyst`` and may rebuild. Bad input is answered 4xx naming it.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.reporting import dashboard
from services.reporting.exports import labelled, to_csv, to_jsonstat
from services.reporting.figures import area_figures, initiative_counts, table
from services.reporting.measures import UnknownArea, UnknownDimension
from services.reporting.model import ReadModel
from services.reporting.rebuild import compare, rebuild
from services.reporting.settings import ReportingSettings
from services.reporting.snapshots import Snapshots
from services.reporting.tables import check_area
from services.reporting.trends import trends
from shared.auth import KEY_OPTIONAL, Authenticator, Requires, Role, presented_key
from shared.events.reporting import SnapshotReason
from shared.http import problem
from shared.vocabularies import VocabularyCopies

Lang = Annotated[Literal["sv", "en"], Query(description="Language of labels: sv or en.")]


def build_router(
    settings: ReportingSettings, model: ReadModel, auth: Authenticator, snapshots: Callable[[], Snapshots | None], vocabularies: Callable[[], VocabularyCopies | None] = lambda: None
) -> APIRouter:
    """``vocabularies``: the registry's, as reporting follows them (labels of themes, districts, …)."""

    async def fresh_labels() -> None:
        # another process of reporting may have taken the newest vocabulary event: read it again now and then
        if (v := vocabularies()) is not None:
            await v.fresh()

    r = APIRouter(dependencies=[Depends(fresh_labels)])
    threshold = settings.suppression_threshold
    Analyst = Requires(auth, Role.analyst)

    def edition(edition_id: str) -> str:
        if edition_id not in model.editions:
            raise problem(404, "edition_id", "unknown_edition", f"There is no edition '{edition_id}'")
        return edition_id

    def checked(area: str, dimension: str | None) -> None:
        try:
            check_area(area, dimension)
        except UnknownArea:
            raise problem(422, "area", "unknown_area", f"Unknown area '{area}'; known: initiatives, participation, reach, money") from None
        except UnknownDimension:
            from services.reporting.tables import AREAS

            known = ", ".join(AREAS[area].dimensions)
            raise problem(422, "dimension", "unknown_dimension", f"Unknown dimension '{dimension}' for {area}; known: {known}") from None

    def figures(edition_id: str, area: str, dimension: str | None, lang: str, limit: int | None) -> dict:
        edition(edition_id)
        checked(area, dimension)
        out = area_figures(model, edition_id, area, limit, dimension)
        out["tables"] = {d: labelled(t, lang, vocabularies()) for d, t in out["tables"].items()}
        return out

    @r.get("/v1/figures/initiatives", tags=["figures"], summary="Initiatives by status, theme, organizer kind and origin", **KEY_OPTIONAL)
    async def initiative_figures(request: Request, source: str | None = None) -> dict:
        """``source``: one publisher's initiatives. Suppressed, unless an analyst's key is presented."""
        principal = await auth.principal(presented_key(request))
        return initiative_counts(model, source, None if principal and principal.role == Role.analyst else threshold)

    @r.get("/v1/editions", tags=["figures"], summary="The editions (forum periods) reporting knows")
    async def editions() -> list[dict]:
        return [
            {k: e[k] for k in ("edition_id", "name", "year", "starts_on", "ends_on", "budget_sek", "status")}
            for e in sorted(model.editions.values(), key=lambda e: (e["year"], e["edition_id"]))
        ]

    @r.get("/v1/editions/{edition_id}/figures/{area}", tags=["figures"], summary="An edition's figures of one area, suppressed")
    async def edition_figures(edition_id: str, area: str, dimension: str | None = None, lang: Lang = "sv") -> dict:
        """Areas: initiatives, participation, reach, money; ``dimension``: one table only."""
        return figures(edition_id, area, dimension, lang, threshold)

    @r.get("/v1/analyst/editions/{edition_id}/figures/{area}", tags=["analysts"], summary="The same, unsuppressed (analysts)")
    async def analyst_figures(_: Analyst, edition_id: str, area: str, dimension: str | None = None, lang: Lang = "sv") -> dict:
        return figures(edition_id, area, dimension, lang, None)

    def date_range(start: date | None, end: date | None) -> None:
        if start and end and start > end:
            raise problem(422, "from", "range_backwards", f"'from' ({start}) is after 'to' ({end})")

    @r.get("/v1/figures/trends", tags=["figures"], summary="Key figures of each edition, to follow them between editions")
    async def trend_figures(
        from_: Annotated[date | None, Query(alias="from", description="Editions starting on or after this day.")] = None,
        to: Annotated[date | None, Query(description="Editions starting on or before this day.")] = None,
        lang: Lang = "sv",
    ) -> dict:
        date_range(from_, to)
        return labelled(trends(model, threshold, from_, to), lang, vocabularies())

    @r.get("/v1/analyst/figures/trends", tags=["analysts"], summary="The trends, unsuppressed (analysts)")
    async def analyst_trends(
        _: Analyst,
        from_: Annotated[date | None, Query(alias="from")] = None,
        to: Annotated[date | None, Query()] = None,
        lang: Lang = "sv",
    ) -> dict:
        date_range(from_, to)
        return labelled(trends(model, None, from_, to), lang, vocabularies())

    def one_table(edition_id: str, area: str, dimension: str) -> dict:
        edition(edition_id)
        checked(area, dimension)
        return table(model, area, dimension, edition_id, threshold)

    @r.get("/v1/editions/{edition_id}/export.csv", tags=["exports"], summary="One table as CSV for Swedish Excel (suppressed)",
           response_class=Response, responses={200: {"description": "CSV (semicolons, UTF-8 with BOM)", "content": {"text/csv": {"schema": {"type": "string"}}}}})
    async def export_csv(edition_id: str, area: str, dimension: str, lang: Lang = "sv") -> Response:
        body = to_csv(one_table(edition_id, area, dimension), lang, vocabularies())
        name = f"oppna-malmo-{edition_id}-{area}-{dimension}.csv"
        return Response(body, media_type="text/csv; charset=utf-8", headers={"content-disposition": f'attachment; filename="{name}"'})

    @r.get("/v1/editions/{edition_id}/jsonstat", tags=["exports"], summary="One table as a JSON-stat 2.0 dataset (suppressed)")
    async def export_jsonstat(edition_id: str, area: str, dimension: str, lang: Lang = "sv") -> Response:
        import json

        body = json.dumps(to_jsonstat(one_table(edition_id, area, dimension), lang, vocabularies()), ensure_ascii=False)
        return Response(body, media_type="application/json; charset=utf-8")

    @r.post("/v1/rebuild", tags=["analysts"], summary="Replay every topic from the beginning into a fresh database and compare")
    async def rebuild_now(_: Analyst, keep: bool = False) -> dict:
        """Equal figures prove the live read model; ``keep``: keep the rebuilt database to swap to."""
        rebuilt = await rebuild(settings, keep=keep)
        # Every figure, unsuppressed and as the public sees it (compared as models when equal).
        diff = compare(model, rebuilt.model, threshold)
        return {
            "equal": not diff,
            "differences": diff[:100],
            "events": rebuilt.events,
            "skipped": rebuilt.skipped,
            # > 0: events came in after the replay's end offsets; the live figures may be ahead.
            "arrived_during_replay": rebuilt.arrived,
            "database": rebuilt.database,
            "live": model.counts(),
            "rebuilt": rebuilt.model.counts(),
        }

    @r.post("/v1/editions/{edition_id}/snapshots", tags=["analysts"], summary="Publish the edition's statistics snapshot now")
    async def snapshot_now(_: Analyst, edition_id: str) -> dict:
        edition(edition_id)
        s = snapshots()
        event_id = await s.publish(edition_id, SnapshotReason.scheduled) if s else None
        return {"published": event_id is not None, "event_id": event_id}

    @r.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    @r.get("/dashboard", tags=["dashboard"], summary="The dashboard page (HTML, sv or en)", response_class=HTMLResponse)
    async def dashboard_page(edition_id: Annotated[str | None, Query(alias="edition")] = None, lang: Lang = "sv") -> HTMLResponse:
        if edition_id is not None:
            edition(edition_id)
        return HTMLResponse(dashboard.render(model, edition_id, lang, threshold, vocabularies()))

    return r
