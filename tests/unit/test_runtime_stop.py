"""A service's shutdown goes on past a stage that never ends: SIGTERM must end the process.

A notifications process once left its consumer groups on SIGTERM and then waited on something
forever (found still running 30 minutes later). Each stage of ``Runtime.stop`` is bounded; what
a stuck stage had not committed is redelivered to the next process.
"""

import asyncio

import structlog

from shared.runtime import _bounded


async def test_a_stage_that_ignores_cancellation_is_left_behind_and_named():
    release = asyncio.Event()

    async def stuck() -> None:
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:  # as a library that swallows cancellation would
                continue

    with structlog.testing.capture_logs() as logs:
        await asyncio.wait_for(_bounded("relay", stuck(), 0.2), timeout=5)
    release.set()
    assert [(e["event"], e["stage"]) for e in logs] == [("stop_stage_stuck", "relay")]


async def test_a_failing_stage_is_logged_and_the_shutdown_goes_on():
    async def failing() -> None:
        raise RuntimeError("broker gone")

    with structlog.testing.capture_logs() as logs:
        await _bounded("producer", failing(), 1)
    assert logs[0]["event"] == "stop_stage_failed" and "broker gone" in logs[0]["error"]
