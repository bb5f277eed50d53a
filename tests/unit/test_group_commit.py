"""Group commit (shared/group_commit.py) as the pure mechanism it is: who is written with whom, and
what each caller hears."""

import asyncio

import pytest

from shared.group_commit import GroupCommit, KeyedGroupCommit


async def test_a_lone_item_goes_at_once_and_those_arriving_meanwhile_go_together_each_with_its_result():
    groups, release = [], asyncio.Event()

    async def write(items):
        groups.append(list(items))
        if len(groups) == 1:
            await release.wait()
        return [i * 10 for i in items]

    commit = GroupCommit(write, max_group=3, name="t")
    first = asyncio.create_task(commit(1))
    await asyncio.sleep(0)
    later = [asyncio.create_task(commit(i)) for i in (2, 3, 4, 5)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 10 and [await t for t in later] == [20, 30, 40, 50]
    assert groups == [[1], [2, 3, 4], [5]]


async def test_a_failed_group_fails_its_callers_only_and_a_group_cancelled_inside_cancels_its_callers():
    async def write(items):
        if "bad" in items:
            raise ValueError("refused")
        if "gone" in items:
            raise asyncio.CancelledError()
        return items

    commit = GroupCommit(write, max_group=1, name="t")
    bad, gone, good = (asyncio.create_task(commit(i)) for i in ("bad", "gone", "good"))
    with pytest.raises(ValueError):
        await bad
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert await good == "good"


async def test_keyed_groups_go_per_key_side_by_side_and_are_dropped_when_idle():
    written, release = [], asyncio.Event()

    async def write(key, items):
        written.append((key, list(items)))
        await release.wait()
        return [f"{key}{i}" for i in items]

    commit = KeyedGroupCommit(write, max_group=10, name="t")
    async def turns():  # the calls, then each key's drain, get their turns
        for _ in range(5):
            await asyncio.sleep(0)

    calls = [asyncio.create_task(commit(k, 1)) for k in ("a", "b")]
    await turns()
    assert written == [("a", [1]), ("b", [1])]  # each key's first goes at once, the keys side by side
    calls += [asyncio.create_task(commit(k, i)) for k, i in (("a", 2), ("a", 3), ("b", 2))]
    await turns()
    assert len(commit) == 2
    release.set()
    assert [await c for c in calls] == ["a1", "b1", "a2", "a3", "b2"]  # each caller its own result
    assert sorted(written) == [("a", [1]), ("a", [2, 3]), ("b", [1]), ("b", [2])]
    assert len(commit) == 0
