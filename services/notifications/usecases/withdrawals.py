"""Registrations cancelled while a fan-out is making or sending their session's messages.

A fan-out (one message per registrant of a session) reads a page of registrations, then creates
the page's messages and hands those due now over, re-reading nothing: a registrant who cancels
in between is in the page as confirmed. The cancellation's handler ends the registrant's messages
already waiting in the database (``Messages.withdraw``), but not one the page has yet to create
or is handing over. So each fan-out watches its session from before its first read until its last
page is done, and the handler, once the registration's copy says cancelled, tells every watch of
that session; the page leaves out, or ends, the messages of the registrations it was told.

Whatever the order: a cancellation told before a watch opened was written before the fan-out's
read, which sees it; one told later is in the watch. In this process's memory only: the timers and
the sender already assume one notifications process per database (docs/notifications.md).
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field


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

    @contextlib.contextmanager
    def watch(self, session_id: str) -> Iterator[Watch]:
        """A watch of the session's cancellations, open for the ``with`` block."""
        opened = Watch(session_id)
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
        watches = self._watches.get(session_id, [])
        for w in watches:
            w.cancelled.add(registration_id)
        return len(watches)
