"""Rate limits of the public sign-up forms (registrations, subscriptions): one mechanism.

A moving window per client IP and per form (the ``limits`` library, its asyncio API), in
this process's memory: each replica counts on its own and allows its share of the service's rate,
``signup_rate_per_minute`` divided by ``replica_count`` (at least 1): the proxy spreads a client's
requests over the replicas in turn, so together they allow about the rate. Not a shared counter:
that would be one hot document written on every sign-up by every replica, each write under a
lease (docs/security.md). Over it: 429 with ``Retry-After``.
"""

import math
import time

from fastapi import Depends, HTTPException, Request
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from shared.openapi import answers


class SignupLimiter:
    def __init__(self, per_minute: int):
        self.item = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def check(self, form: str, client: str) -> None:
        if await self.limiter.hit(self.item, form, client):
            return
        stats = await self.limiter.get_window_stats(self.item, form, client)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise HTTPException(
            429,
            detail=[{"field": "client", "code": "rate_limited", "message": f"Too many sign-ups: try again in {retry_after} s"}],
            headers={"Retry-After": str(retry_after)},
        )


def share_of(rate: float, replicas: int) -> float:
    """One replica's share of a service-wide rate (never zero)."""
    return max(1, rate // replicas) if isinstance(rate, int) else rate / replicas


def _limiter(request: Request) -> SignupLimiter:
    state = request.app.state
    if getattr(state, "signup_limiter", None) is None:
        settings = state.runtime.settings
        state.signup_limiter = SignupLimiter(share_of(settings.signup_rate_per_minute, settings.replica_count))
    return state.signup_limiter


def client_ip(request: Request) -> str:
    # The direct peer: behind a proxy, run uvicorn with --proxy-headers so this is the client.
    return request.client.host if request.client else "unknown"


def signup_limit(form: str):
    """A route dependency: ``dependencies=[signup_limit("subscriptions")]``."""

    @answers(429)
    async def dependency(request: Request) -> None:
        await _limiter(request).check(form, client_ip(request))

    return Depends(dependency)
