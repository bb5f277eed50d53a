"""The stamp: pure rules for curators' review steps and for publishers' revisions of reviewed work.

States: submitted → in_review → approved (stamped "Öppna Malmö") | changes_requested | rejected;
withdrawn at any time by the publisher (``initiatives``). Curators take exactly these steps:

    start review       submitted          → in_review
    approve            in_review          → approved   (stamped)
    request changes    in_review          → changes_requested   (comment required)
    reject             in_review          → rejected            (comment required)

Repeating the step that was just taken, with the same comment, changes nothing (a retried
request); any other step from the wrong state is refused with the current state named. A refusal
is the decision's outcome (``NoChange(Refused(...))``): the use case raises it.

Material change rule (what a new revision does to a reviewed initiative):
- approved: if the revision changes what was approved — the title (any language), the set of
  themes, the proposed period, the organizer (kind or name) or the amount asked of the Öppna
  Malmö budget (``budget.requested_sek``; an absent budget asks 0) — the stamp is lifted and
  the initiative goes back to ``submitted``; anything else (description, summary, contact,
  links, districts, the organiser's own funding, …) keeps the stamp: fixing a typo in the
  description is no reason to review again, asking the city for more money is.
- changes_requested: any revision is the publisher's answer; it goes back to ``submitted``.
- submitted and in_review stay as they are (the curator sees the newest content).
- rejected stays rejected: the revision is kept, but a rejection is final.
- withdrawn: a revision above the withdrawal submits it anew.

Changed since stamped: an initiative stamped at some point (an ``approved`` step in ``reviews``)
whose publisher sent a content revision, applied, above the revision that step stamped — whether
the revision kept the stamp or lifted it. The work list finds these by a lifted field
(``adapters/search.py``), so the curator sees what changed after the approval.
"""

from dataclasses import dataclass
from datetime import datetime

from services.registry.domain.events import emit
from shared.refusals import Refused
from services.registry.domain.states import InitiativeState
from shared.decisions import Decision, NoChange
from shared.events.initiatives import (
    InitiativeApprovedV1,
    InitiativeChangesRequestedV1,
    InitiativeRejectedV1,
    InitiativeReviewStartedV1,
    InitiativeStatus,
    ReviewDecision,
)
from shared.events.initiatives import InitiativeState as InitiativeEventData

MATERIAL_FIELDS = ("title", "themes", "period", "organizer", "budget")

# The status a curator's step needs, and the event it emits.
STEPS: dict[ReviewDecision, tuple[InitiativeStatus, type[InitiativeEventData]]] = {
    ReviewDecision.in_review: (InitiativeStatus.submitted, InitiativeReviewStartedV1),
    ReviewDecision.approved: (InitiativeStatus.in_review, InitiativeApprovedV1),
    ReviewDecision.changes_requested: (InitiativeStatus.in_review, InitiativeChangesRequestedV1),
    ReviewDecision.rejected: (InitiativeStatus.in_review, InitiativeRejectedV1),
}
NEEDS_COMMENT = {ReviewDecision.changes_requested, ReviewDecision.rejected}


@dataclass(frozen=True)
class ReviewStep:
    decision: ReviewDecision
    comment: str
    curator: str  # the curator's key id
    expected_version: int | None = None  # the version the curator looked at, if given


def material_changes(before: dict | None, after: dict | None) -> list[str]:
    """The approved fields a revision changes (empty: the stamp stays)."""
    before, after = before or {}, after or {}
    changed = []
    for name in MATERIAL_FIELDS:
        b, a = before.get(name), after.get(name)
        if name == "themes":  # the set of themes matters, not their order
            b, a = sorted(set(b or [])), sorted(set(a or []))
        if name == "budget":  # what the city is asked to pay; the organiser's own funding is theirs
            b, a = (b or {}).get("requested_sek", 0), (a or {}).get("requested_sek", 0)
        if b != a:
            changed.append(name)
    return changed


def stamped_revision(state: InitiativeState) -> int | None:
    """The revision the latest ``approved`` step stamped (None: never stamped)."""
    stamps = [r["revision"] for r in state.get("reviews") or [] if r.get("decision") == ReviewDecision.approved.value]
    return stamps[-1] if stamps else None


def changed_since_stamp(state: InitiativeState) -> bool:
    """Stamped at some point, and a content revision newer than the latest stamp was applied."""
    stamped = stamped_revision(state)
    return stamped is not None and any(
        h["kind"] == "revision" and h["applied"] and h["revision"] > stamped for h in state.get("history") or [])


def status_after_revision(status: str, before: dict | None, after: dict) -> str:
    """The status a newer revision of the publisher leads to (see the module's rule)."""
    if status == InitiativeStatus.approved:
        return status if not material_changes(before, after) else InitiativeStatus.submitted.value
    if status in (InitiativeStatus.changes_requested, InitiativeStatus.withdrawn):
        return InitiativeStatus.submitted.value
    return status


def _refusal(state: InitiativeState | None, version: int, step: ReviewStep) -> Refused | None:
    """Why the step cannot be taken on this state at all (None: it may be)."""
    if state is None:
        return Refused(404, "initiative_id", "not_found", "No such initiative")
    if step.expected_version is not None and step.expected_version != version:
        return Refused(409, "version", "stale_version", f"The initiative changed since version {step.expected_version}; it is at version {version}")
    if step.decision in NEEDS_COMMENT and not step.comment.strip():
        return Refused(422, "comment", "missing", f"A comment for the organiser is required to set {step.decision.value}")
    return None


def decide_review(state: InitiativeState | None, version: int, step: ReviewStep, now: datetime, emitter: str) -> Decision | NoChange:
    """A curator's step on the initiative at ``version``: the new state and its event; or nothing
    written, with the ``Refused`` as the outcome (None: the same step again, already taken)."""
    if (refused := _refusal(state, version, step)) is not None:
        return NoChange(refused)
    last = state.get("review") or {}
    if state["status"] == step.decision.value and last.get("decision") == step.decision.value and last.get("comment") == step.comment:
        return NoChange()  # the same step again (a retried request): already taken
    needed, event_type = STEPS[step.decision]
    if state["status"] != needed.value:
        return NoChange(Refused(
            409, "status", "invalid_transition", f"Cannot set {step.decision.value} on an initiative that is {state['status']} (needs {needed.value})"
        ))
    review = {"decision": step.decision.value, "comment": step.comment, "decided_at": now.isoformat(), "curator": step.curator}
    new = {
        **state,
        "status": step.decision.value,
        "stamped": step.decision == ReviewDecision.approved,
        "review": review,
        "reviews": [*state.get("reviews", []), {**review, "revision": state["revision"]}],
        "updated_at": now.isoformat(),
    }
    return Decision(new, [emit(new, version + 1, event_type, emitter, now, None)])
