"""What scheduling keeps of the registry's initiatives, and what it shows of them (pure).

The copy keeps what residents read about a session in the programme (``about``): the summary
and the description (by language) and the target groups. A copy whose status is ``CLOSED``
(withdrawn or rejected) cancels the initiative's sessions (``adapters/initiatives.py``).
"""

from services.scheduling.domain.states import InitiativeCopy
from shared.events.initiatives import InitiativeState

CLOSED = ("withdrawn", "rejected")
ABOUT = ("summary", "description", "target_groups")


def about(copy: InitiativeCopy) -> dict:
    """What the programme shows of an initiative beside each of its sessions."""
    return {"summary": copy.get("summary"), "description": copy.get("description"), "target_groups": copy.get("target_groups", [])}


def copy_of(data: InitiativeState) -> InitiativeCopy:
    content = data.content.model_dump(mode="json", exclude_none=True) if data.content else {}
    return {
        "initiative_id": data.initiative_id,
        "source": data.source,
        "status": data.status.value,
        "stamped": data.stamped,
        "title": content.get("title"),
        "summary": content.get("summary"),
        "description": content.get("description"),
        "target_groups": content.get("target_groups", []),
        "organizer": content.get("organizer"),
        "themes": content.get("themes", []),
        "districts": content.get("districts", []),
        "languages": content.get("languages", []),
        "accessibility": content.get("accessibility", []),
        "period": content.get("period"),
    }


def organizer_key(initiative: InitiativeCopy) -> str:
    """One organiser (a source and the organiser's name) is never in two places at once."""
    name = ((initiative.get("organizer") or {}).get("name") or "").strip().casefold()
    return f"{initiative['source']}|{name}"
