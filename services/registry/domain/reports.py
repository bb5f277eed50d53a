"""Outcome reports: pure decisions on filing and reviewing an initiative's report (no I/O, no clock).

Who may file (``refusal_to_file``): the initiative's own publisher, for a stamped (approved)
initiative whose first session has begun. Refused, each naming ``initiative_id``: 404 no such
initiative, 403 another publisher's, 409 ``not_stamped``, 409 ``no_session_held_yet``.

Revisions (``decide_filing``): the highest revision counts; a lower or equal one changes nothing.
Every revision is kept whole. Statuses:

    filed / revised     (none), changes_requested, published → submitted;
                        submitted, in_review stay (the curator reads the newest)
    start review        submitted → in_review
    publish             submitted, in_review → published
    request changes     submitted, in_review → changes_requested (comment required)

A revision of a published report takes it off the public record until a curator publishes it again.
Repeating the step just taken changes nothing; the same step with partners to link (``partner_sources``:
partner index → registered source URI, "" to unlink) links them and is recorded as a step. A revision
keeps a partner's link when the partner (name and kind) is still named.

Every change emits ``ReportStateV1`` on registry.reports.v1 (``report_event``): figures always, the
text (``content``, ``title``, ``published_at``) only while published. Its id follows from the
initiative and the version, so a decision retried after a crash emits the very same event.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.registry.domain.states import InitiativeState, ReportState
from shared.decisions import Decision, NoChange, Pending
from shared.envelope import new_event
from shared.events.reports import ReportStateV1, ReportStatus
from shared.refusals import Refused
from shared.topics import REGISTRY_REPORTS

ID_NAMESPACE = uuid.UUID("3c0f6a8e-54d1-4f0b-8e7e-9b2d6c1a7f43")
WAITING = (ReportStatus.submitted.value, ReportStatus.in_review.value)


class ReportDecision(StrEnum):
    in_review = "in_review"
    published = "published"
    changes_requested = "changes_requested"


# The statuses each step may be taken from.
STEPS: dict[ReportDecision, tuple[str, ...]] = {
    ReportDecision.in_review: (ReportStatus.submitted.value,),
    ReportDecision.published: WAITING,
    ReportDecision.changes_requested: WAITING,
}


@dataclass(frozen=True)
class Filing:
    """A revision of a report as the publisher sent it, with what the registry knows of its initiative."""

    initiative: InitiativeState
    revision: int
    content: dict
    via: str  # "kafka" | "rest"
    event_id: str | None = None


@dataclass(frozen=True)
class ReportStep:
    decision: ReportDecision
    comment: str
    curator: str  # the curator's key id
    expected_version: int | None = None
    partner_sources: dict[str, str] = field(default_factory=dict)  # partner index → source URI ("" unlinks)


def event_id(initiative_id: str, version: int) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{initiative_id}\n{version}"))


def refusal_to_file(initiative: InitiativeState | None, source: str, first_start: datetime | None, now: datetime) -> Refused | None:
    """Why ``source`` may not file a report for this initiative now (None: it may)."""
    if initiative is None:
        return Refused(404, "initiative_id", "not_found", "No such initiative")
    if initiative["source"] != source:
        return Refused(403, "initiative_id", "not_your_initiative", f"The initiative is {initiative['source']}'s, not {source}'s")
    if not initiative.get("stamped"):
        return Refused(409, "initiative_id", "not_stamped", f"Only a stamped (approved) initiative is reported on; it is {initiative['status']}")
    if first_start is None or now < first_start:
        when = f"its first session starts {first_start.isoformat()}" if first_start else "it has no session yet"
        return Refused(409, "initiative_id", "no_session_held_yet", f"A report comes after the initiative's first session: {when}")
    return None


def figures(content: dict) -> dict:
    """What followers may count before publication: no free text."""
    return {"participants": content["participants"], "spent_sek": content["spent_sek"],
            "target_groups": content.get("target_groups", []), "districts": content.get("districts", []),
            "partner_kinds": [p["kind"] for p in content.get("partners", [])]}


def report_event(state: ReportState, version: int, emitter: str, now: datetime) -> Pending:
    published = state["status"] == ReportStatus.published.value
    data = ReportStateV1(
        initiative_id=state["initiative_id"], source=state["source"], edition_id=state.get("edition_id"), version=version,
        revision=state["revision"], status=state["status"], figures=figures(state["content"]),
        title=state.get("title") if published else None, content=state["content"] if published else None,
        published_at=state.get("published_at") if published else None,
    )
    event = new_event(data, source=emitter, subject=state["initiative_id"], event_id=event_id(state["initiative_id"], version), time=now)
    return Pending.of(REGISTRY_REPORTS, event)


def _links_kept(before: dict | None, content: dict) -> dict:
    """The new content with each partner's link kept where the partner (name and kind) is still named."""
    linked = {(p["name"], p["kind"]): p.get("source") for p in (before or {}).get("partners", []) if p.get("source")}
    partners = [{**p, "source": p.get("source") or linked.get((p["name"], p["kind"]))} for p in content.get("partners", [])]
    return {**content, "partners": [{k: v for k, v in p.items() if v is not None} for p in partners]}


