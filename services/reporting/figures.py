"""The pure part of reporting: what one initiative contributes, and the counts over all of them."""

from collections import Counter
from dataclasses import dataclass, field


def summary_of(state: dict, version: int) -> dict:
    """What reporting keeps of an initiative: no text, no contact, only what is counted."""
    content = state.get("content") or {}
    return {
        "initiative_id": state["initiative_id"],
        "version": version,
        "source": state["source"],
        "status": state["status"],
        "stamped": state["stamped"],
        "themes": content.get("themes", []),
        "organizer_kind": (content.get("organizer") or {}).get("kind"),
        "origin": content.get("origin"),
    }


@dataclass
class InitiativeFigures:
    """Counts over every initiative's latest summary, held in memory and refreshed by events."""

    summaries: dict[str, dict] = field(default_factory=dict)

    def put(self, summary: dict) -> None:
        self.summaries[summary["initiative_id"]] = summary

    def counts(self, source: str | None = None) -> dict:
        by_status: Counter = Counter()
        by_theme: Counter = Counter()
        by_kind: Counter = Counter()
        by_origin: Counter = Counter()
        chosen = [s for s in self.summaries.values() if source is None or s["source"] == source]
        for s in chosen:
            by_status[s["status"]] += 1
            by_theme.update(s["themes"])
            if s["organizer_kind"]:
                by_kind[s["organizer_kind"]] += 1
            if s["origin"]:
                by_origin[s["origin"]] += 1
        return {
            "total": len(chosen),
            "by_status": dict(sorted(by_status.items())),
            "by_theme": dict(sorted(by_theme.items())),
            "by_organizer_kind": dict(sorted(by_kind.items())),
            "by_origin": dict(sorted(by_origin.items())),
        }
