"""One HTTP client per service; an answer is what the service said, its status and body as sent.

The console decides nothing about who may do what: a 401, 403, 404, 409 or 422 is handed to the
page as it came. Only a service that does not answer (no connection, a timeout, a 5xx) becomes
``ServiceAway``, which the pages show as a 503 naming that service.
"""

from dataclasses import dataclass
from typing import Any

import httpx


class ServiceAway(Exception):
    """The named service did not answer (or answered 5xx): the pages that need it say so."""

    def __init__(self, service: str):
        super().__init__(f"{service} does not answer")
        self.service = service


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the JSON body, or None
    service: str = ""  # who answered

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def reasons(self) -> list[dict]:
        """A refusal's reasons (field, code, message) as the services send them."""
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        if isinstance(detail, list):
            return [d for d in detail if isinstance(d, dict)]
        return [{"field": "", "code": str(self.status), "message": str(detail or "")}]


class ServiceClient:
    """Calls to one service with a caller's key (``Authorization: Bearer``); never logs the key."""

    def __init__(self, name: str, base_url: str, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None):
        self.name = name
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s, transport=transport, follow_redirects=False)

    async def call(self, method: str, path: str, key: str | None, *, params: Any = None, json: Any = None) -> Answer:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        try:
            r = await self._http.request(method, path, params=params, json=json, headers=headers)
        except httpx.HTTPError:
            raise ServiceAway(self.name) from None  # the key is in the request: the exception is not kept
        if r.status_code >= 500:
            raise ServiceAway(self.name)
        try:
            body = r.json()
        except ValueError:
            body = None
        return Answer(r.status_code, body, self.name)

    async def alive(self) -> bool:
        try:
            return (await self._http.get("/healthz", timeout=1.0)).status_code == 200
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        await self._http.aclose()
