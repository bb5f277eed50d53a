"""The participation area's items: what each session and registration counts in it."""

from services.reporting.domain.measures import UNKNOWN, AreaSpec, Item, Measure, or_unknown, ratio
from services.reporting.domain.states import RegistrationSummary, SessionSummary


def _derive_participation(row: dict) -> dict:
    return {
        "fill_rate": ratio(row["participants"], row["seats_offered"]),
        "no_show_rate": ratio(row["attendance_base"] - row["attended"], row["attendance_base"]),
    }


PARTICIPATION = AreaSpec(
    dimensions=("theme", "district", "language", "organizer_kind", "organizer"),
    measures=(
        Measure("sessions"),
        Measure("cancelled_sessions"),
        Measure("seats_offered"),
        Measure("registrations"),
        Measure("participants"),
        Measure("waitlisted"),
        Measure("attendance_base"),
        Measure("attended"),
        Measure("fill_rate", "ratio", ("participants", "seats_offered")),
        Measure("no_show_rate", "ratio", ("attendance_base", "attended")),
    ),
    derive=_derive_participation,
)


def session_dims(s: SessionSummary | None) -> dict[str, list[str]]:
    if s is None:
        return {d: [UNKNOWN] for d in ("theme", "district", "language", "organizer_kind", "organizer")}
    return {
        "theme": or_unknown(s["themes"]),
        "district": or_unknown(s["districts"]),
        "language": or_unknown(s["languages"]),
        "organizer_kind": or_unknown([s.get("organizer_kind")]),
        "organizer": or_unknown([s.get("organizer_name")]),
    }


def session_item(dims: dict[str, dict[str, list[str]]], s: SessionSummary) -> Item:
    live = s["status"] != "cancelled"
    counts = {
        "sessions": int(live and s["status"] != "draft"),
        "cancelled_sessions": int(not live),
        "seats_offered": s["capacity"] if live and s["registration_required"] and s["status"] != "draft" else 0,
    }
    return dims[s["session_id"]], counts, {}


def registration_item(dims: dict[str, dict[str, list[str]]], unknown: dict[str, list[str]], taken: set[str], r: RegistrationSummary) -> Item:
    confirmed = r["status"] == "confirmed"
    party = r["party_size"]
    counts = {
        "registrations": int(confirmed),
        "participants": party if confirmed else 0,
        "waitlisted": int(r["status"] == "waitlisted"),
        "attendance_base": party if confirmed and r["session_id"] in taken else 0,
        "attended": party if confirmed and r["attended"] else 0,
    }
    return dims.get(r["session_id"], unknown), counts, {}
