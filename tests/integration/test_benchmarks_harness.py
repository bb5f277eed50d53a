"""The benchmark harness works: at the small size, on the test's broker and database, it prints the
table and writes the JSON and Markdown with the right columns. No timing is asserted here."""

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
        [sys.executable, "-m", "benchmarks.run", "--size", "small", "--only", "ceilings,lookups,fanout",
         "--no-start", "--quiet", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "| " + " | ".join(COLUMNS) + " |" in proc.stdout

    [report] = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert report["columns"] == COLUMNS and report["size"] == "small"
    by_name = {r["workload"].split(":")[0].split(" ")[0]: r for r in report["results"]}
    assert set(by_name) == {"ceilings", "lookups", "fan-out"}
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
    [md] = list(tmp_path.glob("*.md"))
    assert "| workload | figure |" in md.read_text()
