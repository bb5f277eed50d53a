"""Following the registry's initiatives: keep the copy, show its texts, cancel a closed one's sessions.

When the newest copy says an initiative is withdrawn or rejected, its sessions are cancelled,
every time the copy is looked at again, so a redelivered event finishes what a crash
interrupted (cancelling is idempotent).
"""

from services.scheduling.adapters.initiatives import InitiativeCopies
from services.scheduling.adapters.programme import Programme
from services.scheduling.domain.initiatives import CLOSED, about
from services.scheduling.usecases.planning import Planning
from shared.envelope import Envelope
from shared.events.initiatives import InitiativeState


class FollowInitiatives:
    def __init__(self, copies: InitiativeCopies, planning: Planning, programme: Programme):
        self.copies = copies
        self.planning = planning
        self.programme = programme

    async def load(self) -> None:
        """At start-up: what residents read beside each session, from every copy."""
        for initiative_id, texts in (await self.copies.about_all()).items():
            self.programme.put_about(initiative_id, texts)

    async def apply(self, event: Envelope, data: InitiativeState) -> None:
        stored = await self.copies.keep(data)
        if stored is not None:
            self.programme.put_about(stored["initiative_id"], about(stored))
        # Not stored: a repeat or an older version; what is stored decides (a redelivery after a
        # crash before the sessions were cancelled must still cancel them).
        current = stored if stored is not None else await self.copies.get(data.initiative_id)
        if current is not None and current["status"] in CLOSED:
            await self.planning.initiative_closed(current)
