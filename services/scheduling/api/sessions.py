"""Sessions: the schedulers' routes (create, move, publish, cancel, check in). Every write is checked for conflicts.

A publisher's key reads its own sessions, lists their registrations and checks people in at them
(``Organisers.ensure``: another's is a 404); everything else here is the schedulers'."""

from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from services.scheduling.adapters.programme import without_internals
from shared.refusals import Refused
from services.scheduling.api.deps import OrganisersDep, PlanningDep, ProgrammeDep, RegistrationsDep, SettingsDep, Staff, StaffOrOrganiser
from services.scheduling.api.fields import Moment
from shared.fields import whole
from shared.fields import Day, Flag
from shared.events.common import LanguageCode
from shared.openapi import problems


def _after_start(v: datetime | None, info: ValidationInfo) -> datetime | None:
    start = info.data.get("starts_at")
    if v is not None and start is not None and v <= start:
        raise PydanticCustomError("before_start", "The session ends before it starts")
    return v


class SessionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: Moment | None = Field(default=None, description="With a time zone, e.g. 2025-10-07T18:00:00+02:00.")
    ends_at: Moment | None = None
    duration_minutes: whole(15, 24 * 60) | None = Field(default=None, description="For automatic placement (and to derive ends_at).")
    venue_id: str | None = None
    online_url: HttpUrl | None = None
    languages: list[LanguageCode] | None = Field(default=None, max_length=20)
    capacity: whole(1, 100_000) | None = None
    registration_required: Flag | None = None
    max_party_size: whole(1, 50) | None = None
    preferred_days: list[Day] | None = Field(default=None, max_length=60, description="Days placement should prefer.")

    _end = field_validator("ends_at")(_after_start)


# A new session has a length for placement, or a start and an end (``_command``: 422 otherwise).
TIMED = {"anyOf": [{"required": ["duration_minutes"], "properties": {"duration_minutes": {"type": "integer"}}},
                   {"required": ["starts_at", "ends_at"], "properties": {"starts_at": {"type": "string"}, "ends_at": {"type": "string"}}}]}


class SessionIn(SessionFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra=TIMED)
    session_id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    edition_id: str
    initiative_id: str
    capacity: whole(1, 100_000)
    status: Literal["draft", "scheduled"] = "scheduled"


class SessionPatch(SessionFields):
    status: Literal["draft", "scheduled"] | None = None


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=500)


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=4, max_length=12, description="The registration code from the confirmation.")


def _command(body: SessionFields) -> dict:
    """The change a body asks for; a start in the past is in conflict with the clock (409: no
    schema can say it), an end not after the start is the body's own mistake (422)."""
    cmd = body.model_dump(exclude_unset=True)
    if cmd.get("starts_at") is not None and cmd["starts_at"] < datetime.now(UTC):
        raise Refused(409, "starts_at", "in_past", "The session would start in the past")
    if cmd.get("online_url") is not None:
        cmd["online_url"] = str(cmd["online_url"])
    if "starts_at" in cmd and cmd["starts_at"] is not None and cmd.get("ends_at") is None:
        if cmd.get("duration_minutes"):
            cmd["ends_at"] = cmd["starts_at"] + timedelta(minutes=cmd["duration_minutes"])
        elif isinstance(body, SessionIn):
            raise Refused(422, "ends_at", "missing", "Give ends_at or duration_minutes with starts_at")
    return {k: v for k, v in cmd.items() if v is not None or k in ("venue_id", "online_url")}


def _saved(saved) -> dict:
    return {"session": without_internals(saved.session), "conflicts": [c.as_dict() for c in saved.conflicts]}


router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


@router.post("", status_code=201, summary="Add a session of a stamped initiative (409 lists the conflicts that block)",
             responses=problems(**{"409": "The session exists, its edition is closed, or conflicts block it (`conflicts` lists them)"}))
async def create(body: SessionIn, _: Staff, planning: PlanningDep) -> dict:
    cmd = _command(body)
    if cmd.get("starts_at") is None and not cmd.get("duration_minutes"):
        raise Refused(422, "duration_minutes", "missing", "An unscheduled session needs duration_minutes (for placement)")
    return _saved(await planning.create_session(cmd, datetime.now(UTC)))


@router.get("", summary="Every session of an edition, in every state (schedulers)")
async def list_all(edition_id: str, _: Staff, programme: ProgrammeDep) -> list[dict]:
    await programme.fresh_sessions()  # drafts another replica wrote have no event
    views = programme.of_edition(edition_id)
    return [without_internals(v) for v in sorted(views, key=lambda v: (v.get("starts_at") or "~", v["session_id"]))]


@router.get("/{session_id}", summary="One session, in any state (schedulers; a publisher its own)", responses=problems(404))
async def get(session_id: str, who: StaffOrOrganiser, organisers: OrganisersDep, planning: PlanningDep, programme: ProgrammeDep) -> dict:
    await programme.session(session_id)  # a draft another replica wrote has no event: read it
    organisers.ensure(who, session_id)
    return without_internals(planning.session_view(session_id))


@router.patch("/{session_id}", summary="Move or change a session (a published one is rescheduled; 409 lists blocking conflicts)",
              responses=problems(404, **{"409": "The session is cancelled, or conflicts block the change (`conflicts` lists them)"}))
async def update(session_id: str, body: SessionPatch, _: Staff, planning: PlanningDep) -> dict:
    return _saved(await planning.update_session(session_id, _command(body), datetime.now(UTC)))


@router.post("/{session_id}/publish", summary="Publish one scheduled session",
             responses=problems(404, **{"409": "The session is not scheduled (no time and place) or is cancelled"}))
async def publish(session_id: str, _: Staff, planning: PlanningDep) -> dict:
    return without_internals(await planning.publish_session(session_id, datetime.now(UTC)))


@router.post("/{session_id}/cancel", summary="Cancel a session (it stays in the programme and feeds as cancelled)",
             responses=problems(404, **{"409": "The session is cancelled already"}))
async def cancel(session_id: str, body: CancelIn, _: Staff, planning: PlanningDep) -> dict:
    return without_internals(await planning.cancel_session(session_id, body.reason, datetime.now(UTC)))


@router.post(
    "/{session_id}/check-in",
    summary="Record attendance at the door, by the registration code",
    description=(
        "Open from CHECK_IN_OPENS_BEFORE_MINUTES (default 120) before the start to 24:00 (Europe/Stockholm) on the day "
        "the session ends; outside it 409 naming `starts_at` (`check_in_not_open`) or `ends_at` (`check_in_closed`), "
        "with `opens_at` and `closes_at`. Schedulers and curators at every session; a publisher at its own (another's: 404)."
    ),
    responses=problems(404, **{"409": "Check-in is not open, or the registration is not confirmed"}),
)
async def check_in(session_id: str, body: CheckInIn, who: StaffOrOrganiser, organisers: OrganisersDep, registrations: RegistrationsDep,
                   settings: SettingsDep) -> dict:
    organisers.ensure(who, session_id)
    opens_before = timedelta(minutes=settings.check_in_opens_before_minutes)
    return await registrations.check_in(session_id, body.code, datetime.now(UTC), opens_before)


@router.get("/{session_id}/registrations", summary="A session's registrations in order, without contacts (schedulers; a publisher its own)",
            responses=problems(404))
async def registrations(session_id: str, who: StaffOrOrganiser, organisers: OrganisersDep, registrations: RegistrationsDep) -> list[dict]:
    organisers.ensure(who, session_id)
    return await registrations.list_for(session_id)
