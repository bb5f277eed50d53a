"""Database calls per submission at ingest, on the real Kafka and FerretDB.

When the programme opens, the sources push their initiatives, nearly all new. Each database call
costs FerretDB's process and our client about the same whatever it does, so the calls per
submission set the ingest rate (docs/benchmarks.md). Before: four per new initiative (the
processed-events look-up, the aggregate's read, its insert, the relay's marking), and the source
and the vocabularies read by every handler that missed the cache at once. Now two: the insert,
written without a read, and the marking; plus one dedup record per batch.
"""

import json
import uuid
from collections import Counter

import pytest
from pymongo import AsyncMongoClient, monitoring

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from tests.platform import Platform, eventually, register_source, submission

pytestmark = pytest.mark.integration
N = 60


class Commands(monitoring.CommandListener):
    """Commands sent to the registry's database while ``on``, without the outbox sweep's poll."""

    def __init__(self):
        self.database, self.on, self.count = None, False, Counter()

    def started(self, event):
        if self.on and event.database_name == self.database and "outbox_pending" not in (event.command.get("filter") or {}):
            self.count[(event.command_name, event.command.get(event.command_name))] += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


async def _none_pending(initiatives) -> bool | None:
    return await initiatives.find_one({"outbox_pending": True}, {"_id": 1}) is None or None


async def test_a_burst_of_new_initiatives_is_stored_and_told_with_an_insert_and_a_marking_each_and_no_reads(infra, run_id):
    commands = Commands()
    monitoring.register(commands)  # before the service's client exists: it is told too
    async with Platform.start(infra, f"{run_id}ic", registry=(create_app, RegistrySettings)) as p:
        commands.database = p.settings["registry"].mongodb_database
        source = f"urn:malmo:source:ic-{uuid.uuid4().hex[:6]}"
        await register_source(p, source)
        events = [submission(source, f"IC-{n}") for n in range(N)]
        commands.on = True
        for e in events:
            await p.kafka.send("registry.submissions.v1", json.dumps(e).encode(), key=e["data"]["external_id"])

        def all_told(ms):
            return len({m["data"].get("external_id") for m in ms if m["data"].get("external_id", "").startswith("IC-")}) >= N

        told = await p.kafka.read("registry.initiatives.v1", until=all_told, timeout=60)
        db = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
        try:
            # Asked by ``outbox_pending``, which the count leaves out as it leaves out the sweep's poll.
            initiatives = db[commands.database]["initiatives"]
            await eventually(lambda: _none_pending(initiatives), what="every initiative's outbox marked published")
        finally:
            await db.close()
        commands.on = False

        stored = {(e["data"]["external_id"], e["data"]["revision"]) for e in told if e["type"].endswith("initiative.registered.v1")}
        assert stored == {(f"IC-{n}", 1) for n in range(N)}
        lookups = [(await p.http["registry"].get("/v1/lookup", params={"source": source, "external_id": f"IC-{n}"})).status_code for n in range(N)]
        assert lookups == [200] * N
        calls = commands.count
        seen = f"database calls: {calls.most_common(8)}"
        assert calls[("find", "initiatives")] == 0 and calls[("find", "processed_events")] == 0, "no read before a new initiative: " + seen
        assert calls[("insert", "initiatives")] == N and calls[("update", "initiatives")] == N, "one insert and one marking each: " + seen
        # The rest: one dedup record per batch (at most one per message), and the source and the
        # vocabularies read once for the burst (cached, and shared by the handlers asking at once).
        assert calls[("insert", "processed_events")] <= N, seen
        rest = sum(calls.values()) - 2 * N - calls[("insert", "processed_events")]
        assert rest <= 4, seen
