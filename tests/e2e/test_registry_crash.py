"""Killing the registry between the durable write and the publication loses nothing and doubles nothing.

The registry runs as its own process with the test-only fault ``FAULT_EXIT_AFTER_WRITE=1``: its
outbox relay dies (exit 137, like SIGKILL) when about to publish the first event on
registry.initiatives.v1 — after the initiative and its outbox were written. Restarted normally,
it must publish exactly one event per change, with the ids it would have had.
"""

import asyncio
import json
import signal
import uuid

import httpx
from pymongo import MongoClient

from shared.kafka.topic_admin import delete_prefixed_topics
from tests.browser import free_port
from tests.platform import RawKafka, eventually, register_source, submission
from tests.processes import service_env, start_service, wait_ready

async def test_a_registry_killed_after_the_write_publishes_each_change_exactly_once_after_restart(infra, tmp_path):
    port = free_port()
    prefix = f"k{uuid.uuid4().hex[:6]}."
    env = service_env(infra, "registry", prefix, port)
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "registry.log"
    source = f"urn:malmo:source:kill-{uuid.uuid4().hex[:6]}"
    db = MongoClient(infra.mongodb)[env["MONGODB_DATABASE"]]
    proc = start_service("registry", {**env, "FAULT_EXIT_AFTER_WRITE": "1"}, log)
    try:
        await wait_ready(base)
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            await register_source(http, source)
        async with RawKafka(infra.kafka, prefix) as kafka:
            # Two revisions of one initiative, sent before the first is handled: one or two changes
            # end up in the outbox, depending on how far the process gets before it dies.
            for r in (1, 2):
                await kafka.send("registry.submissions.v1", json.dumps(submission(source, "KILL-1", revision=r)).encode(), key="KILL-1")
            code = await asyncio.to_thread(proc.wait, 60)
            assert code == 137, f"the fault hook killed it after the write (exit {code})"

            [doc] = db.initiatives.find({"state.external_id": "KILL-1"}).to_list(None)
            assert doc["outbox"], "written durably, events still in the outbox"
            # the initiative's own events (a new one's contact goes on registry.contacts.v1 beside them)
            written = {p["event"]["id"] for p in doc["outbox"] if p["topic"] == "registry.initiatives.v1"}

            proc = start_service("registry", env, log)
            await wait_ready(base)

            async def republished():
                d = db.initiatives.find_one({"_id": doc["_id"]})
                return d if d["state"]["revision"] == 2 and not d["outbox"] else None

            final = await eventually(republished, timeout=60, what="the restarted registry to publish the outbox and take revision 2")
            await asyncio.sleep(2)  # a second publication would show up here

            def mine(ms):
                return [m for m in ms if m["subject"] == doc["_id"]]

            events = mine(await kafka.read("registry.initiatives.v1", until=lambda ms: len(mine(ms)) >= 2))
            await asyncio.sleep(0)
        versions = [e["data"]["version"] for e in events]
        assert versions == [1, 2], f"exactly one event per change, in order: {versions}"
        assert [e["type"].split(".")[-2] for e in events] == ["registered", "revised"]
        assert written <= {e["id"] for e in events}, "the events written before the crash are the ones published"
        assert final["state"]["revision"] == 2 and final["state_version"] == 2
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(proc.wait, 40)
        db.client.drop_database(env["MONGODB_DATABASE"])
        db.client.close()
        await delete_prefixed_topics(infra.kafka, prefix)
