"""CORS for a service's public read endpoints only (Starlette's ``CORSMiddleware``).

A page on another site (malmo.se, a district's site) may read the programme, its calendars and
the public figures from JavaScript when its origin is in ``CORS_ALLOWED_ORIGINS``. Only GET and
HEAD (and their preflight) on the paths a service names are answered with CORS headers, never
with credentials; staff routes, writes and pages stay same-origin, whatever the setting.
"""

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

READ_METHODS = ("GET", "HEAD")


class PublicReadsCors:
    """ASGI layer: requests to ``paths`` (a path, or anything under it after ``/`` or ``.``) go
    through ``CORSMiddleware``; every other request passes untouched."""

    def __init__(self, app, origins: Sequence[str], paths: Sequence[str]):
        self.app = app
        self.paths = tuple(paths)
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=list(READ_METHODS),
            allow_headers=["If-None-Match"],
            expose_headers=["ETag"],
            allow_credentials=False,
            max_age=600,
        )

    def _public_read(self, scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in (*READ_METHODS, "OPTIONS"):
            return False
        path = scope["path"]
        return any(path == p or path.startswith((p + "/", p + ".")) for p in self.paths)

    async def __call__(self, scope, receive, send) -> None:
        if self._public_read(scope):
            return await self.cors(scope, receive, send)
        return await self.app(scope, receive, send)


def allow_public_reads(app: FastAPI, origins: Sequence[str], *paths: str) -> None:
    """Call last in the composition root: the layer must be outside every other one (scheduling
    answers its feeds before routing, in its own layer), so it sees every answer."""
    if origins:
        app.add_middleware(PublicReadsCors, origins=origins, paths=paths)
