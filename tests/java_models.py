"""Java models generated from an AsyncAPI document with Modelina (tools/asyncapi-models), compiled
with javac beside a Java program, on the classpath of Kafka's Java client: what a publisher writing
in Java does with the platform's contracts.

Modelina is installed once with ``npm ci`` from tools/asyncapi-models' lock file into
``.cache/asyncapi-models`` (again only when the lock file changes); npm keeps what it downloaded in
its own cache (~/.npm), as Maven does the Kafka jars (~/.m2), so a fresh clone installs from it.
Kafka's Java client and Jackson are the jars the local launcher resolved for the broker
(``deploy/local/launcher/kafka.py``)."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from deploy.local.launcher.common import ROOT
from deploy.local.launcher.kafka import KAFKA_LIBS

TOOL = ROOT / "tools" / "asyncapi-models"
INSTALLED = ROOT / ".cache" / "asyncapi-models"
# Kafka's Java client, what it needs to log (nothing bound: it stays quiet), and Jackson for the models.
CLIENT_JARS = ("kafka-clients-", "slf4j-api-", "jackson-annotations-", "jackson-core-", "jackson-databind-")


def modelina() -> Path:
    """The folder holding generate.mjs beside its installed node_modules."""
    lock = (TOOL / "package-lock.json").read_bytes()
    marker = INSTALLED / ".installed"
    digest = hashlib.sha256(lock).hexdigest()
    if not (marker.exists() and marker.read_text().strip() == digest):
        INSTALLED.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(TOOL / name, INSTALLED / name)
        npm = shutil.which("npm")
        assert npm, "npm (Node.js 18+) generates the Java models"
        done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=INSTALLED, capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        marker.write_text(digest + "\n")
    shutil.copy2(TOOL / "generate.mjs", INSTALLED / "generate.mjs")
    return INSTALLED


def generate(document: Path, output: Path, package: str, channel: str) -> subprocess.CompletedProcess:
    """Modelina's Java models of the messages of ``channel`` in ``document``, as files under ``output``;
    stderr holds Modelina's warnings only (Node's own deprecation notices about libraries are off)."""
    tool = modelina()
    return subprocess.run(["node", "--no-deprecation", str(tool / "generate.mjs"), str(document), str(output), package, channel],
                          capture_output=True, text=True, timeout=300)


def classpath() -> str:
    jars = sorted(str(jar) for jar in KAFKA_LIBS.glob("*.jar") if jar.name.startswith(CLIENT_JARS))
    assert len(jars) == len(CLIENT_JARS), f"the launcher's jars in {KAFKA_LIBS}: {jars}"
    return os.pathsep.join(jars)


def compile_java(sources: list[Path], output: Path) -> subprocess.CompletedProcess:
    """javac (Java 17+) of ``sources`` into ``output``, against Kafka's client and Jackson."""
    output.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["javac", "-d", str(output), "-cp", classpath(), *map(str, sources)],
                          capture_output=True, text=True, timeout=300)


def run_java(classes: Path, main: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["java", "-cp", os.pathsep.join([str(classes), classpath()]), main, *args],
                          capture_output=True, text=True, timeout=120)
