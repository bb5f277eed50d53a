"""The registrations' own documents (``registrations``): a plain collection, not an aggregate.

One insert-only document per registration, as it was taken (``domain.states.RegistrationEntry``,
``_id`` = its registration id): the private link finds it, the door finds it by its code, the
schedulers list a session's. No personal data.

Its one writer is the seat desk (``usecases/seat_desk.py``), which inserts each once, right after
its session's write (an insert that finds the document is the same registration's, written
before a crash); the only change after that is the erasure's ``contact_erased`` mark
(``usecases/erasure.py``), under the registration's contact lock. Nothing else writes here, so
no read-modify-write needs the aggregate store's guard.
"""

from collections.abc import Iterable

from pymongo.asynchronous.collection import AsyncCollection

from services.scheduling.domain.states import RegistrationEntry
from shared.db.inserts import insert_missing


class RegistrationRecords:
    def __init__(self, collection: AsyncCollection):
        self._collection = collection

    async def write(self, entries: Iterable[RegistrationEntry]) -> None:
        """Insert each registration's document; one that exists is the same registration's."""
        await insert_missing(self._collection, [{"_id": e["registration_id"], **e} for e in entries])

    async def get(self, registration_id: str) -> RegistrationEntry | None:
        return await self._collection.find_one({"_id": registration_id})

    async def with_code(self, session_id: str, code: str) -> RegistrationEntry | None:
        return await self._collection.find_one({"session_id": session_id, "code": code})

    async def of_session(self, session_id: str) -> list[RegistrationEntry]:
        return [d async for d in self._collection.find({"session_id": session_id})]

    async def keys_of(self, session_id: str) -> dict[str, str]:
        """Every Idempotency-Key (its ref) a session's registrations were taken under → the registration."""
        found = self._collection.find({"session_id": session_id}, {"idempotency_ref": 1})
        return {d["idempotency_ref"]: d["_id"] async for d in found if d.get("idempotency_ref")}

    async def mark_contact_erased(self, registration_id: str) -> None:
        """Told on the registration's document: a repeat under its Idempotency-Key must not write
        the contact back (the erasure's, under the contact's lock)."""
        await self._collection.update_one({"_id": registration_id}, {"$set": {"contact_erased": True}})
