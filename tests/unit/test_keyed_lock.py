"""The keyed lock serialises one key's writers, lets other keys run, and forgets idle keys."""

import asyncio

from shared.db.keyed_lock import KeyedLock


async def test_one_key_runs_one_at_a_time_and_other_keys_run_alongside():
    lock = KeyedLock()
    inside = {"a": 0, "b": 0}
    peak = {"a": 0, "b": 0}
    overlap = []

    async def work(key):
        async with lock.hold(key):
            inside[key] += 1
            peak[key] = max(peak[key], inside[key])
            overlap.append(inside["a"] and inside["b"])
            await asyncio.sleep(0.001)
            inside[key] -= 1

    await asyncio.gather(*(work("a") for _ in range(50)), *(work("b") for _ in range(50)))
    assert peak == {"a": 1, "b": 1}
    assert any(overlap), "different keys should not wait for each other"
    assert len(lock) == 0, "no lock is kept once nobody holds or waits for it"


async def test_a_failing_writer_releases_the_key():
    lock = KeyedLock()

    async def boom():
        async with lock.hold("x"):
            raise RuntimeError("boom")

    try:
        await boom()
    except RuntimeError:
        pass
    async with asyncio.timeout(1):
        async with lock.hold("x"):
            pass
    assert len(lock) == 0


async def test_a_holder_may_hold_its_key_again_and_others_still_wait():
    """A use case holding a session changes that session through its store: the store's hold of the
    same key must not wait for the use case (it would wait forever), while another task still waits."""
    locks = KeyedLock()
    order = []

    async def other():
        async with locks.hold("s"):
            order.append("other")

    async with locks.hold("s"):
        waiting = asyncio.create_task(other())
        async with asyncio.timeout(1):
            async with locks.hold_all(["s", "t"]):
                order.append("again")
        await asyncio.sleep(0.01)
        order.append("outer done")
        assert locks.held_here("s") and not waiting.done()
    await waiting
    assert order == ["again", "outer done", "other"]
    assert not locks.held_here("s") and len(locks) == 0
