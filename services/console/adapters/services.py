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


def _bearer(key: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"} if key else {}


class ServiceClient:
    """Calls to one service with a caller's key (``Authorization: Bearer``); never logs the key."""

    def __init__(self, name: str, base_url: str, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None):
        self.name = name
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s, transport=transport, follow_redirects=False)

    async def call(self, method: str, path: str, key: str | None, *, params: Any = None, json: Any = None) -> Answer:
        try:
            r = await self._http.request(method, path, params=params, json=json, headers=_bearer(key))
        except httpx.HTTPError:
            raise ServiceAway(self.name) from None  # the key is in the request: the exception is not kept
        return self._answer(r)

    async def stream(self, path: str, key: str | None, *, params: Any = None) -> httpx.Response | Answer:
        """``GET path`` with its body not yet read: a 2xx response to pass on as it comes (the caller
        closes it), or what the service said as an ``Answer`` (``ServiceAway`` as ``call``)."""
        try:
            r = await self._http.send(self._http.build_request("GET", path, params=params, headers=_bearer(key)), stream=True)
            if 200 <= r.status_code < 300:
                return r
            try:
                await r.aread()  # a refusal: small, read whole
            finally:
                await r.aclose()
        except httpx.HTTPError:
            raise ServiceAway(self.name) from None
        return self._answer(r)

    def _answer(self, r: httpx.Response) -> Answer:
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
