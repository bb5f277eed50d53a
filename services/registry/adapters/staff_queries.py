"""The list of initiatives and the curators' work list, answered from the staff index (decision 0015).

The index (``staff_index``) holds what these queries filter, order and show: they read no
document. The answers are those of ``search.find_page`` and ``search.work_list``, the database's
way, which answers instead while the index loads after a start: the same filters and free text,
the list in (bucket, ``_id``) order with the same cursors, the work list oldest in the queue first
— over every initiative waiting, not only the first ``SCAN_LIMIT`` of a status.
"""

import itertools
import time
from collections.abc import Callable
from dataclasses import replace

from services.registry.adapters import search
from services.registry.adapters.staff_index import Matcher, StaffIndex
from shared.db.aggregates import AggregateStore
from shared.events.initiatives import InitiativeStatus

CHECK_EVERY = 1024  # entries walked between two looks at the clock


class Search:
    """The queries over the initiatives (read only), from the index once it is loaded."""

    def __init__(self, index: StaffIndex, store: AggregateStore, budget_s: float = search.PAGE_BUDGET_S):
        self._index = index
        self._store = store
        self._budget_s = budget_s

    async def page(self, f: search.Filters, cursor: str | None, limit: int,
                   view: Callable[[dict, int], dict] | None = None) -> tuple[list[dict], str | None]:
        """As ``search.find_page``: a page and the next cursor (None at the end); a walk past the
        budget stops with a short page whose cursor goes on from where it stopped."""
        if not self._index.loaded:
            return await search.find_page(self._store, f, cursor, limit, self._budget_s, view)
        start, after = search.position_of(cursor)
        match, hits, nxt = Matcher(f), [], None
        deadline, last = time.monotonic() + self._budget_s, None
        for n, e in enumerate(self._index.walk(start, after)):
            if n % CHECK_EVERY == CHECK_EVERY - 1 and time.monotonic() > deadline:
                nxt = search.cursor_of(search.bucket_of(last.id), last.id)
                break
            last = e
            if match(e):
                if len(hits) == limit:  # one more than a page: the next page starts after the last hit
                    nxt = search.cursor_of(search.bucket_of(hits[-1].id), hits[-1].id)
                    break
                hits.append(e)
        show = search.item_of if view is None else view
        return [show(e.state(), e.version) for e in hits], nxt

    async def work_list(self, statuses: list[InitiativeStatus], f: search.Filters, limit: int, late: bool | None = None,
                        changed: bool = False) -> list[dict]:
        """As ``search.work_list``: what waits, oldest in the queue first, with its queue's marks."""
        if not self._index.loaded:
            return await search.work_list(self._store, statuses, f, limit, late, changed)
        match = Matcher(replace(f, status=None))
        waiting = (e for e in self._index.waiting([s.value for s in statuses])
                   if match(e) and (e.changed or not changed) and (late is None or e.late == late))
        return [search.queue_item(e.state(), e.version, e.stamped) for e in itertools.islice(waiting, limit)]
