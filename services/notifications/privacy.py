"""Erasure (GDPR art. 17): a person's address or number, and everything that leads to them, goes.

Found by the address or number: subscriptions (with their consents), registrants' contacts
(each replaced by a mark without personal data, ``copies.erased_contact``), organiser contacts;
then every message to those recipient keys (pending or sent — a sent message's document may still
hold the rendered request in its outbox) and their opt-outs. Messages are deleted, not kept as
tombstones: where a consumer asks the processed-events log, the ids it processed stay there (ids
only) and a redelivered trigger is skipped; a trigger that is not skipped (a registration, whose
copy keeps the newest version, or a later change to the session) meets the mark and its message
is cancelled (``recipient_erased``).
"""

import structlog

from services.notifications.parts import Parts
from shared.metrics import CONTACTS_ERASED

log = structlog.get_logger(__name__)


async def forget_recipients(parts: Parts, keys: list[str]) -> int:
    """Delete every message to these recipient keys, and their opt-outs."""
    if not keys:
        return 0
    deleted = await parts.messages.forget(keys)
    await parts.opt_outs.delete(keys)
    return deleted


async def erase(parts: Parts, *, email: str | None = None, phone: str | None = None) -> dict:
    keys: list[str] = []
    counts = {"subscriptions": 0, "contacts": 0, "organizer_contacts": 0, "messages": 0}
    for field, value in (("email", email), ("phone", phone)):
        if not value:
            continue
        for sub in await parts.subscriptions.of_address(field, value):
            keys.append(f"subscription:{sub['subscription_id']}")
            counts["subscriptions"] += await _delete(parts.subscriptions.store, sub["subscription_id"])
        async for doc in parts.copies.contacts.find({f"state.{field}": value}, {"_id": 1}):
            keys.append(f"registration:{doc['_id']}")
            if await parts.copies.erase_contact(doc["_id"]):
                counts["contacts"] += 1
                CONTACTS_ERASED.labels("notifications", "request").inc()
        async for doc in parts.organizers.store.find({f"state.contact.{field}": value}, {"_id": 1}):
            keys.append(f"organizer:{doc['_id']}")
            counts["organizer_contacts"] += await _delete(parts.organizers.store, doc["_id"])
    counts["messages"] = await forget_recipients(parts, keys)
    log.info("erased", **counts)  # counts only: never the address
    return counts


async def _delete(store, key: str) -> int:
    return len(await store.delete([key]))
