"""Registrations under an Idempotency-Key, through the real service process: one seat per key.

Concurrent identical requests take one registration; a repeat after a SIGKILL and a restart
answers the same private link; a process that dies after writing the seat and before answering
(the test-only ``FAULT_EXIT_AFTER_SEAT=1``) is answered on the repeat, with no second seat.
"""

import asyncio
import signal
import uuid

import httpx
from pymongo import MongoClient

from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.browser import free_port
from tests.integration.test_scheduling_support import published_session
from tests.platform import Platform, RawKafka, as_role, settings_for
from tests.processes import service_env, start_service, wait_ready

STAFF = as_role(Role.scheduler)
BODY = {"name": "Amina Hassan", "email": "amina@example.org", "party_size": 1}


async def stop(proc, sig=signal.SIGTERM) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
    return await asyncio.to_thread(proc.wait, 40)


async def test_one_key_takes_one_seat_concurrently_after_a_kill_and_when_killed_before_answering(infra, tmp_path):
    port = free_port()
    run_id = f"i{uuid.uuid4().hex[:6]}"
    prefix = f"{run_id}."
    cleanup = Platform(infra, run_id)  # drops this run's database and topics afterwards
    cleanup.settings["scheduling"] = settings_for(SchedulingSettings, infra, run_id)
    env = service_env(infra, "scheduling", prefix, port, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "scheduling.log"
    db = MongoClient(infra.mongodb)[env["MONGODB_DATABASE"]]
    proc = start_service("scheduling", env, log)
    try:
        await wait_ready(base)
        async with httpx.AsyncClient(base_url=base, timeout=30) as http, RawKafka(infra.kafka, prefix) as kafka:
            session_id = (await published_session(http, kafka, capacity=2))["session_id"]
            url = f"/v1/sessions/{session_id}/registrations"
            first = {"idempotency-key": f"first-{uuid.uuid4()}"}

            answers = await asyncio.gather(*(http.post(url, json=BODY, headers=first) for _ in range(8)))
            assert sorted(a.status_code for a in answers) == [200] * 7 + [201], [a.text for a in answers]
            assert len({a.json()["token"] for a in answers}) == 1 and answers[0].json()["status"] == "confirmed"
            token = answers[0].json()["token"]
            listed = (await http.get(url, headers=STAFF)).json()
            assert len(listed) == 1, "eight requests under one key took one registration"

            other = await http.post(url, json={**BODY, "party_size": 2}, headers=first)
            assert other.status_code == 422 and other.json()["detail"][0]["code"] == "key_reused"
            for bad in ("x" * 129, "ä-not-ascii".encode()):  # too long; not ASCII
                r = await http.post(url, json=BODY, headers={"idempotency-key": bad})
                assert r.status_code == 422 and "Idempotency-Key" in r.json()["detail"][0]["field"], r.text

            assert await stop(proc, signal.SIGKILL) == -signal.SIGKILL
            # stored and killed before the answer: the next seat is written, then the process dies
            proc = start_service("scheduling", {**env, "FAULT_EXIT_AFTER_SEAT": "1"}, log)
            await wait_ready(base)
            second = {"idempotency-key": f"second-{uuid.uuid4()}"}
            try:
                lost = await http.post(url, json={**BODY, "name": "Jonas Berg"}, headers=second)
                raise AssertionError(f"the fault hook should have killed the service before answering: {lost.status_code}")
            except httpx.TransportError:
                pass
            assert await asyncio.to_thread(proc.wait, 30) == 137

            proc = start_service("scheduling", env, log)
            await wait_ready(base)
            again = await http.post(url, json=BODY, headers=first)
            assert again.status_code == 200 and again.json()["token"] == token, "after a restart: the same registration and link"
            assert (await http.get(f"/v1/registrations/{token}")).json()["status"] == "confirmed"
            found = await http.post(url, json={**BODY, "name": "Jonas Berg"}, headers=second)
            assert found.status_code == 200 and found.json()["status"] == "confirmed", found.text
            listed = (await http.get(url, headers=STAFF)).json()
            assert len(listed) == 2 and sum(x["status"] == "confirmed" for x in listed) == 2, "no second seat for either key"
            assert db.contacts.find_one({"_id": found.json()["registration_id"]}) is not None, "the repeat recorded the contact the dead process had not"
            # the session is full now; a repeat still answers what its key took
            assert (await http.post(url, json=BODY, headers=first)).json()["status"] == "confirmed"
            assert (await http.post(url, json={**BODY, "name": "Ny person"}, headers={"idempotency-key": str(uuid.uuid4())})).json()["status"] == "waitlisted"
    finally:
        await stop(proc)
        db.client.close()
        await cleanup.cleanup()
