"""Sessions: the schedulers' routes (create, move, publish, cancel, check in). Every write is checked for conflicts.

A publisher's key reads its own sessions, lists their registrations and checks people in at them
(``Organisers.ensure``: another's is a 404); everything else here is the schedulers'."""

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from services.scheduling.adapters.programme import without_internals
from shared.refusals import Refused
from services.scheduling.api.deps import OrganisersDep, PlanningDep, ProgrammeDep, RegistrationsDep, SettingsDep, Staff, StaffOrOrganiser
from shared.events.common import LanguageCode


def _not_past(v: datetime | None) -> datetime | None:
    if v is not None and v < datetime.now(UTC):
        raise PydanticCustomError("in_past", "The session would start in the past")
    return v


def _after_start(v: datetime | None, info: ValidationInfo) -> datetime | None:
    start = info.data.get("starts_at")
    if v is not None and start is not None and v <= start:
        raise PydanticCustomError("before_start", "The session ends before it starts")
    return v


class SessionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: AwareDatetime | None = Field(default=None, description="With a time zone, e.g. 2025-10-07T18:00:00+02:00.")
    ends_at: AwareDatetime | None = None
    duration_minutes: int | None = Field(default=None, ge=15, le=24 * 60, description="For automatic placement (and to derive ends_at).")
    venue_id: str | None = None
    online_url: HttpUrl | None = None
    languages: list[LanguageCode] | None = Field(default=None, max_length=20)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    registration_required: bool | None = None
    max_party_size: int | None = Field(default=None, ge=1, le=50)
    preferred_days: list[date] | None = Field(default=None, max_length=60, description="Days placement should prefer.")

    _past = field_validator("starts_at")(_not_past)
    _end = field_validator("ends_at")(_after_start)


class SessionIn(SessionFields):
    session_id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    edition_id: str
    initiative_id: str
    capacity: int = Field(ge=1, le=100_000)
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
    cmd = body.model_dump(exclude_unset=True)
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


@router.post("", status_code=201, summary="Add a session of a stamped initiative (409 lists the conflicts that block)")
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


@router.get("/{session_id}", summary="One session, in any state (schedulers; a publisher its own)")
async def get(session_id: str, who: StaffOrOrganiser, organisers: OrganisersDep, planning: PlanningDep, programme: ProgrammeDep) -> dict:
    await programme.session(session_id)  # a draft another replica wrote has no event: read it
    organisers.ensure(who, session_id)
    return without_internals(planning.session_view(session_id))


@router.patch("/{session_id}", summary="Move or change a session (a published one is rescheduled; 409 lists blocking conflicts)")
async def update(session_id: str, body: SessionPatch, _: Staff, planning: PlanningDep) -> dict:
    return _saved(await planning.update_session(session_id, _command(body), datetime.now(UTC)))


@router.post("/{session_id}/publish", summary="Publish one scheduled session")
async def publish(session_id: str, _: Staff, planning: PlanningDep) -> dict:
    return without_internals(await planning.publish_session(session_id, datetime.now(UTC)))


@router.post("/{session_id}/cancel", summary="Cancel a session (it stays in the programme and feeds as cancelled)")
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
)
async def check_in(session_id: str, body: CheckInIn, who: StaffOrOrganiser, organisers: OrganisersDep, registrations: RegistrationsDep,
                   settings: SettingsDep) -> dict:
    organisers.ensure(who, session_id)
    opens_before = timedelta(minutes=settings.check_in_opens_before_minutes)
    return await registrations.check_in(session_id, body.code, datetime.now(UTC), opens_before)


@router.get("/{session_id}/registrations", summary="A session's registrations in order, without contacts (schedulers; a publisher its own)")
async def registrations(session_id: str, who: StaffOrOrganiser, organisers: OrganisersDep, registrations: RegistrationsDep) -> list[dict]:
    organisers.ensure(who, session_id)
    return await registrations.list_for(session_id)
