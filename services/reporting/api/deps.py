"""What the routes take from the composition root (``main.create_app`` puts each on ``app.state``),
and the checks several routes share."""

from typing import Annotated, Literal

from fastapi import Depends, Header, Path, Query, Request

from services.reporting.domain.measures import UnknownArea, UnknownDimension
from services.reporting.domain.model import ReadModel
from services.reporting.domain.tables import AREAS, check_area
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.snapshots import Snapshots
from shared.auth import Authenticator, RequiresRole, Role
from shared.http import problem
from shared.vocabularies import VocabularyCopies
from shared.web import app_part

Lang = Annotated[Literal["sv", "en"], Query(description="Language of labels: sv or en.")]
# The pages' language: any platform language with a label file (else Accept-Language, else Swedish).
PageLang = Annotated[str | None, Query(max_length=12, description="The page's language: a platform language (else Accept-Language, else Swedish).")]
AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]
# An area and a dimension, as the document lists them (every dimension of every area: which ones an
# area has is answered 404 for the others, a table it does not have).
_AREAS = {"enum": list(AREAS)}
_DIMENSIONS = {"enum": sorted({d for spec in AREAS.values() for d in spec.dimensions})}
AreaInPath = Annotated[str, Path(description="An area of figures.", json_schema_extra=_AREAS)]
Area = Annotated[str, Query(description="An area of figures.", json_schema_extra=_AREAS)]
Dimension = Annotated[str, Query(description="A dimension of the area (its table).", json_schema_extra=_DIMENSIONS)]
OneDimension = Annotated[str | None, Query(description="One table only: a dimension of the area.", json_schema_extra=_DIMENSIONS)]


def threshold(request: Request) -> int:
    """The suppression threshold of every public figure."""
    return request.app.state.settings.suppression_threshold


ReadModelDep = app_part("read_model", ReadModel)
SettingsDep = app_part("settings", ReportingSettings)
ThresholdDep = Annotated[int, Depends(threshold)]
VocabulariesDep = app_part("vocabularies", VocabularyCopies)  # the registry's, as reporting follows them (labels)
SnapshotsDep = app_part("snapshots", Snapshots)
AuthenticatorDep = app_part("auth", Authenticator)
Analyst = RequiresRole(Role.analyst)  # 401 without a valid key, 403 with another role's


async def fresh_labels(v: VocabulariesDep) -> None:
    """Every route's: another process of reporting may have taken the newest vocabulary event,
    so the copy is read again now and then."""
    await v.fresh()


def known_edition(model: ReadModel, edition_id: str) -> str:
    """404 for an edition reporting has not seen."""
    if edition_id not in model.editions:
        raise problem(404, "edition_id", "unknown_edition", f"There is no edition '{edition_id}'")
    return edition_id


def known_area(area: str, dimension: str | None) -> None:
    """422 naming an unknown area or dimension; 404 for a dimension the area does not have."""
    try:
        check_area(area, dimension)
    except UnknownArea:
        raise problem(422, "area", "unknown_area", f"Unknown area '{area}'; known: {', '.join(AREAS)}") from None
    except UnknownDimension:
        known = ", ".join(AREAS[area].dimensions)
        status = 404 if dimension in _DIMENSIONS["enum"] else 422
        raise problem(status, "dimension", "unknown_dimension", f"Unknown dimension '{dimension}' for {area}; known: {known}") from None
