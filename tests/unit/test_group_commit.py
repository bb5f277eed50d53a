"""Group commit (shared/group_commit.py) as the pure mechanism it is: who is written with whom, and
what each caller hears."""

import asyncio

import pytest

from shared.group_commit import GroupCommit


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
