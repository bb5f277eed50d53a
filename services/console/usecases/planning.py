"""The planning forms as scheduling's request bodies, and scheduling's answers as the forms show
them again (pure: forms in, bodies out; answers in, rows out).

The console checks nothing a form says: an empty field is left out (scheduling names it if it
needs it), a whole number is sent as a JSON number and anything else in a number field as typed
(scheduling's schema takes integers as numbers only), a day is sent as typed, and a time it
cannot read as Malmö time is sent as typed too — scheduling's refusal is what the page shows,
beside the field it names.
"""

from datetime import datetime

from services.console.usecases.form_fields import Chosen, Form
from services.console.usecases.scheduler import TZ, local


# scheduling's edition field → the form's field (its label key too)
EDITION_FIELDS = {"edition_id": "pl_edition_id", "name.sv": "pl_name_sv", "name.en": "pl_name_en", "name": "pl_name_sv", "year": "pl_year",
                  "starts_on": "pl_starts_on", "ends_on": "pl_ends_on", "submission_opens_on": "pl_submission_opens_on",
                  "submission_closes_on": "pl_submission_closes_on", "budget_sek": "pl_budget_sek",
                  "changeover_minutes": "pl_changeover_minutes", "reminder_hours_before": "pl_reminder_hours_before"}
VENUE_FIELDS = {"name": "pl_venue_name", "address": "pl_address", "district": "pl_district", "capacity": "pl_capacity",
                "accessibility": "pl_accessibility", "languages": "pl_languages", "availability": "pl_availability"}
MOVE_FIELDS = {"starts_at": "pl_starts_at", "ends_at": "pl_ends_at", "venue_id": "pl_venue_id", "schedule": "pl_starts_at"}
FLAT = [k for k in EDITION_FIELDS if "." not in k and k != "name"]
NUMBERS = {"year", "budget_sek", "changeover_minutes", "reminder_hours_before", "capacity", "duration_minutes"}
SESSION_FIELDS = {"initiative_id": "pl_initiative_id", "duration_minutes": "pl_duration_minutes", "capacity": "pl_session_capacity",
                  "languages": "pl_session_languages", "venue_id": "pl_session_venue_id", "registration_required": "pl_registration_required"}


def as_typed(field: str, text: str) -> int | str:
    """A number field's whole number as a JSON number; any other text as typed."""
    if field in NUMBERS and text.lstrip("-").isdigit() and text.isascii():
        return int(text)
    return text


def edition_body(form: Form, new: bool) -> dict:
    """``POST /v1/editions`` (``new``) or the ``PATCH``'s changes: the fields filled in."""
    body = {k: as_typed(k, form[f].strip()) for k, f in EDITION_FIELDS.items() if k in FLAT and form.get(f, "").strip()}
    if not new:
        body.pop("edition_id", None), body.pop("year", None)
    name = {lang: form.get(f"pl_name_{lang}", "").strip() for lang in ("sv", "en")}
    if any(name.values()):
        body["name"] = {lang: text for lang, text in name.items() if text}
    return body


def edition_chosen(edition: dict) -> Chosen:
    """The edition as its change form shows it."""
    chosen = {EDITION_FIELDS[k]: [str(edition[k])] for k in FLAT if edition.get(k) is not None}
    for lang in ("sv", "en"):
        chosen[f"pl_name_{lang}"] = [(edition.get("name") or {}).get(lang, "")]
    return chosen


def at(typed: str) -> str:
    """A time typed as Malmö time (``2026-12-10T09:00`` or ``2026-12-10 09:00``) → with its offset;
    what cannot be read so is sent as typed (scheduling refuses it by its field)."""
    try:
        moment = datetime.fromisoformat(typed.strip())
    except ValueError:
        return typed.strip()
    return (moment if moment.tzinfo else moment.replace(tzinfo=TZ)).isoformat()


def windows(text: str) -> list[dict]:
    """The availability field, one window a line: ``2026-12-10 09:00 17:00`` (Malmö time)."""
    found = []
    for line in (raw.split() for raw in text.splitlines() if raw.strip()):
        day, start, end = (line + ["", "", ""])[:3]
        found.append({"starts_at": at(f"{day} {start}"), "ends_at": at(end if "T" in end else f"{day} {end}")})
    return found


