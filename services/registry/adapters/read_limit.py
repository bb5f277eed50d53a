"""One time limit for every database read a GET makes: a read that cannot finish answers 503.

The client bounds each call (``db_timeout_ms``), but a request may make several one after another,
and a slow engine then keeps a caller waiting many times that. Here all of a GET's (or HEAD's)
database calls share one deadline, ``limit_s`` after the request came (``pymongo.timeout``, which
PyMongo applies to every call made inside it, as the time left). Past it PyMongo raises
``ExecutionTimeout`` or ``NetworkTimeout``, which ``shared/web.py`` answers 503 with Retry-After,
never 500. Writes keep the client's per-call timeout: cutting one short would only make the caller
repeat a change that may have happened.
"""

import pymongo

READS = frozenset({"GET", "HEAD"})


class BoundedReads:
    """ASGI middleware: the ``with pymongo.timeout(limit_s)`` around each GET and HEAD."""

    def __init__(self, app, limit_s: float):
        self.app = app
        self.limit_s = limit_s

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in READS:
            return await self.app(scope, receive, send)
        with pymongo.timeout(self.limit_s):
            await self.app(scope, receive, send)
