"""The home page, the one stylesheet, and /healthz and /readyz.

Ready means the console serves pages: a service that does not answer is named in the answer
(``services``) but does not make the console unready — its other pages keep working."""

import asyncio
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import MaybeSession, SettingsDep
from services.console.api.pages import redirect, render

router = APIRouter()
CSS = (Path(__file__).resolve().parents[1] / "static" / "console.css").read_bytes()


@router.get("/", include_in_schema=False)
async def home(request: Request, session: MaybeSession) -> Response:
    if session is None or not session.signed_in:
        return redirect("/signin")
    return render(request, "home.html", session)


@router.get("/console.css", include_in_schema=False)
async def stylesheet() -> Response:
    return Response(CSS, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


@router.get("/healthz", summary="The process is alive", tags=["operations"])
async def healthz(settings: SettingsDep) -> dict:
    return {"status": "ok", "service": settings.service_name}


@router.get("/readyz", summary="The console serves pages; which services answer", tags=["operations"])
async def readyz(request: Request) -> dict:
    clients = request.app.state.clients
    alive = await asyncio.gather(*(c.alive() for c in clients.values()))
    return {"status": "ready", "services": dict(zip(clients, alive, strict=True))}
