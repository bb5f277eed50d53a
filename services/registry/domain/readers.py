"""Who reads an initiative, and what each reader sees (pure).

- The public (no key, or another source's key): stamped initiatives only (status ``approved``),
  and only their public fields: the current content without the organiser's contact, and none
  of the registry's workings — no revision history (it holds unreviewed revisions), no review
  (its comment is the curator's word to the organiser), no queue or lateness marks.
- A source (its own key): every initiative of its own, in every status, whole (contact,
  revisions, review steps); others' as the public sees them.
- Staff (curator, scheduler, analyst): every initiative, whole.

Unreviewed work stays hidden: an initiative the reader may not see answers 404, as if it did
not exist, and a list filtered by a status the reader may not see answers 403 (naming the
field) rather than an empty page, so a caller who forgot its key learns why.
"""

from dataclasses import dataclass

from services.registry.domain.events import INTERNAL_FIELDS, public_state
from services.registry.domain.states import InitiativeState
from shared.events.initiatives import InitiativeStatus

PUBLIC_STATUS = InitiativeStatus.approved
PUBLIC_FIELDS = ("initiative_id", "source", "external_id", "revision", "status", "stamped", "content", "received_at", "updated_at")


@dataclass(frozen=True)
class Reader:
    """Who reads (``api.deps.reader`` makes one of the caller's key): staff, a source, or the public."""

    staff: bool = False
    source: str | None = None  # a publisher's own source

    def owns(self, state: InitiativeState) -> bool:
        return self.staff or (self.source is not None and state.get("source") == self.source)

    def may_see(self, state: InitiativeState) -> bool:
        return self.owns(state) or state.get("status") == PUBLIC_STATUS.value

    def sees_every_status_of(self, source: str | None) -> bool:
        """Whether a list filtered by ``source`` may show every status (else: approved only)."""
        return self.staff or (self.source is not None and source == self.source)


def whole(state: InitiativeState, version: int) -> dict:
    """What staff and the initiative's own source see: the state with its contact, revisions and reviews."""
    return {**{k: v for k, v in state.items() if k not in INTERNAL_FIELDS}, "version": version,
            "history": state["history"], "reviews": state.get("reviews", [])}


def listed(state: InitiativeState, version: int) -> dict:
    """A list item for staff and the own source: the state as on registry.initiatives.v1, with the contact."""
    return {**public_state(state), "content": state.get("content"), "version": version}


def public(state: InitiativeState, version: int) -> dict:
    """What anyone may read of a stamped initiative."""
    shown = public_state(state)
    return {**{k: shown[k] for k in PUBLIC_FIELDS if k in shown}, "version": version}


def view(reader: Reader, state: InitiativeState, version: int, *, item: bool = False) -> dict | None:
    """The reader's view of one initiative; None when the reader may not see it."""
    if reader.owns(state):
        return listed(state, version) if item else whole(state, version)
    if state.get("status") == PUBLIC_STATUS.value:
        return public(state, version)
    return None
