"""Documents a store last wrote or read, kept to decide the next change on without a read.

Only a hint: every write is guarded by the version it was decided on, so a document changed
elsewhere since (another replica, a deletion) refuses the write, is forgotten here, and the
change is made again from a read. Kept in BSON, so what is recalled is what a read would return
and no caller can change the copy kept.
"""

from collections import OrderedDict
from typing import Any

import bson
from bson.codec_options import CodecOptions

# A session in a registration rush is changed once per batch, a page of messages a few times in a row.
KNOWN_DOCUMENTS = 1_000


class KnownDocuments:
    def __init__(self, codec_options: CodecOptions, capacity: int = KNOWN_DOCUMENTS):
        self._codec = codec_options
        self._capacity = capacity
        self._docs: OrderedDict[str, bytes] = OrderedDict()

    def remember(self, doc: dict[str, Any]) -> None:
        self._docs[doc["_id"]] = bson.encode(doc, codec_options=self._codec)
        self._docs.move_to_end(doc["_id"])
        if len(self._docs) > self._capacity:
            self._docs.popitem(last=False)

    def forget(self, aggregate_id: str) -> None:
        self._docs.pop(aggregate_id, None)

    def recall(self, aggregate_id: str) -> dict[str, Any] | None:
        known = self._docs.get(aggregate_id)
        return bson.decode(known, codec_options=self._codec) if known is not None else None

    def newest(self, aggregate_id: str, doc: dict[str, Any] | None) -> dict[str, Any] | None:
        """``doc``, or the version kept here if that one is at least as new."""
        known = self.recall(aggregate_id)
        return known if known is not None and (doc is None or known["version"] >= doc["version"]) else doc
