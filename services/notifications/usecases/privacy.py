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

from services.notifications.adapters.copies import Copies
from services.notifications.adapters.messages import Messages
from services.notifications.adapters.organizers import OrganizerContacts
from services.notifications.adapters.subscriptions import Subscriptions
from shared.db.aggregates import AggregateStore
from shared.metrics import CONTACTS_ERASED

log = structlog.get_logger(__name__)


class Erasure:
    def __init__(self, messages: Messages, opt_outs: AggregateStore, subscriptions: Subscriptions, copies: Copies, organizers: OrganizerContacts):
        self.messages, self.opt_outs, self.subscriptions, self.copies, self.organizers = messages, opt_outs, subscriptions, copies, organizers

    async def forget_recipients(self, keys: list[str]) -> int:
        """Delete every message to these recipient keys, and their opt-outs."""
        if not keys:
            return 0
        deleted = await self.messages.forget(keys)
        await self.opt_outs.delete(keys)
        return deleted

    async def erase(self, *, email: str | None = None, phone: str | None = None) -> dict:
        keys: list[str] = []
        counts = {"subscriptions": 0, "contacts": 0, "organizer_contacts": 0, "messages": 0}
        for field, value in (("email", email), ("phone", phone)):
            if not value:
                continue
            for sub in await self.subscriptions.of_address(field, value):
                keys.append(f"subscription:{sub['subscription_id']}")
                counts["subscriptions"] += len(await self.subscriptions.store.delete([sub["subscription_id"]]))
            async for doc in self.copies.contacts.find({f"state.{field}": value}, {"_id": 1}):
                keys.append(f"registration:{doc['_id']}")
                if await self.copies.erase_contact(doc["_id"]):
                    counts["contacts"] += 1
                    CONTACTS_ERASED.labels("notifications", "request").inc()
            async for doc in self.organizers.store.find({f"state.contact.{field}": value}, {"_id": 1}):
                keys.append(f"organizer:{doc['_id']}")
                counts["organizer_contacts"] += len(await self.organizers.store.delete([doc["_id"]]))
        counts["messages"] = await self.forget_recipients(keys)
        log.info("erased", **counts)  # counts only: never the address
        return counts
