"""A service's shutdown goes on past a stage that never ends: SIGTERM must end the process.

A notifications process once left its consumer groups on SIGTERM and then waited on something
forever (found still running 30 minutes later). Each stage of ``Runtime.stop`` is bounded; what
a stuck stage had not committed is redelivered to the next process.
"""

import asyncio

from shared.runtime import _bounded


async def test_a_stage_that_ignores_cancellation_is_left_behind_and_named():
    release = asyncio.Event()

    async def stuck() -> None:
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:  # as a library that swallows cancellation would
                continue

    ended = await asyncio.wait_for(_bounded("relay", stuck(), 0.2), timeout=5)  # not forever
    release.set()
    assert ended == "stuck"


async def test_a_failing_stage_is_logged_and_the_shutdown_goes_on():
    async def failing() -> None:
        raise RuntimeError("broker gone")

    assert await _bounded("producer", failing(), 1) == "failed"  # not raised: the next stages run
    assert await _bounded("client", asyncio.sleep(0), 1) == "done"
