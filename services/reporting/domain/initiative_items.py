"""The initiatives and money areas' items: what each initiative counts in them, and in which editions.

The money area counts the approved initiatives, with the same dimension values as the
initiatives area.
"""

from collections import defaultdict
from datetime import date, datetime

from services.reporting.domain.measures import NOT_ADMINISTRATION, UNKNOWN, AreaSpec, Item, Measure, median, or_unknown
from services.reporting.domain.model import ReadModel
from services.reporting.domain.states import InitiativeSummary

FINAL_STATUSES = frozenset({"approved", "rejected", "withdrawn"})  # the rest are "in progress"


def _derive_initiatives(row: dict) -> dict:
    return {"review_lead_time_days": median(row.pop("_lead_times", []))}


INITIATIVES = AreaSpec(
    dimensions=("organizer_kind", "administration", "theme", "target_group", "district", "language", "origin"),
    measures=(
        Measure("submitted"),
        Measure("approved"),
        Measure("rejected"),
        Measure("withdrawn"),
        Measure("in_progress"),
        Measure("reviewed"),
        Measure("review_lead_time_days", "median", ("reviewed",)),
    ),
    identities=(("submitted", ("approved", "rejected", "withdrawn", "in_progress")),),
    derive=_derive_initiatives,
)

MONEY = AreaSpec(
    dimensions=("administration", "theme", "organizer_kind"),
    measures=(
        Measure("initiatives"),
        Measure("requested_sek", "amount", ("initiatives",)),
        Measure("own_funding_sek", "amount", ("initiatives",)),
    ),
)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)


def initiative_editions(model: ReadModel) -> dict[str, set[str]]:
    """Initiative id → its editions: those of its sessions; else the editions its proposed period
    overlaps; else the edition of the year it was received."""
    out: dict[str, set[str]] = defaultdict(set)
    for s in model.sessions.values():
        out[s["initiative_id"]].add(s["edition_id"])
    # Each edition's days parsed once, not once per initiative.
    periods = [(_day(e["starts_on"]), _day(e["ends_on"]), e["edition_id"]) for e in model.editions.values()]
    for i in model.initiatives.values():
        iid = i["initiative_id"]
        if out.get(iid):
            continue
        start, end = _day(i.get("period_start")), _day(i.get("period_end"))
        if start and end:
            for first, last, eid in periods:
                if start <= last and first <= end:
                    out[iid].add(eid)
        if not out.get(iid) and i.get("received_at"):
            year = _day(i["received_at"]).year
            out[iid].update(e["edition_id"] for e in model.editions.values() if e["year"] == year)
    return out


def initiative_dims(i: InitiativeSummary) -> dict[str, list[str]]:
    kind = i.get("organizer_kind")
    return {
        "organizer_kind": or_unknown([kind]),
        "administration": [i.get("organizer_name") or UNKNOWN] if kind == "administration" else [NOT_ADMINISTRATION],
        "organizer": or_unknown([i.get("organizer_name")]),
        "theme": or_unknown(i["themes"]),
        "target_group": or_unknown(i["target_groups"]),
        "district": or_unknown(i["districts"]),
        "language": or_unknown(i["languages"]),
        "origin": or_unknown([i.get("origin")]),
    }


def _lead_days(i: InitiativeSummary) -> float | None:
    if not i.get("first_decided_at") or not i.get("received_at"):
        return None
    delta = datetime.fromisoformat(i["first_decided_at"]) - datetime.fromisoformat(i["received_at"])
    return max(0.0, delta.total_seconds() / 86400)


def initiative_item(i: InitiativeSummary) -> Item:
    status = i["status"]
    lead = _lead_days(i)
    counts = {
        "submitted": 1,
        "approved": int(status == "approved"),
        "rejected": int(status == "rejected"),
        "withdrawn": int(status == "withdrawn"),
        "in_progress": int(status not in ("approved", "rejected", "withdrawn")),
        "reviewed": int(lead is not None),
    }
    return initiative_dims(i), counts, {"_lead_times": [lead] if lead is not None else []}


def money_item(i: InitiativeSummary) -> Item:
    return initiative_dims(i), {"initiatives": 1, "requested_sek": i["requested_sek"], "own_funding_sek": i["own_funding_sek"]}, {}
