"""Who a message goes to, resolved only when it is sent: the address never sits in a trigger.

A recipient key names the person's record here (``registration:<id>``, ``subscription:<id>``,
``organizer:<initiative id>``); erasure deletes the record, so nothing can be sent afterwards
(a registrant's contact leaves a mark, ``erased``: their messages are cancelled, not postponed).
"""

from dataclasses import dataclass

from services.notifications.adapters.copies import Copies
from services.notifications.adapters.organizers import OrganizerContacts
from services.notifications.adapters.read_at_once import Known
from services.notifications.adapters.subscriptions import Subscriptions
from services.notifications.domain import tokens
from services.notifications.settings import NotificationsSettings
from shared.db.aggregates import AggregateStore


@dataclass(frozen=True)
class Recipient:
    address: str | None  # None: not known (yet)
    opted_out: bool
    unsubscribe_url: str
    manage_url: str | None = None
    subscription_status: str | None = None
    erased: bool = False  # the contact was erased: it will not come (unlike one not arrived yet)


class Recipients:
    def __init__(self, settings: NotificationsSettings, opt_outs: AggregateStore, copies: Copies, subscriptions: Subscriptions,
                 organizers: OrganizerContacts):
        self.settings, self.opt_outs, self.copies, self.subscriptions, self.organizers = settings, opt_outs, copies, subscriptions, organizers

    async def resolve(self, recipient: dict, channel: str, known: Known | None = None) -> Recipient:
        """``known``: what the caller read at once for a batch (``read_at_once``); the rest is read here."""
        s = self.settings
        kind, full_key = recipient["kind"], recipient["key"]
        key = full_key.split(":", 1)[1]
        url = f"{s.public_base_url.rstrip('/')}/v1/unsubscribe/{tokens.sign(s.token_secret, 'unsubscribe', full_key)}"
        if known is not None and known.opted_out is not None:
            opted_out = full_key in known.opted_out
        else:
            opted_out = await self.opt_outs.get(full_key) is not None
        field = "email" if channel == "email" else "phone"
        if kind == "registration":
            contact = known.contacts[key] if known is not None and key in known.contacts else await self.copies.get(self.copies.contacts, key)
            return Recipient((contact or {}).get(field), opted_out, url, (contact or {}).get("manage_url"), erased=bool((contact or {}).get("erased")))
        if kind == "subscription":
            sub = await self.subscriptions.get(key)
            if sub is None:
                return Recipient(None, True, url)
            return Recipient(sub.get(field), opted_out or sub["status"] == "unsubscribed", url, subscription_status=sub["status"])
        if kind == "organizer":
            org = await self.organizers.get(key)
            contact = (org or {}).get("contact") or {}
            return Recipient(contact.get(field), opted_out, url)
        raise ValueError(f"unknown recipient kind {kind}")
