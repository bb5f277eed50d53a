"""`make chaos`, smaller: its own Kafka, PostgreSQL and FerretDB on other ports, each service
SIGKILLed twice, the broker and the database crashed once, while submissions, registrations
and session moves come in; then everything is counted. Nothing may be lost or doubled, and no
resident's details may appear in a log, an open topic, or (after erasure) a database."""

import json
import subprocess
import sys
from pathlib import Path

from chaos.engines import HOME

ROOT = Path(__file__).resolve().parents[2]


def test_reduced_chaos_run_loses_and_doubles_nothing():
    before = set((HOME / "results").glob("*-reduced.json"))
    done = subprocess.run([sys.executable, "-m", "chaos", "--size", "reduced"], cwd=ROOT, capture_output=True, text=True, timeout=1_200)
    print(done.stdout[-6000:], done.stderr[-3000:])
    written = sorted(set((HOME / "results").glob("*-reduced.json")) - before)
    assert written, "the run wrote no result"
    report = json.loads(written[-1].read_text())
    assert all(n >= 2 for n in report["faults"]["kills"].values()), report["faults"]
    assert report["faults"]["kafka_restarts"] == 1 and report["faults"]["database_restarts"] == 1
    failing = [c for c in report["checks"] if not c["ok"]]
    assert failing == [], failing
    assert sum(c["lost"] for c in report["checks"]) == 0
    assert sum(report["privacy"]["logs"].values()) == 0 and sum(report["privacy"]["topics"].values()) == 0
    assert report["erasure"]["residents"] > 0 and sum(report["erasure"]["found_in_databases"].values()) == 0
    assert done.returncode == 0
