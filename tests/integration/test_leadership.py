"""Timers and sweeps run in one replica (``shared/leadership.py``), on the real broker: exactly one
of two replicas leads; a stopped leader hands over at once; a killed one (SIGKILL, a real
process) within the group's session timeout."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid

from shared.leadership import Leadership
from shared.settings import ServiceSettings

SESSION_TIMEOUT_MS = 6000
LEADER_PROCESS = """
import asyncio, sys
from shared.leadership import Leadership
from shared.settings import ServiceSettings

async def main():
    settings = ServiceSettings(service_name="leadtest", mongodb_database="unused", kafka_bootstrap_servers=sys.argv[1],
                               topic_prefix=sys.argv[2], replica_id="killed", kafka_session_timeout_ms=6000)
    leadership = Leadership(settings)

    async def work():
        print("WORK-RUNS", flush=True)
        await asyncio.Event().wait()

    leadership.while_leader("work", work)
    await leadership.start()
    await asyncio.Event().wait()

asyncio.run(main())
"""


def _settings(infra, prefix: str, replica: str) -> ServiceSettings:
    return ServiceSettings(service_name="leadtest", mongodb_database="unused", kafka_bootstrap_servers=infra.kafka,
                           topic_prefix=prefix, replica_id=replica, kafka_session_timeout_ms=SESSION_TIMEOUT_MS)


def _replica(infra, prefix: str, name: str, running: dict[str, int]) -> Leadership:
    leadership = Leadership(_settings(infra, prefix, name))

    async def work() -> None:
        running[name] = running.get(name, 0) + 1
        try:
            await asyncio.Event().wait()
        finally:
            running[name] -= 1

    leadership.while_leader("work", work)
    return leadership


def _line(process: subprocess.Popen, wanted: str) -> None:
    """Read the process's output (its logs) until the line ``wanted``."""
    while (line := process.stdout.readline()) and line.strip() != wanted:
        pass
    assert line, f"the process ended before saying {wanted}"


async def _until(condition, within_s: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < within_s, f"not within {within_s} s"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_one_of_two_replicas_leads_and_a_stopped_leader_hands_over_at_once(infra):
    prefix, running = f"t{uuid.uuid4().hex[:8]}.", {}
    a, b = _replica(infra, prefix, "a", running), _replica(infra, prefix, "b", running)
    await a.start()
    await b.start()
    try:
        await _until(lambda: sum(running.values()) == 1, 30)
        await asyncio.sleep(2)  # and it stays one
        assert sum(running.values()) == 1
        leader, other = (a, b) if a.leading else (b, a)
        await leader.stop()
        handed_over = await _until(lambda: other.leading and sum(running.values()) == 1, 15)
        names = {id(a): "a", id(b): "b"}
        assert running == {names[id(leader)]: 0, names[id(other)]: 1} and handed_over < SESSION_TIMEOUT_MS / 1000
    finally:
        await a.stop()
        await b.stop()


async def test_a_killed_leader_is_replaced_within_the_session_timeout(infra):
    prefix, running = f"t{uuid.uuid4().hex[:8]}.", {}
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    killed = subprocess.Popen([sys.executable, "-c", LEADER_PROCESS, infra.kafka, prefix], stdout=subprocess.PIPE, text=True, env=env)
    survivor = _replica(infra, prefix, "survivor", running)
    try:
        await asyncio.wait_for(asyncio.to_thread(_line, killed, "WORK-RUNS"), timeout=60)
        await survivor.start()
        await asyncio.sleep(3)
        assert not survivor.leading  # the other process leads
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        taken_over = await _until(lambda: survivor.leading, SESSION_TIMEOUT_MS / 1000 + 10)
        assert running == {"survivor": 1}
        print(f"taken over {taken_over:.1f} s after the SIGKILL")
    finally:
        if killed.poll() is None:
            killed.kill()
        await survivor.stop()
