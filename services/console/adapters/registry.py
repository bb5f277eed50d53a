"""The registry's REST API as the console's pages call it (docs/console.md lists which page calls what)."""

from typing import Any
from urllib.parse import quote

from services.console.adapters.services import Answer, ServiceClient


class Registry:
    def __init__(self, client: ServiceClient):
        self.client = client

    async def me(self, key: str) -> Answer:
        """``GET /v1/me``: whom the key belongs to (401 for a key the registry does not know)."""
        return await self.client.call("GET", "/v1/me", key)

    async def vocabularies(self) -> Answer:
        """``GET /v1/vocabularies`` (public): every vocabulary's codes with their labels."""
        return await self.client.call("GET", "/v1/vocabularies", None)

    async def work_list(self, key: str, params: list[tuple[str, str]]) -> Answer:
        return await self.client.call("GET", "/v1/review/queue", key, params=params)

    async def initiative(self, key: str, initiative_id: str) -> Answer:
        return await self.client.call("GET", f"/v1/initiatives/{quote(initiative_id, safe='')}", key)

    async def review(self, key: str, initiative_id: str, step: dict[str, Any]) -> Answer:
        return await self.client.call("POST", f"/v1/initiatives/{quote(initiative_id, safe='')}/review", key, json=step)

    async def initiatives_of(self, key: str, source: str, cursor: str | None = None) -> Answer:
        """A source's own initiatives, every status (``GET /v1/initiatives?source=``)."""
        params = {"source": source, "limit": 50, **({"cursor": cursor} if cursor else {})}
        return await self.client.call("GET", "/v1/initiatives", key, params=params)

    async def stamped_during(self, key: str, first_day: str, last_day: str) -> Answer:
        """Stamped initiatives whose period overlaps these days (``GET /v1/initiatives?status=approved``), one page of 200."""
        params = {"status": "approved", "period_from": first_day, "period_to": last_day, "limit": 200}
        return await self.client.call("GET", "/v1/initiatives", key, params=params)

    async def submit(self, key: str, event: dict[str, Any]) -> Answer:
        """``POST /v1/submissions``: a submission or withdrawal CloudEvent, as a publisher sends it."""
        return await self.client.call("POST", "/v1/submissions", key, json=event)

    # Outcome reports (api/reports.py): the organiser's filing, the curator's work list, page and steps.
    async def file_report(self, key: str, initiative_id: str, body: dict[str, Any]) -> Answer:
        """``POST /v1/initiatives/{id}/report``: a revision of the initiative's report, as its publisher sends it."""
        return await self.client.call("POST", f"/v1/initiatives/{quote(initiative_id, safe='')}/report", key, json=body)

    async def report(self, key: str, initiative_id: str) -> Answer:
        """``GET /v1/reports/{id}``: whole for staff and the own publisher (404: none yet, or not theirs to see)."""
        return await self.client.call("GET", f"/v1/reports/{quote(initiative_id, safe='')}", key)

    async def reports_waiting(self, key: str) -> Answer:
        return await self.client.call("GET", "/v1/reports/queue", key)

    async def review_report(self, key: str, initiative_id: str, step: dict[str, Any]) -> Answer:
        return await self.client.call("POST", f"/v1/reports/{quote(initiative_id, safe='')}/review", key, json=step)

    # The curator's sources, keys and vocabularies (api/sources.py). A source URI may hold '/' and ':'.
    async def sources(self, key: str) -> Answer:
        return await self.client.call("GET", "/v1/sources", key)

    async def source(self, key: str, source: str) -> Answer:
        return await self.client.call("GET", _source(source), key)

    async def register_source(self, key: str, body: dict[str, Any]) -> Answer:
        """``POST /v1/sources``: the answer holds the first API key, shown once and never kept."""
        return await self.client.call("POST", "/v1/sources", key, json=body)

    async def change_source(self, key: str, source: str, change: dict[str, Any]) -> Answer:
        return await self.client.call("PATCH", _source(source), key, json=change)

    async def new_key(self, key: str, source: str) -> Answer:
        """``POST /v1/sources/{source}/keys``: a new API key, shown once and never kept."""
        return await self.client.call("POST", f"{_source(source)}/keys", key)

    async def revoke_key(self, key: str, source: str, key_id: str) -> Answer:
        return await self.client.call("DELETE", f"{_source(source)}/keys/{quote(key_id, safe='')}", key)

    async def put_term(self, key: str, vocabulary: str, code: str, term: dict[str, Any]) -> Answer:
        return await self.client.call("PUT", _term(vocabulary, code), key, json=term)

    async def retire_term(self, key: str, vocabulary: str, code: str) -> Answer:
        return await self.client.call("DELETE", _term(vocabulary, code), key)

    # The curator's grants (api/grants.py): an edition's grant book, and one initiative's grant.
    async def grants(self, key: str, edition_id: str) -> Answer:
        return await self.client.call("GET", f"/v1/editions/{quote(edition_id, safe='')}/grants", key)

    async def grant(self, key: str, edition_id: str, initiative_id: str, amount_sek: int | str) -> Answer:
        """``PUT /v1/editions/{id}/grants/{initiative}``: 409 ``over_budget`` on ``amount_sek`` with ``remaining_sek``."""
        path = f"/v1/editions/{quote(edition_id, safe='')}/grants/{quote(initiative_id, safe='')}"
        return await self.client.call("PUT", path, key, json={"amount_sek": amount_sek})

    async def stamped_of_edition(self, key: str, edition_id: str) -> Answer:
        """The edition's approved initiatives (the work list, ``status=approved&edition=``), up to 500."""
        return await self.client.call("GET", "/v1/review/queue", key, params=[("status", "approved"), ("edition", edition_id), ("limit", "500")])


def _source(source: str) -> str:
    return f"/v1/sources/{quote(source, safe='')}"


def _term(vocabulary: str, code: str) -> str:
    return f"/v1/vocabularies/{quote(vocabulary, safe='')}/terms/{quote(code, safe='')}"
