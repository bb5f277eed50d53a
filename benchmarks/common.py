"""What every workload shares: the platform's addresses and keys, the result row, progress bars."""

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The launchers' directories: a second platform beside the first sets them (deploy/local/).
RUN_DIR = Path(os.environ.get("OM_RUN_DIR") or ROOT / ".cache" / "run")
INFRA_DIR = Path(os.environ.get("OM_INFRA_DIR") or ROOT / ".cache" / "infra")


@dataclass
class Result:
    workload: str
    figure: float | None
    unit: str
    ceiling: float | None = None
    ceiling_name: str = ""
    ratio: float | None = None
    goal: str = ""
    passed: bool | None = None
    details: dict = field(default_factory=dict)
    status: str = "run"  # run | not run | failed

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Ctx:
    env: dict
    run_id: str
    out_dir: Path
    ceilings: dict = field(default_factory=dict)
    shared: dict = field(default_factory=dict)  # results later workloads build on (ingest rate, sessions, latencies)
    quiet: bool = False

    @property
    def bootstrap(self) -> str:
        return self.env["KAFKA_BOOTSTRAP_SERVERS"]

    def url(self, service: str) -> str:
        return self.env[f"{service.upper()}_URL"]

    def staff(self, role: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.env[f'{role.upper()}_API_KEY']}"}

    def bar(self, total: int, desc: str):
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="", leave=False, disable=self.quiet, file=sys.stderr, mininterval=0.5)


def platform_env() -> dict[str, str]:
    out = subprocess.run([sys.executable, str(ROOT / "deploy" / "local" / "services.py"), "env"], capture_output=True, text=True, check=True).stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {**env, **{k: v for k, v in os.environ.items() if k in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL", "FERRETDB_POSTGRESQL_URL")}}


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def dumps(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)
