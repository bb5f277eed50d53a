"""Database calls per new initiative at ingest, on the real Kafka and FerretDB, all four services.

When the programme opens, the sources push their initiatives, nearly all new, and every one is
stored by the registry and copied by scheduling, notifications and reporting from its event. Each
database call costs FerretDB's process and our client about the same whatever it does, and on
two cores they share the CPU, so the calls per initiative set the ingest rate (docs/benchmarks.md).

Before: the registry made four calls per new initiative (the processed-events look-up, the
aggregate's read, its insert, the relay's marking) and read the source and the vocabularies in
every handler that missed the cache at once; each follower three (the look-up, the copy's read
and its write), scheduling a fourth (the copy read again), and each service recorded each batch's
ids. Now the registry makes two (the insert, written without a read, and the marking) plus one
record per batch, each follower one (the copy's insert).
"""

import asyncio
import json
import uuid
from collections import Counter

import pytest
from pymongo import AsyncMongoClient, monitoring

from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.scheduling.main import create_app as scheduling_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.platform import Platform, as_role, eventually, register_source, submission

pytestmark = pytest.mark.integration
N = 60
LEASES = ("write_leases", "replicas")  # shared/db/leases.py's collections
CHECK = "test-check"  # the comment on this test's own queries, which are not counted
# Each service's copy of an initiative, by database.
COPIES = {"scheduling": "initiatives", "notifications": "organizer_contacts", "reporting": "initiative_summaries"}


class Commands(monitoring.CommandListener):
    """Commands sent to the services' databases while ``on``, without the outbox sweeps' poll."""

    def __init__(self):
        self.services, self.on, self.count, self.documents = {}, False, Counter(), Counter()

    def started(self, event):
        command = event.command
        if not self.on or event.database_name not in self.services or command.get("comment") == CHECK:
            return
        if "outbox_pending" in (command.get("filter") or {}):
            return
        if command.get(event.command_name) in LEASES:  # what a replica's leases add: the benchmark's
            return
        key = (self.services[event.database_name], event.command_name, command.get(event.command_name))
        self.count[key] += 1
        self.documents[key] += len(command.get("documents", []))  # an insert's (concurrent writers share one)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


async def test_a_burst_of_new_initiatives_is_stored_and_copied_with_one_write_each_and_no_reads(infra, run_id):
    commands = Commands()
    monitoring.register(commands)  # before the services' clients exist: they are told too
    async with Platform.start(
        infra, f"{run_id}ic",
        registry=(registry_app, RegistrySettings), scheduling=(scheduling_app, SchedulingSettings),
        notifications=(notifications_app, NotificationsSettings), reporting=(reporting_app, ReportingSettings),
    ) as p:
        commands.services = {s.mongodb_database: name for name, s in p.settings.items()}
        dbs = {name: s.mongodb_database for name, s in p.settings.items()}
        source = f"urn:malmo:source:ic-{uuid.uuid4().hex[:6]}"
        await register_source(p, source)
        events = [submission(source, f"IC-{n}") for n in range(N)]
        commands.on = True
        for e in events:
            await p.kafka.send("registry.submissions.v1", json.dumps(e).encode(), key=e["data"]["external_id"])

        client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
        try:
            async def settled():
                if await client[dbs["registry"]]["initiatives"].find_one({"outbox_pending": True}, {"_id": 1}, comment=CHECK):
                    return None
                for service, collection in COPIES.items():
                    if len(await client[dbs[service]][collection].find({}, {"_id": 1}, comment=CHECK).to_list(None)) < N:
                        return None
                return True

            await eventually(settled, timeout=60, what="every initiative stored, told and copied by the three followers")
            await eventually(lambda: _quiet(commands), timeout=10, what="the services done with the burst")
        finally:
            await client.close()
        commands.on = False

        lookups = [(await p.http["registry"].get("/v1/lookup", params={"source": source, "external_id": f"IC-{n}"}, headers=as_role(Role.curator))).status_code for n in range(N)]
        assert lookups == [200] * N
        calls = commands.count
        seen = f"database calls: {sorted(calls.items())}"
        inserted = commands.documents
        # each new initiative inserted once (inserts from concurrent handlers share a call) and marked once
        assert inserted[("registry", "insert", "initiatives")] == N and calls[("registry", "insert", "initiatives")] <= N, seen
        assert calls[("registry", "update", "initiatives")] == N, seen
        for service, collection in COPIES.items():
            assert inserted[(service, "insert", collection)] == N and calls[(service, "insert", collection)] <= N, seen
        reads = {k: v for k, v in calls.items() if k[1] == "find" and k[2] in ("processed_events", *COPIES.values())}
        assert reads == {}, "no read before a new initiative or its copy: " + seen
        # The registry records each batch's ids (one insert per batch, for its REST edge); the
        # followers keep no processed-events log at all (their copies keep the newest version).
        assert calls[("registry", "insert", "processed_events")] <= N, seen
        assert sum(v for k, v in calls.items() if k[0] != "registry" and k[2] == "processed_events") == 0, seen
        # The registry's source and vocabularies are read once for the burst (cached, and shared
        # by the handlers that ask at once).
        registry_rest = sum(v for k, v in calls.items() if k[0] == "registry" and k[2] not in ("initiatives", "processed_events"))
        assert registry_rest <= 4, seen


async def _quiet(commands: Commands) -> bool | None:
    """True once nothing was written for half a second (late markings and records are in; the
    timers' polls go on and are not what this test counts)."""

    def writes() -> int:
        return sum(v for k, v in commands.count.items() if k[1] in ("insert", "update", "delete"))

    before = writes()
    await asyncio.sleep(0.5)
    return writes() == before or None
