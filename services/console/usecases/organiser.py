"""The organiser's initiative form as the registry's submission, and back (pure).

The form's fields are named by the content's paths (``title.sv``, ``period.start``), so a reason
the registry gives for ``data.title.sv`` or ``data.themes.2`` lands beside its field. Nothing is
checked here: what the person typed goes to the registry as typed (a blank optional field is left
out, a blank required one is sent blank), and the registry's answer says what is wrong.
"""

import re
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from services.console.usecases.form_fields import Chosen  # each field's values (several for checkboxes)
from shared.events.initiatives import InitiativeSubmittedV1, InitiativeWithdrawnV1


LOCALIZED = ("title", "summary", "description")
REQUIRED_LOCALIZED = ("title", "summary")
LOCALIZED_FIELD = re.compile(r"(title|summary|description)\.([a-z]{2,3})")
CHECKBOXES = ("themes", "target_groups", "districts", "languages", "accessibility")
GROUPS = {"period": ("start", "end"), "budget": ("requested_sek", "own_funding_sek"), "contact": ("name", "email", "phone")}
FIELDS = ("title.sv", "title.en", "summary.sv", "summary.en", "description.sv", "description.en", "organizer.kind", "organizer.name",
          *CHECKBOXES, "origin", "period.start", "period.end", "expected_participants", "budget.requested_sek",
          "budget.own_funding_sek", "links", "contact.name", "contact.email", "contact.phone")
# A reason about a whole group is shown beside the field that names it best.
GROUP_FIELD = {"title": "title.sv", "summary": "summary.sv", "description": "description.sv", "organizer": "organizer.name",
               "period": "period.end", "budget": "budget.requested_sek", "contact": "contact.name"}


def new_external_id() -> str:
    """The console's id for a new initiative of the organiser's: short, random, fixed for the form's
    life (a hidden field), so a form sent again after a refusal is the same initiative."""
    return f"web-{secrets.token_hex(6)}"


def one(chosen: Chosen, name: str) -> str:
    return (chosen.get(name) or [""])[0].strip()


def _written_in(chosen: Chosen) -> list[str]:
    """The languages the form holds texts in (``title.ar`` …), in the form's order."""
    found = (LOCALIZED_FIELD.fullmatch(name) for name in chosen)
    return list(dict.fromkeys(m.group(2) for m in found if m))


def text_languages(offered: list[str], chosen: Chosen) -> list[str]:
    """The languages the form asks texts in: the platform's (Swedish first), then any other the
    initiative already has, so a revision shows and keeps every text it was given."""
    return list(dict.fromkeys(["sv", *offered, *_written_in(chosen)]))


def content_of(chosen: Chosen) -> dict[str, Any]:
    """The submission's content from the form: blank optional parts left out; texts in every
    language the form holds (Swedish always sent, so the registry names it when it is missing)."""
    content: dict[str, Any] = {}
    languages = list(dict.fromkeys(["sv", *_written_in(chosen)]))
    for name in LOCALIZED:
        texts = {lang: one(chosen, f"{name}.{lang}") for lang in languages}
        if name in REQUIRED_LOCALIZED or any(texts.values()):
            content[name] = {"sv": texts["sv"], **{lang: text for lang, text in texts.items() if text and lang != "sv"}}
    content["organizer"] = {"kind": one(chosen, "organizer.kind"), "name": one(chosen, "organizer.name")}
    for name in CHECKBOXES:
        content[name] = [v for v in chosen.get(name, []) if v]
    content["origin"] = one(chosen, "origin")
    for group, parts in GROUPS.items():
        given = {part: one(chosen, f"{group}.{part}") for part in parts}
        if any(given.values()):
            content[group] = {part: v for part, v in given.items() if v or group == "period" or part == "name"}
    if one(chosen, "expected_participants"):
        content["expected_participants"] = one(chosen, "expected_participants")
    content["links"] = [line.strip() for line in one(chosen, "links").splitlines() if line.strip()]
    return content


def form_of(content: dict[str, Any] | None) -> Chosen:
    """The form filled with an initiative's content (what ``content_of`` reads back the same)."""
    content = content or {}
    chosen: Chosen = {name: [str(v) for v in content.get(name) or []] for name in CHECKBOXES}
    for group in (*LOCALIZED, "organizer", *GROUPS):
        for part, value in (content.get(group) or {}).items():
            if value is not None:
                chosen[f"{group}.{part}"] = [str(value)]
    for name in ("origin", "expected_participants"):
        if content.get(name) is not None:
            chosen[name] = [str(content[name])]
    chosen["links"] = ["\n".join(str(link) for link in content.get("links") or [])]
    return chosen


def field_of(path: str) -> str:
    """The form field a registry reason names: ``data.title.sv`` → ``title.sv``, ``data.themes.2``
    → ``themes``, ``data.period`` → ``period.end``; anything else as it came (shown above the form)."""
    parts = [p for p in path.removeprefix("data.").split(".") if not p.isdigit()]
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in FIELDS or LOCALIZED_FIELD.fullmatch(name):
            return name
        if name in GROUP_FIELD:
            return GROUP_FIELD[name]
    return path


def placed(reasons: list[dict]) -> list[dict]:
    """The registry's reasons, each with ``field`` the form field it belongs beside."""
    return [{**r, "field": field_of(r.get("field") or "")} for r in reasons]


def _event(source: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": source, "type": event_type, "subject": data["external_id"],
            "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json", "data": data}


def submission(source: str, external_id: str, revision: int | str, content: dict[str, Any]) -> dict[str, Any]:
    """The CloudEvent a publisher sends for a revision of its initiative (``POST /v1/submissions``)."""
    return _event(source, InitiativeSubmittedV1.event_type, {"external_id": external_id, "revision": revision, **content})


def withdrawal(source: str, external_id: str, revision: int, reason: str) -> dict[str, Any]:
    """The CloudEvent a publisher sends to withdraw its initiative, at its current revision."""
    data = {"external_id": external_id, "revision": revision, **({"reason": reason} if reason.strip() else {})}
    return _event(source, InitiativeWithdrawnV1.event_type, data)
