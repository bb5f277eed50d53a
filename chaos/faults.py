"""When and what to break: a plan drawn from the seed (pure), and its execution.

Each service is SIGKILLed ``kills_per_service`` times at random moments of the window and
started again after a random pause (sometimes it is killed again while starting); the
Kafka broker is crashed once and the database (FerretDB and PostgreSQL together) once.

With replicas, each replica of each service is killed ``kills_per_service`` times, the replicas
of a service in turn, one kill per slot of the window, and only while every other replica of the
service is ready: one is always serving while another is down or starting again.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field

import structlog

from chaos import engines
from chaos.processes import PORTS, Services, service_of

log = structlog.get_logger("chaos.faults")


@dataclass(frozen=True, order=True)
class Fault:
    at_s: float
    target: str  # a service name, "kafka" or "database"
    down_s: float  # how long it stays away before it is started again


def plan(seed: int, window_s: float, kills_per_service: int, replicas: int = 1) -> list[Fault]:
    """The faults, by target: a service (one process each), or ``<service>-<n>`` with replicas."""
    rng = random.Random(seed + 2)
    if replicas == 1:
        faults = [
            Fault(rng.uniform(0.05, 0.95) * window_s, service, rng.uniform(0.2, 3.0))
            for service in PORTS
            for _ in range(kills_per_service)
        ]
    else:
        slots = kills_per_service * replicas
        slot_s = 0.95 * window_s / slots
        faults = [
            Fault((k + rng.uniform(0.05, 0.5)) * slot_s, f"{service}-{k % replicas + 1}", rng.uniform(1.0, 6.0))
            for service in PORTS
            for k in range(slots)
        ]
    faults.append(Fault(0.35 * window_s, "kafka", 3.0))
    faults.append(Fault(0.65 * window_s, "database", 3.0))
    return sorted(faults)


@dataclass
class Injected:
    kills: dict[str, int] = field(default_factory=lambda: {s: 0 for s in PORTS})
    kafka_restarts: int = 0
    database_restarts: int = 0
    engine_downtime_s: dict[str, float] = field(default_factory=dict)
    away: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # engine → (crashed, restarted), monotonic
    killed_at: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, process) of each kill

    @property
    def total(self) -> int:
        return sum(self.kills.values()) + self.kafka_restarts + self.database_restarts


async def inject(faults: list[Fault], services: Services, injected: Injected) -> None:
    """Each fault at its moment; an engine's crash and restart runs beside the kills, and a kill
    that finds its service already down (still starting) is tried again until it lands."""
    started = time.monotonic()
    pending: set[asyncio.Task] = set()

    def spawn(coro) -> None:
        task = asyncio.create_task(coro)
        pending.add(task)
        task.add_done_callback(pending.discard)

    try:
        for fault in faults:
            ahead = started + fault.at_s - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)
            if service_of(fault.target) in PORTS:
                spawn(_kill(services, fault, injected, started))
            else:
                spawn(_crash_engine(fault, injected))
        while pending:
            await asyncio.gather(*list(pending))
    finally:  # a run that stops early must not leave a restart behind it
        for task in list(pending):
            task.cancel()


async def _kill(services: Services, fault: Fault, injected: Injected, started: float) -> None:
    for _ in range(120):
        if services.replicas > 1 and not await asyncio.to_thread(services.others_ready, fault.target):
            await asyncio.sleep(1)  # the other replica is still starting: it must serve while this one is down
            continue
        if services.kill(fault.target):
            injected.kills[service_of(fault.target)] += 1
            injected.killed_at.append((time.monotonic(), fault.target))
            log.info("killed", process=fault.target, at_s=round(time.monotonic() - started, 1))
            await _restart_later(services, fault.target, fault.down_s)
            return
        await asyncio.sleep(1)


async def _crash_engine(fault: Fault, injected: Injected) -> None:
    engines_of = {"kafka": ("kafka",), "database": ("ferretdb", "postgres")}[fault.target]
    t0 = time.monotonic()
    await asyncio.to_thread(engines.crash, *engines_of)
    log.info("engine_crashed", engine=fault.target)
    await asyncio.sleep(fault.down_s)
    await asyncio.to_thread(engines.restart_missing)
    injected.engine_downtime_s[fault.target] = round(time.monotonic() - t0, 1)
    injected.away.setdefault(fault.target, []).append((t0, time.monotonic()))
    if fault.target == "kafka":
        injected.kafka_restarts += 1
    else:
        injected.database_restarts += 1
    log.info("engine_restarted", engine=fault.target, down_s=injected.engine_downtime_s[fault.target])


async def _restart_later(services: Services, service: str, pause_s: float) -> None:
    await asyncio.sleep(pause_s)
    if services.procs[service].poll() is not None:
        services.start(service)


async def keep_alive(services: Services, stop: asyncio.Event) -> None:
    """A service that exits by itself (say, it could not reach an engine at start) is started
    again, as a supervisor (systemd, Kubernetes) would."""
    while not stop.is_set():
        services.restart_dead()
        await asyncio.sleep(5)
