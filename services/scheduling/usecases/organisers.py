"""Organisers at scheduling: a publisher's key acts on its own sessions only (``domain.organisers``).

The routes a publisher may call (a session, its registrations, the check-in, its list of
sessions) ask ``ensure`` first; the sessions and their counts come from the programme read
model in memory, so the check costs no database call.
"""

from services.scheduling.adapters.programme import Programme
from services.scheduling.domain.organisers import may_act_on, with_counts
from shared.auth import Principal
from shared.refusals import Refused


class Organisers:
    def __init__(self, programme: Programme):
        self.programme = programme

    def ensure(self, who: Principal, session_id: str) -> None:
        """Nothing for staff or the session's own publisher; 404 (as for no such session) for another publisher."""
        if not may_act_on(who.role, who.source, self.programme.sessions.get(session_id)):
            raise Refused(404, "session_id", "not_found", "No such session")

    def sessions_of(self, source: str) -> list[dict]:
        """Every session of the publisher's initiatives, in every state, by start (unscheduled last), with its counts."""
        own = [v for v in self.programme.sessions.values() if v.get("source") == source]
        return [with_counts(v) for v in sorted(own, key=lambda v: (v.get("starts_at") or "~", v["session_id"]))]
