"""The survey's comments: curators read every comment, released or not, and release them; an
initiative's publisher reads the released comments of its own sessions. Reading is by session or by
initiative, and nothing personal is in what is read. A released comment goes on
``notifications.feedback.v1`` (text only)."""

from fastapi import APIRouter, Query

from services.notifications.api.deps import Curator, FeedbackDep
from shared.auth import RequiresRole, Role
from shared.http import problem
from shared.openapi import problems

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])
Reader = RequiresRole(Role.curator, Role.source)


@router.get("/comments", summary="The survey's comments of a session or an initiative / Enkätens kommentarer")
async def comments(feedback: FeedbackDep, caller: Reader, session_id: str | None = Query(default=None, max_length=200),
                   initiative_id: str | None = Query(default=None, max_length=200)) -> dict:
    if (session_id is None) == (initiative_id is None):
        raise problem(422, "session_id", "one_of_session_or_initiative", "Give either session_id or initiative_id")
    curator = Role.curator in caller.roles
    if not curator and await feedback.publisher_of(session_id=session_id, initiative_id=initiative_id) != caller.source:
        raise problem(403, "initiative_id" if initiative_id else "session_id", "not_yours", "Only the initiative's own publisher reads its comments")
    return {"comments": await feedback.comments(session_id=session_id, initiative_id=initiative_id, released_only=not curator)}


@router.post("/comments/{answer_id}/release", summary="Release a comment to the organiser and the follow-up / Släpp en kommentar",
             responses=problems(404))
async def release(answer_id: str, feedback: FeedbackDep, _: Curator) -> dict:
    state = await feedback.release(answer_id)
    if state is None:
        raise problem(404, "answer_id", "no_such_comment", "No answer with a comment has this id")
    return {"id": answer_id, "released": True, "comment_id": state["comment_id"]}