def decide_filing(state: ReportState | None, version: int, filing: Filing, now: datetime, emitter: str) -> Decision | NoChange:
    """A publisher's revision of its report (``refusal_to_file`` said it may): the new state and its event."""
    if state is not None and filing.revision <= state["revision"]:
        return NoChange()  # a repeat, or older than what is kept
    content = _links_kept((state or {}).get("content"), filing.content)
    entry = {"revision": filing.revision, "content": filing.content, "via": filing.via, "event_id": filing.event_id,
             "received_at": now.isoformat()}
    initiative = filing.initiative
    status = state["status"] if state is not None and state["status"] in WAITING else ReportStatus.submitted.value
    requeued = state is None or state["status"] not in WAITING
    new: ReportState = {
        **(state or {"reviews": [], "review": None, "filed_at": now.isoformat()}),
        "initiative_id": initiative["initiative_id"], "source": initiative["source"], "external_id": initiative["external_id"],
        "edition_id": initiative.get("edition_id"), "title": (initiative.get("content") or {}).get("title", {}),
        "themes": (initiative.get("content") or {}).get("themes", []),
        "revision": filing.revision, "status": status, "content": content,
        "revisions": sorted([*(state or {}).get("revisions", []), entry], key=lambda r: r["revision"]),
        "queued_at": now.isoformat() if requeued else state.get("queued_at"),
        "updated_at": now.isoformat(), "published_at": None,
    }
    return Decision(new, [report_event(new, version + 1, emitter, now)])


def _linked(content: dict, partner_sources: dict[str, str]) -> dict | Refused:
    """The content with the curator's links, or why one cannot be made (an index no partner has)."""
    partners = [dict(p) for p in content.get("partners", [])]
    for index, source in partner_sources.items():
        if not index.isdigit() or int(index) >= len(partners):
            return Refused(422, f"partner_sources.{index}", "no_such_partner", f"The report names {len(partners)} partner(s), numbered from 0")
        if source:
            partners[int(index)]["source"] = source
        else:
            partners[int(index)].pop("source", None)
    return {**content, "partners": partners}


def _step_refusal(state: ReportState | None, version: int, step: ReportStep) -> Refused | None:
    if state is None:
        return Refused(404, "initiative_id", "not_found", "No report for this initiative")
    if step.expected_version is not None and step.expected_version != version:
        return Refused(409, "version", "stale_version", f"The report changed since version {step.expected_version}; it is at version {version}")
    if step.decision == ReportDecision.changes_requested and not step.comment.strip():
        return Refused(422, "comment", "missing", "A comment for the organiser is required to request changes")
    if state["status"] != step.decision.value and state["status"] not in STEPS[step.decision]:
        needs = " or ".join(STEPS[step.decision])
        return Refused(409, "status", "invalid_transition", f"Cannot set {step.decision.value} on a report that is {state['status']} (needs {needs})")
    return None


def decide_report_review(state: ReportState | None, version: int, step: ReportStep, now: datetime, emitter: str) -> Decision | NoChange:
    """A curator's step (and links) on the report at ``version``; a refusal is the outcome, nothing written."""
    if (refused := _step_refusal(state, version, step)) is not None:
        return NoChange(refused)
    content = _linked(state["content"], step.partner_sources)
    if isinstance(content, Refused):
        return NoChange(content)
    last = state.get("review") or {}
    repeated = state["status"] == step.decision.value and last.get("comment", "") == step.comment
    if repeated and content == state["content"]:
        return NoChange()  # the same step again (a retried request)
    review = {"decision": step.decision.value, "comment": step.comment, "decided_at": now.isoformat(), "curator": step.curator}
    published = step.decision == ReportDecision.published
    new: ReportState = {
        **state, "status": step.decision.value, "content": content, "review": review,
        "reviews": [*state.get("reviews", []), {**review, "revision": state["revision"]}],
        "queued_at": state.get("queued_at") if step.decision == ReportDecision.in_review else None,
        "published_at": (state.get("published_at") if state["status"] == step.decision.value else now.isoformat()) if published else None,
        "updated_at": now.isoformat(),
    }
    return Decision(new, [report_event(new, version + 1, emitter, now)])


PUBLIC_FIELDS = ("initiative_id", "source", "edition_id", "title", "themes", "revision", "status", "content", "published_at")


def view(state: ReportState, version: int, owns: bool) -> dict | None:
    """What a reader sees: staff and the initiative's own publisher the whole report (revisions and
    review steps); anyone else a published report's public fields only (None: not revealed)."""
    if owns:
        return {**state, "version": version}
    if state["status"] != ReportStatus.published.value:
        return None
    return {**{k: state.get(k) for k in PUBLIC_FIELDS}, "version": version}
