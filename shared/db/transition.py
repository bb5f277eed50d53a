"""TEMPORARY: the store's former methods on top of the new port, while services move to it.
Deleted (with ``AggregateStore``'s base class) once nothing calls them."""

from typing import Any

from shared.decisions import Decision


class TransitionalMethods:
    @property
    def collection(self):
        return self._collection

    @property
    def locks(self):
        return self._locks

    @property
    def unannounced(self) -> set:
        return set()

    def lift_fields(self, lift) -> None:
        self._lift = lift

    def notify_outbox(self, callback) -> None:
        self.outbox.watch(callback)

    async def with_pending_outbox(self, limit: int = 100):
        return await self.outbox.pending(limit)

    async def mark_published(self, aggregate_id, event_ids, whole_outbox_of=None):
        return await self.outbox.published(aggregate_id, event_ids, whole_outbox_of if whole_outbox_of is not None else -1)

    def document(self, aggregate_id, version, state_version, state, outbox):
        from shared.db.aggregates import stored_document
        return stored_document(aggregate_id, state, outbox, self._lift, version=version, state_version=state_version)

    async def get_own(self, aggregate_id):
        doc = self._known.recall(aggregate_id)
        if doc is not None:
            return doc
        read = await self._collection.find_one({"_id": aggregate_id})
        doc = self._known.newest(aggregate_id, read)
        if doc is read and doc is not None:
            self._known.remember(doc)
        return doc

    async def delete_held(self, aggregate_id):
        self._known.forget(aggregate_id)
        return (await self._collection.delete_one({"_id": aggregate_id})).deleted_count == 1

    async def change_many(self, decides, attempts: int = 5):
        return {i: c.document for i, c in (await self.change(decides)).items()}

    async def change_known(self, known, decides, attempts: int = 5):
        for doc in known.values():
            if self._known.recall(doc["_id"]) is None:
                self._known.remember(doc)
        return await self.change_many(decides)

    async def insert_new(self, created: dict[str, Decision], announce: bool = True) -> dict[str, dict[str, Any]]:
        changed = await self.change({i: (lambda s, v, d=d: d if s is None else None) for i, d in created.items()}, new=True)
        return {i: c.document for i, c in changed.items() if c.written}

    async def create_many(self, created: dict[str, Decision]) -> set[str]:
        return set(await self.insert_new(created))

    def announced(self, ids) -> None:
        pass
