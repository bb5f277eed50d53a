"""An organiser's own sessions: a publisher signed in with its source's key lists the sessions of
its initiatives with their counts (``usecases.organisers``); reading one, its registrations and
the check-in are the sessions routes (``api.sessions``), which let a publisher act on its own."""

from fastapi import APIRouter

from services.scheduling.api.deps import Organiser, OrganisersDep

router = APIRouter(prefix="/v1/my", tags=["organisers"])


@router.get(
    "/sessions",
    summary="A publisher's own sessions with their counts: capacity, seats confirmed, waiting, checked in",
    description=(
        "Every session of the calling publisher's initiatives (its key's source), in every state, by start (unscheduled last): "
        "`capacity`, `seats_confirmed` (party sizes summed), `waitlisted` and `checked_in` (registrations). Publishers' keys only "
        "(a staff key: 403). / En utgivares egna programpunkter med antal anmälda, i kö och incheckade."
    ),
)
async def my_sessions(who: Organiser, organisers: OrganisersDep) -> list[dict]:
    return organisers.sessions_of(who.source)
