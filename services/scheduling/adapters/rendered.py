"""Each public representation of the programme rendered once per programme change, then served as bytes.

The JSON and iCalendar feeds are what the whole city polls; building them (sorting, dicts,
``icalendar``) per request capped the feed at ~100 req/s. ``Programme.version`` moves with every
change this process applies, so an entry is keyed by that version, the representation and its
query (filters, language): a request is a dict lookup. Entries of an older version are dropped
at the first lookup after a change; the number kept is bounded (one per distinct query).

Each entry carries a strong ETag (a hash of its bytes, so it stays right across restarts), and
``If-None-Match`` answers 304 without a body.

A served entry is also remembered under the request's raw path and query string, and
``FastPath`` (an ASGI layer) answers a later request with exactly those bytes before FastAPI's
routing and parameter validation run — they cost more than the rest of the request (profiled:
~0.5 ms a request, the feed stuck at ~1,900 req/s). A query string never served (a new one, an
invalid one) goes through FastAPI as usual, which validates it and fills the entry.
"""

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from fastapi import Request, Response

from shared.web import SECURITY_HEADERS

# Clients may reuse a copy this long without asking; after that, a 304 costs almost nothing.
CACHE_CONTROL = "public, max-age=15"


@dataclass(frozen=True)
class Entry:
    body: bytes
    etag: str
    media_type: str


class Rendered:
    def __init__(self, version: Callable[[], int], max_entries: int = 512):
        self._version = version
        self._at = -1
        self._entries: dict[Hashable, Entry] = {}
        self._raw: dict[tuple[str, bytes], tuple[Entry, dict[str, str]]] = {}  # (path, query) -> what was answered
        self.max_entries = max_entries
        self.renders = 0  # how many times something was actually built (tests read it)

    def _current(self) -> None:
        version = self._version()
        if version != self._at:
            self._entries.clear()
            self._raw.clear()
            self._at = version

    def served(self, path: str, query: bytes) -> tuple[Entry, dict[str, str]] | None:
        """What was answered to exactly this path and query string at the programme's version."""
        self._current()
        return self._raw.get((path, query))

    def get(self, key: Hashable, media_type: str, render: Callable[[], bytes]) -> Entry:
        self._current()
        entry = self._entries.get(key)
        if entry is None:
            body = render()
            self.renders += 1
            entry = Entry(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', media_type)
            if len(self._entries) >= self.max_entries:  # many distinct queries: forget the oldest
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = entry
        return entry

    def respond(self, request: Request, key: Hashable, media_type: str, render: Callable[[], bytes], headers: dict[str, str] | None = None) -> Response:
        entry = self.get(key, media_type, render)
        common = {"etag": entry.etag, "cache-control": CACHE_CONTROL, **(headers or {})}
        if len(self._raw) >= 2 * self.max_entries:  # many spellings of queries: forget the oldest
            self._raw.pop(next(iter(self._raw)))
        self._raw[(request.scope["path"], request.scope["query_string"])] = (entry, common)
        if not_modified(request.headers.get("if-none-match"), entry.etag):
            return Response(status_code=304, headers=common)
        return Response(entry.body, media_type=entry.media_type, headers=common)


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: a weak comparison against each listed tag, or ``*``."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


class FastPath:
    """ASGI layer: a GET whose exact path and query string were answered at the current version
    gets the same bytes (or 304) straight away, with the security headers every answer carries."""

    def __init__(self, app, rendered: Rendered, prefix: str):
        self.app = app
        self.rendered = rendered
        self.prefix = prefix

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        found = self.rendered.served(scope["path"], scope["query_string"])
        if found is None:
            return await self.app(scope, receive, send)
        entry, headers = found
        if_none_match = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
        status, body = (304, b"") if not_modified(if_none_match, entry.etag) else (200, entry.body)
        raw = [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]
        if status == 200:
            raw += [(b"content-type", entry.media_type.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": raw + list(SECURITY_HEADERS)})
        await send({"type": "http.response.body", "body": body})
