"""Messages kept in pages: one document holds the messages of one cause that change together. Pure.

The storage rule (docs/architecture.md, "Storage"): where one cause makes many small items that
change together — the messages of one page of a fan-out, a few hundred registrants — one document
holds them all, each message's state inside, with one outbox. A fan-out's page is created, marked
and recorded with one write each, not one per message. A message made on its own (a confirmation,
a reminder) is a page of one whose id is the message's id.

A page's state (``PageState``): ``{page_id, cause, common, items: {message id: fields}}``: what
every message of the page holds alike (its cause, category, times, status, …) is kept once in
``common``, each message keeps the rest — a page of 500 written with a tenth of the fields, which
is what FerretDB's writes cost by. ``items_of`` gives each message's whole state. Every change of
a page is a set of per-message decisions (domain/messages.py) applied to its messages in one
decision here, whose outcome tells each message's new state.
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
    common: dict  # the fields every message of the page holds alike (a page of more than one)
    items: dict[str, dict]  # message id → its other fields


def field_of(common: dict, fields: dict, name: str):
    """One field of a page's message (``common``: the page's, ``fields``: the message's own),
    without making the message whole."""
    shared = common.get(name)
    if isinstance(shared, dict):
        return {**shared, **fields[name]} if name in fields else shared
    return fields[name] if name in fields else shared


def _whole(mid: str, common: dict, fields: dict) -> MessageState:
    state = {"message_id": mid, **common, **fields}
    for k, shared in common.items():
        if isinstance(shared, dict):
            state[k] = {**shared, **fields[k]} if k in fields else dict(shared)
    return state


def items_of(page: dict | None) -> dict[str, MessageState]:
    """Each message of a page, whole."""
    common = (page or {}).get("common") or {}
    return {mid: _whole(mid, common, fields) for mid, fields in ((page or {}).get("items") or {}).items()}


def _shared(states: list[dict]) -> dict:
    """What every state holds alike: equal fields, and of the mappings every state has (its
    recipient, its context) the entries equal in all — a mapping's own entries stay with each."""
    first, rest = states[0], states[1:]
    common: dict = {}
    for k, v in first.items():
        if k == "message_id":
            continue  # each message's own: its key in the page
        if isinstance(v, dict) and all(isinstance(s.get(k), dict) for s in rest):
            common[k] = {sk: sv for sk, sv in v.items() if all(sk in s[k] and s[k][sk] == sv for s in rest)}
        elif all(k in s and s[k] == v for s in rest):
            common[k] = v
    return common


def _own(mid: str, state: dict, common: dict) -> dict:
    fields = {}
    for k, v in state.items():
        if k == "message_id" and v == mid:
            continue
        if k not in common:
            fields[k] = v
        elif isinstance(common[k], dict):
            if mine := {sk: sv for sk, sv in v.items() if sk not in common[k]}:
                fields[k] = mine
    return fields


def page_state(page_id: str, cause: str | None, messages: dict[str, MessageState]) -> PageState:
    """The page of ``messages``, what they hold alike kept once (``items_of`` gives each back
    whole): each message keeps only its own fields and its own entries of a shared mapping (a
    registrant's ``context.registration_id``, not the page's ``context.session_id``), and its id
    is its key. FerretDB's writes cost by the fields a document carries."""
    states = list(messages.values())
    common = _shared(states) if len(states) > 1 else {}
    items = {mid: _own(mid, s, common) for mid, s in messages.items()}
    return PageState(page_id=page_id, cause=cause, common=common, items=items)


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
        items = items_of(current)
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
        return Decision(dict(page_state(page_id, (current or {}).get("cause", cause), items)), events, outcome=changed)

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
        items = items_of(current)
        kept = {mid: s for mid, s in items.items() if s["recipient"]["key"] not in keys}
        if len(kept) == len(items):
            return NoChange(0)
        return Decision(dict(page_state(current["page_id"], current.get("cause"), kept)), outcome=len(items) - len(kept))

    return decide
