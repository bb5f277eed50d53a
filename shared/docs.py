"""``/docs`` without a CDN: Swagger UI from the ``fastapi-offline`` package, served by the service.

FastAPI's own ``/docs`` loads Swagger UI's script and style from a CDN and starts it with an
inline script; the services' policy (``script-src 'none'``) forbids all three. Here the page
loads exactly three files of the service's own, under ``/docs/static/``: Swagger UI's bundle and
style (``fastapi-offline`` ships them) and ``swagger-init.js`` (ours, beside this module). The
page and those files carry ``DOCS_POLICY`` instead of the services' policy; every other answer
keeps that one (``shared/web.py``).
"""

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse

from shared.http import problem

DOCS_PATH = "/docs"
STATIC_PATH = f"{DOCS_PATH}/static"
_SWAGGER = Path(fastapi_offline.__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": _SWAGGER / "swagger-ui-bundle.js",
    "swagger-ui.css": _SWAGGER / "swagger-ui.css",
    "favicon.png": _SWAGGER / "favicon.png",
    "swagger-init.js": Path(__file__).parent / "docs_assets" / "swagger-init.js",
}
# Scripts and styles from this service only; images also as data: URLs (Swagger UI's icons);
# requests (the OpenAPI document, "Try it out") to this service only.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {"content-security-policy": DOCS_POLICY}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} — API</title>
<link rel="icon" type="image/png" href="{static}/favicon.png">
<link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{static}/swagger-init.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """``GET /docs`` and its files; the app must be made with ``docs_url=None``."""

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = _PAGE.format(title=escape(app.title), static=escape(root + STATIC_PATH), openapi=escape(root + (app.openapi_url or "")))
        return HTMLResponse(page, headers=_HEADERS)

    @app.get(STATIC_PATH + "/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise problem(404, "name", "not_found", "No such file")
        return FileResponse(ASSETS[name], headers={**_HEADERS, "cache-control": "public, max-age=86400"})
