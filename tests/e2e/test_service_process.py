"""A service as operators run it: its own process, health and readiness, docs, JSON logs, SIGTERM."""

import asyncio
import json
import signal
import uuid

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from shared.kafka.security import client_options
from pymongo import MongoClient

from tests.browser import free_port
from tests.platform import as_source, register_source, submission
from tests.processes import service_env, start_service, wait_ready


async def test_registry_process_is_ready_logs_json_with_event_ids_and_drains_on_sigterm(infra, tmp_path):
    port = free_port()
    prefix = f"p{uuid.uuid4().hex[:6]}."
    env = service_env(infra, "registry", prefix, port, TOPIC_PARTITIONS="3")
    log = tmp_path / "registry.log"
    proc = start_service("registry", env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(base)
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            assert (await http.get("/healthz")).json()["status"] == "ok"
            assert (await http.get("/docs")).status_code == 200
            assert "/v1/submissions" in (await http.get("/openapi.json")).json()["paths"]

            admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka, **client_options())
            await admin.start()
            try:
                described = await admin.describe_topics([f"{prefix}registry.submissions.v1"])
                assert len(described[0]["partitions"]) == 3, "topics are created with the configured partitions"
            finally:
                await admin.close()

            key = await register_source(http, "urn:malmo:source:test-proc")
            event = submission("urn:malmo:source:test-proc", "PROC-1")
            r = await http.post("/v1/submissions", json=event, headers=as_source(key))
            assert r.status_code == 202
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 40)
        with MongoClient(infra.mongodb) as client:
            client.drop_database(env["MONGODB_DATABASE"])
    # uvicorn re-raises the signal once it has shut down gracefully, so the exit tells the signal.
    assert code in (0, -signal.SIGTERM), f"exit code {code}"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line.get("event") == "service_stopped" for line in lines), "the lifespan's shutdown ran (drained)"
    taken = [line for line in lines if line.get("event") == "submission_taken"]
    assert taken and taken[0]["event_id"] == event["id"], "logs are JSON bound to the event id"
    assert "program@example.org" not in log.read_text(), "no contact details in logs"
