"""Lifted top-level fields are written by every write of a store, on the real database.

A query finds documents by what ``lift_fields`` derives from the state (FerretDB pushes down only
equality on top-level fields), and nothing rewrites documents afterwards: a write path that left
them out would hide its documents from every such query for good. So each path — a change, a first
insert without a read, a batch, a change of documents just written, the relay's marking — is asked
here by the lifted field, as the services' queries ask.
"""

import uuid

from pymongo import AsyncMongoClient

from shared.db.aggregates import AggregateStore
from shared.decisions import Decision, Pending


def lifted(state: dict) -> dict:
    return {"colour": state["colour"]} if state.get("colour") else {}


def paint(colour: str | None, event: bool = False):
    def decide(state, _version):
        return Decision({**(state or {}), "colour": colour}, [Pending("t", {"id": uuid.uuid4().hex})] if event else [])

    return decide


async def _found(store: AggregateStore, colour: str) -> set[str]:
    return {d["_id"] async for d in store.collection.find({"colour": colour}, {"_id": 1})}


async def test_every_write_path_writes_the_lifted_fields_and_drops_the_stale_ones(infra):
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000)
    name = f"lift{uuid.uuid4().hex[:8]}"
    store = AggregateStore(client[name]["aggregates"], lift=lifted)
    try:
        await store.change("a", paint("red"))
        await store.change("b", paint("red"), expect_new=True)
        await store.create_many({"c": paint("red")(None, 0)})
        await store.change_many({"d": paint("red"), "a": paint("red")})
        made = await store.insert_new({"e": paint("blue")(None, 0)}, announce=False)
        await store.change_known(made, {"e": paint("red", event=True)})
        assert await _found(store, "red") == {"a", "b", "c", "d", "e"}

        doc = await store.get("e")
        assert await store.mark_published("e", {p["event"]["id"] for p in doc["outbox"]}, whole_outbox_of=doc["version"])
        assert await _found(store, "red") == {"a", "b", "c", "d", "e"}, "the relay's marking keeps them"

        await store.change("a", paint("green"))
        await store.change_many({"b": paint(None)})
        assert await _found(store, "red") == {"c", "d", "e"}
        assert await _found(store, "green") == {"a"}
        assert "colour" not in await store.get("b"), "a field the state no longer gives is dropped"
    finally:
        await client.drop_database(name)
        await client.close()
