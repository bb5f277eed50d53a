"""The benchmark harness works: at the small size, on the test's broker and database, it prints the
table and writes the JSON and Markdown with the right columns; it sets the Kafka ceilings signed in
beside the same over PLAINTEXT (a private broker of its own) and says that the replicas comparison
is not run at this size. No timing is asserted here."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["workload", "figure", "unit", "ceiling", "ratio", "goal", "result"]


def test_small_run_writes_table_json_and_markdown(infra, tmp_path):
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": infra.kafka, "MONGODB_URL": infra.mongodb, "BENCH_FANOUT_N": "40"}
    if infra.ferretdb_postgresql:
        env["FERRETDB_POSTGRESQL_URL"] = infra.ferretdb_postgresql
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--size", "small", "--only", "ceilings,signing_in,lookups,staff_queries,fanout,replicas",
         "--no-start", "--quiet", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "| " + " | ".join(COLUMNS) + " |" in proc.stdout

    [report] = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert report["columns"] == COLUMNS and report["size"] == "small"
    by_name = {r["workload"].split(":")[0].split(" ")[0]: r for r in report["results"]}
    assert set(by_name) == {"ceilings", "Kafka", "lookups", "staff", "fan-out", "replicas"}
    staff = [r for r in report["results"] if r["workload"].startswith("staff queries")]
    assert len(staff) == 6 and all(r["status"] == "run" and r["figure"] > 0 and r["details"]["failed"] is None for r in staff), staff
    assert all(v > 0 for v in report["ceilings"].values())
    for key in ("aiokafka_produce_per_s", "aiokafka_consume_per_s", "db_insert_many_per_s", "db_upsert_per_s", "db_find_one_per_s",
                "db_message_writes_per_s", "message_document_bytes"):
        assert report["ceilings"][key] > 0
    assert by_name["ceilings"]["figure"] > 0 and by_name["lookups"]["figure"] > 0
    assert by_name["lookups"]["ratio"] > 0 and isinstance(by_name["lookups"]["passed"], bool)
    fan_out = by_name["fan-out"]
    assert fan_out["status"] == "run" and fan_out["figure"] > 0, fan_out
    assert fan_out["details"]["distinct_message_ids"] == 40 and fan_out["details"]["duplicates"] == 0
    # the fan-out is set beside the engine's floor for its messages: N over the raw message-writes rate
    assert fan_out["ceiling"] == round(40 / report["ceilings"]["db_message_writes_per_s"], 1) and fan_out["ratio"] > 0
    # signed in (SASL/SCRAM) beside PLAINTEXT, both on the private broker, the shared broker's figure beside them
    kafka = [r for r in report["results"] if r["workload"].startswith("Kafka signed in vs PLAINTEXT")]
    assert len(kafka) == 2, kafka  # aiokafka produce and consume; Kafka's own tools at full size only
    for row in kafka:
        versus = row["details"]["versus"]
        assert versus["a"] == row["figure"] > 0 and versus["b"] == row["ceiling"] > 0 and row["ratio"] > 0, row
        key = "aiokafka_produce_per_s" if row["workload"].endswith("produce") else "aiokafka_consume_per_s"
        assert versus["ceiling"] == round(report["ceilings"][key])
    assert by_name["replicas"]["status"] == "not run" and "restarts the platform" in by_name["replicas"]["details"]["reason"]
    assert "| compared | figure | versus | ratio | unit | ceiling, this run |" in proc.stdout
    [md] = list(tmp_path.glob("*.md"))
    assert "| workload | figure |" in md.read_text()
