"""The reach area's items: what each message delivery counts in it."""

from services.reporting.domain.measures import AreaSpec, Item, Measure
from services.reporting.domain.states import DeliveryRecord

# Cells nothing measures, shown as not known ("." in exports) rather than as a 0 that reads as a
# fact: (area, dimension, category) → measures. No mail server tells whether an email arrived;
# only a mail gateway that sends delivery receipts would, and then its count is shown.
NOT_KNOWN_WHEN_ZERO = {("reach", "channel", "email"): ("delivered",)}

REACH = AreaSpec(
    dimensions=("channel", "language", "category"),
    # What is known of a message: handed over (the SMTP server or SMS gateway accepted it),
    # delivered (a receipt said so: SMS gateways send them, mail servers do not), bounced
    # (handed over, then a failure receipt), failed (never handed over), expired.
    measures=(Measure("sent"), Measure("delivered"), Measure("bounced"), Measure("failed"), Measure("expired")),
)


def delivery_item(seen: dict[tuple, dict[str, list[str]]], d: DeliveryRecord) -> Item:
    key = (d["channel"], d["language"], d["category"])
    dims = seen.get(key)
    if dims is None:
        dims = seen[key] = {"channel": [d["channel"]], "language": [d["language"]], "category": [d["category"]]}
    return dims, {d["outcome"]: 1}, {}
