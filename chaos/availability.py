"""How much of the public's traffic the platform answered while it was being hurt.

Every attempt of a public request — the programme read (``GET /v1/programme…``, as the public
pages and feeds read it) and a registration (``POST /v1/sessions/{id}/registrations``) — is
counted as the run's own clients see it, through a transport under their HTTP client: answered
(any status below 500), or not (a 5xx, or no answer at all: refused, reset, timed out). Retries
are attempts of their own, so a retry that succeeds does not hide the failure before it.

Counted while the faults run. The database's crash is a fault no replica can mask (every replica
answers 503 while it is away, ``docs/reliability.md``), so the share is given overall and without
the attempts made while the database was away (from its crash to ``DATABASE_GRACE_S`` after its
restart); with replicas, the goal (``GOAL``) is checked on the latter.
"""

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from chaos.checks import Check
from chaos.faults import Injected
from chaos.processes import url

GOAL = 0.999
DATABASE_GRACE_S = 10.0
SLOW_S = 5.0  # an attempt this slow is listed with its moment, answered or not
READERS = 2  # clients reading the programme side by side, each a request every READ_PAUSE_S
READ_PAUSE_S = 0.1


def kind_of(request: httpx.Request) -> str | None:
    """``programme``, ``registration``, or None for requests that are not the public's."""
    path = request.url.path
    if request.method == "GET" and path.startswith("/v1/programme"):
        return "programme"
    if request.method == "POST" and path.startswith("/v1/sessions/") and path.endswith("/registrations"):
        return "registration"
    return None


@dataclass
class Tally:
    """Each counted attempt: (monotonic time it ended, kind, answered), and how long it took."""

    counting: bool = False
    attempts: list[tuple[float, str, bool]] = field(default_factory=list)
    codes: Counter = field(default_factory=Counter)  # (kind, status or error name) of the unanswered
    missed: list[tuple[float, str, str]] = field(default_factory=list)  # (monotonic time, kind, status or error) of each
    took: dict[str, list[float]] = field(default_factory=dict)  # kind → seconds of each answered attempt
    slow: list[tuple[float, float, str, str]] = field(default_factory=list)  # (sent, seconds, kind, outcome) past SLOW_S

    def record(self, kind: str | None, status: int | None, error: str = "", sent: float | None = None) -> None:
        if kind is None or not self.counting:
            return
        now = time.monotonic()
        answered = status is not None and status < 500
        self.attempts.append((now, kind, answered))
        code = str(status) if status is not None else error
        if not answered:
            self.codes[(kind, code)] += 1
            self.missed.append((now, kind, code))
        if sent is not None:
            if answered:
                self.took.setdefault(kind, []).append(now - sent)
            if now - sent >= SLOW_S:
                self.slow.append((sent, now - sent, kind, code))

    def figures(self, away: list[tuple[float, float]], faults: Injected | None = None) -> dict:
        """Per kind and in all: attempts, answered, share; overall and outside the ``away`` windows.
        ``faults``: the run's faults (``faults.Injected``), set on the same clock as the unanswered."""
        def share(rows) -> dict:
            n, ok = len(rows), sum(1 for _, _, a in rows if a)
            return {"attempts": n, "answered": ok, "share": round(ok / n, 5) if n else None}

        start = self.attempts[0][0] if self.attempts else 0.0
        outside = [r for r in self.attempts if not any(t0 <= r[0] <= t1 + DATABASE_GRACE_S for t0, t1 in away)]
        return {
            "overall": share(self.attempts),
            "outside_database_outage": share(outside),
            "by_kind": {k: share([r for r in self.attempts if r[1] == k]) for k in ("programme", "registration")},
            "unanswered": {f"{k} {c}": n for (k, c), n in self.codes.most_common()},
            # when, in seconds from the first counted attempt, so a shortfall can be set beside the faults
            "unanswered_at": [[round(t - start, 1), k, c] for t, k, c in self.missed],
            "faults_at": {
                "away": {engine: [[round(t0 - start, 1), round(t1 - start, 1)] for t0, t1 in spans]
                         for engine, spans in getattr(faults, "away", {"database": away}).items()},
                "killed": [[round(t - start, 1), target] for t, target in getattr(faults, "killed_at", [])],
            },
            "seconds_answered": {k: _percentiles(v) for k, v in sorted(self.took.items())},
            # sent at (seconds from the first counted attempt), took, kind, status or error
            "slow": [[round(t - start, 1), round(s, 1), k, c] for t, s, k, c in sorted(self.slow)],
        }


def _percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    at = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)  # noqa: E731
    return {"n": len(ordered), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": round(ordered[-1], 3)}


class Counted(httpx.AsyncBaseTransport):
    """The client's transport, counting each public attempt's outcome in ``tally``."""

    def __init__(self, tally: Tally):
        self._inner = httpx.AsyncHTTPTransport()
        self._tally = tally

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        kind, sent = kind_of(request), time.monotonic()
        try:
            response = await self._inner.handle_async_request(request)
        except Exception as e:
            self._tally.record(kind, None, type(e).__name__, sent)
            raise
        self._tally.record(kind, response.status_code, sent=sent)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def read_programme(http: httpx.AsyncClient, edition_id: str, sessions: list[str], stop: asyncio.Event) -> None:
    """Residents reading the programme and its sessions until ``stop`` (errors are counted, not raised)."""
    async def reader(n: int) -> None:
        rng = random.Random(n)
        while not stop.is_set():
            target = (f"{url('scheduling')}/v1/programme?edition_id={edition_id}" if rng.random() < 0.5
                      else f"{url('scheduling')}/v1/programme/sessions/{rng.choice(sessions)}")
            try:
                await http.get(target)
            except httpx.HTTPError:
                pass
            await asyncio.sleep(READ_PAUSE_S)

    await asyncio.gather(*(reader(n) for n in range(READERS)))


def check(figures: dict) -> Check:
    """The goal, on the attempts made while the database was up."""
    outside = figures["outside_database_outage"]
    found = Check(f"availability: public requests without a 5xx, outside the database's outage (goal {GOAL:.1%})",
                  outside["attempts"], outside["answered"], figures=figures)
    if outside["attempts"] and outside["share"] < GOAL:
        found.problem(f"{outside['share']:.3%} answered; unanswered: {figures['unanswered']}")
    return found
