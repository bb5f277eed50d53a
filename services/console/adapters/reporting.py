"""Reporting's REST API as the analyst's pages call it (docs/console.md lists which page calls
what). Every call carries the signed-in key; reporting decides who may read what (its analyst
routes answer 401/403 to other keys; its public routes are suppressed for everyone)."""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import httpx

from services.console.adapters.services import Answer, ServiceClient

# The areas reporting keeps figures of, each an export of its own (docs/reporting.md).
AREAS = ("initiatives", "participation", "reach", "money", "follow_up")

# An export's name in the console's URL: "trends.json", "<area>.json" (every table of the area,
# unsuppressed), "<area>-<dimension>.csv" or "<area>-<dimension>.jsonstat.json" (one table, suppressed).
EXPORT_NAME = re.compile(r"(?P<area>[a-z_]+)(?:-(?P<dimension>[a-z_]+))?\.(?P<format>csv|jsonstat\.json|json)")


@dataclass(frozen=True)
class Export:
    """Where an export is at reporting: its path and query."""

    path: str
    params: dict[str, str]


def _id(value: str) -> str:
    return quote(value, safe="")


def export_of(name: str, edition_id: str, lang: str) -> Export | None:
    """The reporting call an export name stands for (None: no such name)."""
    found = EXPORT_NAME.fullmatch(name)
    if found is None:
        return None
    area, dimension, form = found["area"], found["dimension"], found["format"]
    if name == "trends.json":
        return Export("/v1/analyst/figures/trends", {"lang": lang})
    if form == "json":
        return None if dimension else Export(f"/v1/analyst/editions/{_id(edition_id)}/figures/{_id(area)}", {"lang": lang})
    if dimension is None:
        return None
    path = "export.csv" if form == "csv" else "jsonstat"
    return Export(f"/v1/editions/{_id(edition_id)}/{path}", {"area": area, "dimension": dimension, "lang": lang})


class Reporting:
    def __init__(self, client: ServiceClient, base_url: str):
        self.client = client
        self.base_url = base_url.rstrip("/")

    def dashboard_url(self, edition_id: str | None, lang: str) -> str:
        """The public dashboard on reporting's own origin (HTML, suppressed, no key needed)."""
        return f"{self.base_url}/dashboard?{urlencode({**({'edition': edition_id} if edition_id else {}), 'lang': lang})}"

    async def editions(self, key: str) -> Answer:
        """``GET /v1/editions``: the editions reporting knows, by year."""
        return await self.client.call("GET", "/v1/editions", key)

    async def trends(self, key: str, lang: str) -> Answer:
        """``GET /v1/analyst/figures/trends``: each edition's key figures, unsuppressed (analysts)."""
        return await self.client.call("GET", "/v1/analyst/figures/trends", key, params={"lang": lang})

    async def area(self, key: str, edition_id: str, area: str, lang: str) -> Answer:
        """``GET /v1/analyst/editions/{id}/figures/{area}``: every table of the area, unsuppressed (analysts)."""
        return await self.client.call("GET", f"/v1/analyst/editions/{_id(edition_id)}/figures/{_id(area)}", key, params={"lang": lang})

    async def export(self, key: str, export: Export) -> httpx.Response | Answer:
        """The export as reporting sends it, its body not yet read (the caller closes it); or its refusal."""
        return await self.client.stream(export.path, key, params=export.params)
