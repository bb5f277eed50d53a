"""Messages kept in pages: one document holds the messages of one cause that change together. Pure.

The storage rule (docs/architecture.md, "Storage"): where one cause makes many small items that
change together — the messages of one page of a fan-out, a few hundred registrants — one document
holds them all, each message's state inside, with one outbox. A fan-out's page is created, marked
and recorded with one write each, not one per message. A message made on its own (a confirmation,
a reminder) is a page of one whose id is the message's id.

A page's state (``PageState``): ``{page_id, cause, items: {message id: MessageState}}``. Every
change of a page is a set of per-message decisions (domain/messages.py) applied to its items in
one decision here, whose outcome tells each message's new state.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TypedDict

from services.notifications.domain.message_ids import NAMESPACE
from services.notifications.domain.messages import MessageState
from shared.decisions import Decision, NoChange

ItemDecide = Callable[[dict | None, int], Decision | None]


class PageState(TypedDict, total=False):
    page_id: str
    cause: str | None  # a fan-out's page: the cause of its messages (found by it after a crash)
    items: dict[str, MessageState]


def fan_out_page_id(cause: str, message_ids: Iterable[str]) -> str:
    """A fan-out page's id: from its cause and its first message, so no two pages share one (a
    message is in one page only) and a page made again after a crash has its first id again."""
    return str(uuid.uuid5(NAMESPACE, f"{cause}\x1fpage\x1f{min(message_ids)}"))


def items_changed(decides: Mapping[str, ItemDecide], page_id: str, cause: str | None = None):
    """One page decision applying each message's decision to its item (None: the message is not in
    the page yet). Outcome: {message id: its new state} for the messages that changed; a message
    whose decision changes nothing is not in it; where nothing changed the outcome is None if
    there is no such page (the message may be kept elsewhere)."""

    def decide(current: dict | None, version: int) -> Decision | NoChange:
        items = dict((current or {}).get("items") or {})
        changed: dict[str, MessageState] = {}
        events = []
        for mid in sorted(decides):
            decision = decides[mid](items.get(mid), version)
            if decision is None:
                continue
            items[mid] = changed[mid] = decision.state
            events += decision.events
        if not changed:
            return NoChange({} if current is not None else None)
        page = PageState(page_id=page_id, cause=(current or {}).get("cause", cause), items=items)
        return Decision(dict(page), events, outcome=changed)

    return decide


def if_absent(state: MessageState, then: ItemDecide | None = None) -> ItemDecide:
    """A new message: ``state`` (or what ``then`` makes of it) where the page holds no message with
    its id; where it does (a redelivered cause) nothing changes, and nothing is sent twice."""

    def decide(current: dict | None, version: int) -> Decision | None:
        if current is not None:
            return None
        made = then(dict(state), version) if then is not None else None
        return made if made is not None else Decision(dict(state))

    return decide


def without_recipients(keys: set[str]):
    """An erasure: the page's messages to these recipient keys go (outcome: how many went)."""

    def decide(current: dict | None, _v: int) -> Decision | NoChange:
        items = (current or {}).get("items") or {}
        kept = {mid: s for mid, s in items.items() if s["recipient"]["key"] not in keys}
        if len(kept) == len(items):
            return NoChange(0)
        return Decision({**current, "items": kept}, outcome=len(items) - len(kept))

    return decide
