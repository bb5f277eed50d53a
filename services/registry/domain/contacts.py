"""Erasing an organiser's contact on request (GDPR art. 17), like a resident's.

The contact (a name, an email, a phone) is kept in the initiative's current content and in every
revision of its history. Erasure removes it from all of them in one change of the aggregate, and
tells ``registry.contacts.v1`` that it is erased: notifications drops its copy and every message
to the organiser, and compaction drops the older values under the initiative's key. The public
content and the review stay; a later revision from the publisher may give a contact again.
"""

from datetime import datetime

from services.registry.domain.events import PRIVATE_CONTENT, emit_contact_erased, without_contact
from shared.refusals import Refused
from services.registry.domain.states import InitiativeState
from shared.decisions import Decision, NoChange


def _holds_contact(state: InitiativeState) -> bool:
    contents = [state.get("content"), *(h.get("content") for h in state["history"])]
    return any(name in (c or {}) for c in contents for name in PRIVATE_CONTENT)


def decide_erasure(state: InitiativeState | None, version: int, now: datetime, emitter: str) -> Decision | NoChange:
    """The state without the contact in any revision, and the erasure told. Nothing written when
    it is erased already (a repeated request); with ``Refused`` (404) when there is no such initiative."""
    if state is None:
        return NoChange(Refused(404, "initiative_id", "not_found", "No such initiative"))
    if state.get("contact_erased_at") and not _holds_contact(state):
        return NoChange()
    new = {
        **state,
        "content": without_contact(state.get("content")),
        "history": [{**h, "content": without_contact(h.get("content"))} for h in state["history"]],
        "contact_erased_at": now.isoformat(),
    }
    return Decision(new, [emit_contact_erased(new, version + 1, emitter, now)])