def windows_text(availability: list[dict]) -> str:
    lines = []
    for w in availability:
        start, end = local(w["starts_at"]), local(w["ends_at"])
        lines.append(f"{start:%Y-%m-%d %H:%M} {end:%H:%M}" if start.date() == end.date() else f"{start:%Y-%m-%d %H:%M} {end:%Y-%m-%dT%H:%M}")
    return "\n".join(lines)


def venue_body(form: Form, accessibility: list[str]) -> dict:
    """``POST``/``PUT /v1/venues``: the form's fields, the accessibility boxes ticked, the languages
    as a comma list, the availability as windows."""
    body = {k: as_typed(k, form.get(f, "").strip()) for k, f in VENUE_FIELDS.items() if k in ("name", "address", "district", "capacity")}
    return {**body, "accessibility": accessibility, "availability": windows(form.get("pl_availability", "")),
            "languages": [code.strip() for code in form.get("pl_languages", "").split(",") if code.strip()]}


def venue_chosen(venue: dict) -> Chosen:
    chosen = {f: [str(venue.get(k, ""))] for k, f in VENUE_FIELDS.items() if k in ("name", "address", "district", "capacity")}
    return {**chosen, "pl_accessibility": list(venue.get("accessibility") or []), "pl_languages": [", ".join(venue.get("languages") or [])],
            "pl_availability": [windows_text(venue.get("availability") or [])]}


def session_body(form: Form, edition_id: str) -> dict:
    """``POST /v1/sessions``: an unplaced session (no time yet: the placement proposes one) of the
    chosen initiative in this edition, with the fields filled in; the venue only when one is chosen."""
    body = {k: form.get(f, "").strip() for k, f in SESSION_FIELDS.items() if k in ("initiative_id", "duration_minutes", "capacity")}
    body = {"edition_id": edition_id, "status": "draft", **{k: as_typed(k, v) for k, v in body.items() if v},
            "registration_required": form.get("pl_registration_required") == "yes",
            "languages": [code.strip() for code in form.get("pl_session_languages", "").split(",") if code.strip()]}
    if form.get("pl_session_venue_id"):
        body["venue_id"] = form["pl_session_venue_id"]
    return body


def move_changes(form: Form) -> dict:
    """``PATCH /v1/sessions/{id}``: the new start, end and venue, those filled in."""
    changes = {k: at(form[f]) for k, f in MOVE_FIELDS.items() if k in ("starts_at", "ends_at") and form.get(f, "").strip()}
    if form.get("pl_venue_id"):
        changes["venue_id"] = form["pl_venue_id"]
    return changes


def move_chosen(session: dict) -> Chosen:
    return {"pl_starts_at": [f"{local(session.get('starts_at')):%Y-%m-%dT%H:%M}" if session.get("starts_at") else ""],
            "pl_ends_at": [f"{local(session.get('ends_at')):%Y-%m-%dT%H:%M}" if session.get("ends_at") else ""],
            "pl_venue_id": [(session.get("venue") or {}).get("venue_id") or ""]}


def proposal_rows(proposal: dict, sessions: list[dict]) -> tuple[list[dict], list[dict]]:
    """The proposal as the page shows it: each placement with its session (title, initiative) and
    every warning naming it; each unplaced session with its reason."""
    of = {s["session_id"]: s for s in sessions}
    warned = [w for w in proposal.get("warnings") or []]
    placed = [{**p, "session": of.get(p["session_id"], {}),
               "warnings": [w for w in warned if p["session_id"] in (w.get("session_id"), w.get("other_session_id"))]}
              for p in proposal.get("placements") or []]
    unplaced = [{**u, "session": of.get(u["session_id"], {})} for u in proposal.get("unplaced") or []]
    return placed, unplaced


def placement_value(p: dict) -> str:
    """A placement as the accept form carries it (hidden): the proposal exactly as shown."""
    return " ".join((p["session_id"], p["venue_id"], p["starts_at"], p["ends_at"]))


def placements_of(form: Form) -> list[dict]:
    """The accept form's placements back as scheduling takes them."""
    keys = sorted((k for k in form if k.startswith("placement-")), key=lambda k: int(k.split("-")[1]) if k.split("-")[1].isdigit() else 0)
    parts = [form[k].split(" ") for k in keys]
    return [dict(zip(("session_id", "venue_id", "starts_at", "ends_at"), p)) for p in parts if len(p) == 4]
