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
