"""What every replica of scheduling keeps in memory, kept equal on every replica.

The programme (``adapters/programme.py``), the initiatives' texts beside it, the publishers' keys
and the knowledge bank are served from memory. A replica's own writes put what they wrote there at
once; everything else reaches it through subscriptions read by every replica in a group of its own
(``every_replica``, ``consumers.py``), which change memory only — the copies' writes and every
other effect stay in the shared subscriptions, once:

- ``scheduling.sessions.v1`` and ``scheduling.registrations.v1`` (scheduling's own events, which
  its outbox publishes after the write): the session or edition is read again from the database
  (what a replica keeps holds private fields the events leave out), unless this replica knows
  that version or a newer one already; the newest version wins (``Programme.put_*``).
- ``registry.initiatives.v1``, ``registry.sources.v1``, ``registry.reports.v1``: taken from the
  event itself (its copy may not be written yet by whichever replica holds the shared group).

Venues change without an event: a replica reads them again where it answers about them
(``Programme.fresh_venues``). A session placed nowhere (a draft without a time) has no event
either: a replica that does not know it reads it when asked for it (``Programme.session``).
"""

from services.scheduling.adapters.programme import Programme
from services.scheduling.domain.initiatives import about, copy_of
from shared.db.aggregates import AggregateStore
from shared.envelope import Envelope, EventData
from shared.events.initiatives import InitiativeState

EDITION_EVENTS = "se.malmo.oppna.edition."


class ProgrammeFollower:
    """The programme's every-replica handlers: scheduling's own events, the initiatives' texts."""

    def __init__(self, programme: Programme, editions: AggregateStore, sessions: AggregateStore):
        self.programme = programme
        self.editions = editions
        self.sessions = sessions

    async def state(self, event: Envelope, data: EventData) -> None:
        """An edition or session event: its document again, unless this version is known."""
        if event.type.startswith(EDITION_EVENTS):
            known = self.programme.editions.get(data.edition_id)
            if known is None or known["version"] < data.version:
                self.programme.put_edition(await self.editions.get(data.edition_id))
            return
        known = self.programme.sessions.get(data.session_id)
        if known is None or known["version"] < data.version:
            self.programme.put_session(await self.sessions.get(data.session_id))

    async def registration(self, event: Envelope, data: EventData) -> None:
        """A registration's event carries its own version, not its session's: the session again."""
        self.programme.put_session(await self.sessions.get(data.session_id))

    async def initiative(self, event: Envelope, data: InitiativeState) -> None:
        self.programme.put_about(data.initiative_id, about(copy_of(data)))
