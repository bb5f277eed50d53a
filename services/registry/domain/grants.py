"""Grants, pure: what the city grants each initiative of an edition, never more than its budget.

One aggregate per edition (``_id`` = the edition id) holds every grant of it, so one writer
decides each change against all the others: the sum of the grants can never pass the edition's
budget, however many curators grant at once. A change is refused (``Refused``, the use case
raises it) when:

- the edition is unknown to the registry (404 ``edition_id``);
- the initiative is unknown (404 ``initiative_id``), belongs to another edition (409
  ``initiative_id``, ``other_edition``), or is not stamped (409 ``initiative_id``,
  ``not_approved``) — withdrawing (amount 0) needs only that it belongs to the edition;
- the new sum would pass the budget (409 ``amount_sek``, ``over_budget``, with ``remaining_sek``:
  what could still be granted to this initiative).

Granting the amount already granted changes nothing (a retried request). Each change emits the
whole grant book as ``GrantsChangedV1`` on ``registry.grants.v1`` (compacted, keyed by the edition).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from shared.decisions import Decision, NoChange, Pending
from shared.envelope import new_event
from shared.events.grants import GrantsChangedV1
from shared.refusals import Refused
from shared.topics import REGISTRY_GRANTS

ID_NAMESPACE = uuid.UUID("0b5e7d1c-3f52-4b8e-9a61-2d7c4e8f1a93")


class GrantEntry(TypedDict):
    amount_sek: int
    curator: str  # the curator's key id who set it last
    at: str


class GrantsState(TypedDict, total=False):
    """An edition's grant book: SEK by initiative id (an absent id: nothing granted)."""

    edition_id: str
    budget_sek: int  # the edition's budget when the book last changed
    grants: dict[str, GrantEntry]
    updated_at: str


@dataclass(frozen=True)
class GrantRequest:
    """A curator's change: ``amount_sek`` for ``initiative_id`` (0 withdraws the grant)."""

    initiative_id: str
    amount_sek: int
    curator: str


def granted(state: GrantsState | None) -> dict[str, int]:
    """SEK by initiative id, only those granted something."""
    return {iid: g["amount_sek"] for iid, g in sorted(((state or {}).get("grants") or {}).items()) if g["amount_sek"] > 0}


def check_initiative(initiative: dict[str, Any] | None, edition_id: str, request: GrantRequest) -> Refused | None:
    """Why this initiative cannot be granted ``request``'s amount in this edition (None: it can)."""
    if initiative is None:
        return Refused(404, "initiative_id", "not_found", f"No initiative {request.initiative_id}.")
    if initiative.get("edition_id") != edition_id:
        return Refused(409, "initiative_id", "other_edition",
                       f"The initiative belongs to edition {initiative.get('edition_id') or '(none)'}, not {edition_id}.")
    if request.amount_sek > 0 and not initiative.get("stamped"):
        return Refused(409, "initiative_id", "not_approved",
                       f"The initiative is {initiative.get('status')}: only an approved (stamped) initiative is granted money.")
    return None


def decide_grant(state: GrantsState | None, state_version: int, edition: dict[str, Any], request: GrantRequest,
                 now: datetime, emitter: str) -> Decision | NoChange:
    """The book with ``request`` applied, or a refusal (outcome) when the budget would be passed.

    ``edition``: the registry's copy of the edition (its ``budget_sek``)."""
    edition_id, budget = edition["edition_id"], int(edition.get("budget_sek") or 0)
    grants = dict((state or {}).get("grants") or {})
    current = grants.get(request.initiative_id, {}).get("amount_sek", 0)
    if current == request.amount_sek:
        return NoChange(granted(state))
    others = sum(g["amount_sek"] for iid, g in grants.items() if iid != request.initiative_id)
    if request.amount_sek > current and others + request.amount_sek > budget:  # lowering a grant is always allowed
        remaining = max(0, budget - others)
        return NoChange(Refused(409, "amount_sek", "over_budget",
                                f"SEK {request.amount_sek} would take the grants to SEK {others + request.amount_sek}, above the "
                                f"budget of SEK {budget}: at most SEK {remaining} can be granted to this initiative.",
                                remaining_sek=remaining, budget_sek=budget))
    if request.amount_sek:
        grants[request.initiative_id] = {"amount_sek": request.amount_sek, "curator": request.curator, "at": now.isoformat()}
    else:
        grants.pop(request.initiative_id, None)
    new: GrantsState = {"edition_id": edition_id, "budget_sek": budget, "grants": grants, "updated_at": now.isoformat()}
    version = state_version + 1
    book = granted(new)
    data = GrantsChangedV1(edition_id=edition_id, version=version, budget_sek=budget, granted=book, granted_sek=sum(book.values()))
    event = new_event(data, source=emitter, subject=edition_id, event_id=str(uuid.uuid5(ID_NAMESPACE, f"{edition_id}\n{version}")), time=now)
    return Decision(dict(new), [Pending.of(REGISTRY_GRANTS, event)], outcome=book)


def book_of(edition_id: str, budget_sek: int, state: GrantsState | None, version: int) -> dict[str, Any]:
    """What ``GET /v1/editions/{id}/grants`` answers."""
    book = granted(state)
    total = sum(book.values())
    return {"edition_id": edition_id, "version": version, "budget_sek": budget_sek, "granted": book,
            "granted_sek": total, "remaining_sek": max(0, budget_sek - total)}
