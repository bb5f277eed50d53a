"""The read model, pure: what reporting keeps of each aggregate, and the set of all of them.

Every summary is plain JSON (strings, numbers, lists), the same in MongoDB and in memory, and
never holds text, contacts or anything personal: only what is counted.
"""

from dataclasses import dataclass, field
from typing import Any

# The registry's review decisions that end a review (lead time = received_at → the first of them).
REVIEW_DECISIONS = frozenset({"approved", "rejected", "changes_requested"})

KINDS = ("initiatives", "sessions", "registrations", "editions", "deliveries")


def initiative_summary(state: dict[str, Any]) -> dict[str, Any]:
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


def merge_initiative(current: dict[str, Any] | None, incoming: dict[str, Any]) -> dict[str, Any] | None:
    """The newest version wins, except the first review decision, which is the earliest ever seen.

    Commutative and idempotent: any order of any deliveries ends in the same summary. None: no change.
    """
    if current is None:
        return incoming
    first = _earliest(current.get("first_decided_at"), incoming.get("first_decided_at"))
    if incoming["version"] > current["version"]:
        return {**incoming, "first_decided_at": first}
    if first != current.get("first_decided_at"):
        return {**current, "first_decided_at": first}
    return None


def _earliest(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    from datetime import datetime

    return a if datetime.fromisoformat(a) <= datetime.fromisoformat(b) else b


def session_summary(state: dict[str, Any]) -> dict[str, Any]:
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


def registration_summary(state: dict[str, Any]) -> dict[str, Any]:
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


def edition_summary(state: dict[str, Any]) -> dict[str, Any]:
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


def delivery_record(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": delivery_key(data["message_id"], data["outcome"]),
        "channel": data["channel"],
        "language": data["language"],
        "category": data["category"],
        "outcome": data["outcome"],
        "edition_id": data.get("edition_id"),
    }


ID_FIELD = {
    "initiatives": "initiative_id",
    "sessions": "session_id",
    "registrations": "registration_id",
    "editions": "edition_id",
    "deliveries": "key",
}


@dataclass
class ReadModel:
    """Every aggregate's latest summary, by kind and id: held in memory, refreshed by events."""

    initiatives: dict[str, dict] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)
    registrations: dict[str, dict] = field(default_factory=dict)
    editions: dict[str, dict] = field(default_factory=dict)
    deliveries: dict[str, dict] = field(default_factory=dict)
    # Counts the changes, so what is derived from the model (the public masks) is made once per state.
    revision: int = field(default=0, compare=False)
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    def put(self, kind: str, summary: dict) -> None:
        getattr(self, kind)[summary[ID_FIELD[kind]]] = summary
        self.revision += 1

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in KINDS}
