"""What reporting keeps of each aggregate, pure: the summaries made of the events' states.

Each summary keeps only what is counted (``domain/states.py``); the decisions that choose which
summary is stored are in ``domain/decisions.py``.
"""

from typing import Any

from services.reporting.domain.follow_up import grant_book, report_summary
from services.reporting.domain.states import DeliveryRecord, EditionSummary, InitiativeSummary, RegistrationSummary, SessionSummary

# The registry's review decisions that end a review (lead time = received_at → the first of them).
REVIEW_DECISIONS = frozenset({"approved", "rejected", "changes_requested"})


def initiative_summary(state: dict[str, Any]) -> InitiativeSummary:
    content = state.get("content") or {}
    organizer = content.get("organizer") or {}
    budget = content.get("budget") or {}
    period = content.get("period") or {}
    review = state.get("review") or {}
    decided = review.get("decided_at") if review.get("decision") in REVIEW_DECISIONS else None
    return {
        "initiative_id": state["initiative_id"],
        "version": state["version"],
        "source": state["source"],
        "status": state["status"],
        "stamped": bool(state.get("stamped")),
        "organizer_kind": organizer.get("kind"),
        "organizer_name": organizer.get("name"),
        "themes": sorted(set(content.get("themes") or [])),
        "target_groups": sorted(set(content.get("target_groups") or [])),
        "districts": sorted(set(content.get("districts") or [])),
        "languages": sorted(set(content.get("languages") or [])),
        "origin": content.get("origin"),
        "period_start": period.get("start"),
        "period_end": period.get("end"),
        "requested_sek": int(budget.get("requested_sek") or 0),
        "own_funding_sek": int(budget.get("own_funding_sek") or 0),
        "received_at": state.get("received_at"),
        "first_decided_at": decided,
    }


def session_summary(state: dict[str, Any]) -> SessionSummary:
    organizer = state.get("organizer") or {}
    venue = state.get("venue") or {}
    districts = state.get("districts") or ([venue["district"]] if venue.get("district") else [])
    return {
        "session_id": state["session_id"],
        "version": state["version"],
        "edition_id": state["edition_id"],
        "initiative_id": state["initiative_id"],
        "organizer_kind": organizer.get("kind"),
        "organizer_name": organizer.get("name"),
        "themes": sorted(set(state.get("themes") or [])),
        "districts": sorted(set(districts)),
        "languages": sorted(set(state.get("languages") or [])),
        "starts_at": state["starts_at"],
        "capacity": int(state.get("capacity") or 0),
        "registration_required": bool(state.get("registration_required")),
        "status": state["status"],
    }


def registration_summary(state: dict[str, Any]) -> RegistrationSummary:
    return {
        "registration_id": state["registration_id"],
        "version": state["version"],
        "session_id": state["session_id"],
        "edition_id": state["edition_id"],
        "status": state["status"],
        "party_size": int(state.get("party_size") or 1),
        "language": state.get("language"),
        "channel": state.get("channel"),
        "attended": bool(state.get("attended")),
    }


def edition_summary(state: dict[str, Any]) -> EditionSummary:
    return {
        "edition_id": state["edition_id"],
        "version": state["version"],
        "name": state.get("name") or {},
        "year": state["year"],
        "starts_on": state["starts_on"],
        "ends_on": state["ends_on"],
        "budget_sek": int(state.get("budget_sek") or 0),
        "status": state["status"],
    }


def delivery_key(message_id: str, outcome: str) -> str:
    return f"{message_id}|{outcome}"


def delivery_record(data: dict[str, Any]) -> DeliveryRecord:
    return {
        "key": delivery_key(data["message_id"], data["outcome"]),
        "channel": data["channel"],
        "language": data["language"],
        "category": data["category"],
        "outcome": data["outcome"],
        "edition_id": data.get("edition_id"),
    }


# The summary of each kind a state event (of an edition, session, registration, grant book or report) updates.
SUMMARY = {
    "grants": grant_book,
    "reports": report_summary,
    "sessions": session_summary,
    "registrations": registration_summary,
    "editions": edition_summary,
}
