"""Registrations cancelled while a fan-out is making or sending their session's messages.

A fan-out (one message per registrant of a session) reads a page of registrations, then creates
the page's messages and hands those due now over, re-reading nothing: a registrant who cancels
in between is in the page as confirmed. The cancellation's handler ends the registrant's messages
already waiting in the database (``Messages.withdraw``), but not one the page has yet to create
or is handing over. So each fan-out watches its session from before its first read until its last
page is done, and the handler, once the registration's copy says cancelled, tells every watch of
that session; the page leaves out, or ends, the messages of the registrations it was told.

Whatever the order: a cancellation told before a watch opened was written before the fan-out's
read, which sees it; one told later is in the watch. Held in each replica's memory, and told on
every replica (a subscription read by every replica, ``consumers.py``), since the fan-out may run
on another replica than the one whose consumer writes the copy. There the copy may be written after
this replica's watch opened and read it, so each replica keeps the cancellations told for
``KEEP_S`` and a watch opens knowing those of its session.
"""

import time

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

KEEP_S = 600.0  # far longer than a copy's write lags behind its event, even across a replica's restart


@dataclass
class Watch:
    """The registrations of one session cancelled since the watch opened."""

    session_id: str
    cancelled: set[str] = field(default_factory=set)

    def withdrawn(self, recipient_kind: str, recipient_key: str) -> bool:
        """Whether a message to this recipient is no longer wanted (its registration was cancelled)."""
        return recipient_kind == "registration" and recipient_key in self.cancelled


class Withdrawals:
    def __init__(self):
        self._watches: dict[str, list[Watch]] = {}
        self._told: dict[str, dict[str, float]] = {}  # session → registration → when told (monotonic)

    @contextlib.contextmanager
    def watch(self, session_id: str) -> Iterator[Watch]:
        """A watch of the session's cancellations, open for the ``with`` block (knowing those told
        in the last ``KEEP_S``)."""
        opened = Watch(session_id, set(self._told.get(session_id, ())))
        self._watches.setdefault(session_id, []).append(opened)
        try:
            yield opened
        finally:
            watches = self._watches[session_id]
            watches.remove(opened)
            if not watches:
                del self._watches[session_id]

    def tell(self, session_id: str, registration_id: str) -> int:
        """A registration of the session was cancelled (its copy written): every open watch learns
        it. Returns how many watches were open."""
        now = time.monotonic()
        self._told.setdefault(session_id, {})[registration_id] = now
        for sid in [sid for sid, told in self._told.items() if max(told.values()) < now - KEEP_S]:
            del self._told[sid]
        watches = self._watches.get(session_id, [])
        for w in watches:
            w.cancelled.add(registration_id)
        return len(watches)
