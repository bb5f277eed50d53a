"""The template preview: any template in any language with sample data (staff)."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse

from services.notifications import render as r
from services.notifications.api.deps import Curator, SettingsDep
from shared.events.notifications import Category
from shared.http import problem
from shared.openapi import problems

router = APIRouter(prefix="/v1")


@router.get("/preview/{category}/{language}", tags=["templates"], summary="Render any template in any language with sample data (staff)",
            responses=problems(**{"404": "No templates in this language"}))
async def preview(category: Category, language: str, _: Curator, s: SettingsDep, part: Literal["html", "text", "sms", "json"] = "html"):
    dirs = tuple(s.template_dirs)
    if language not in r.languages(dirs):
        raise problem(404, "language", "unknown_language", f"Templates exist for: {', '.join(r.languages(dirs))}")
    out = r.render(category.value, language, r.sample_context(category.value, language, dirs), dirs)
    if part == "html":
        return HTMLResponse(out.html)
    if part == "text":
        return PlainTextResponse(out.text)
    if part == "sms":
        return PlainTextResponse(out.sms, headers={"X-Sms-Encoding": out.sms_length.encoding, "X-Sms-Segments": str(out.sms_length.segments)})
    return {"language": out.language, "subject": out.subject, "text": out.text, "html": out.html, "sms": out.sms,
            "sms_encoding": out.sms_length.encoding, "sms_segments": out.sms_length.segments}
