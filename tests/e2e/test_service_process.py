"""A service as operators run it: its own process, health and readiness, docs, JSON logs, SIGTERM."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient

from tests.browser import free_port
from tests.platform import as_source, eventually, register_source, staff_env, submission

ROOT = Path(__file__).resolve().parents[2]


async def test_registry_process_is_ready_logs_json_with_event_ids_and_drains_on_sigterm(infra, tmp_path):
    port = free_port()
    prefix = f"p{uuid.uuid4().hex[:6]}."
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb,
        "FERRETDB_POSTGRESQL_URL": infra.ferretdb_postgresql or "",
        "MONGODB_DATABASE": f"{prefix[:-1]}_registry",
        "TOPIC_PREFIX": prefix,
        "TOPIC_PARTITIONS": "3",
        "HTTP_PORT": str(port),
        "LOG_JSON": "true",
        "STAFF_API_KEYS": staff_env(),
    }
    log = tmp_path / "registry.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "services.registry"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            async def is_ready():
                try:
                    return (await http.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(is_ready, timeout=60, what="the registry process to be ready")
            assert (await http.get("/healthz")).json()["status"] == "ok"
            assert (await http.get("/docs")).status_code == 200
            assert "/v1/submissions" in (await http.get("/openapi.json")).json()["paths"]

            admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
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
        client_db = __import__("pymongo").MongoClient(infra.mongodb)
        client_db.drop_database(env["MONGODB_DATABASE"])
        client_db.close()
    # uvicorn re-raises the signal once it has shut down gracefully, so the exit tells the signal.
    assert code in (0, -signal.SIGTERM), f"exit code {code}"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line.get("event") == "service_stopped" for line in lines), "the lifespan's shutdown ran (drained)"
    taken = [line for line in lines if line.get("event") == "submission_taken"]
    assert taken and taken[0]["event_id"] == event["id"], "logs are JSON bound to the event id"
    assert "program@example.org" not in log.read_text(), "no contact details in logs"
