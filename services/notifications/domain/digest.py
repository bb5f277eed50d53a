"""Which new published sessions match a subscriber's interests. Pure.

Each interest list narrows: an empty list means "any". A session matches when it shares at
least one theme, one district and one language with the non-empty lists.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Interests:
    themes: frozenset[str] = field(default_factory=frozenset)
    districts: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)

    @staticmethod
    def of(d: dict) -> "Interests":
        return Interests(frozenset(d.get("themes") or ()), frozenset(d.get("districts") or ()), frozenset(d.get("languages") or ()))


def _overlaps(wanted: frozenset[str], offered: Iterable[str]) -> bool:
    return not wanted or bool(wanted & set(offered))


def matches(session: dict, interests: Interests) -> bool:
    return (
        session.get("status") in ("published", "rescheduled")
        and _overlaps(interests.themes, session.get("themes") or ())
        and _overlaps(interests.districts, session.get("districts") or ())
        and _overlaps(interests.languages, session.get("languages") or ())
    )


def select(sessions: Iterable[dict], interests: Interests, limit: int = 20) -> list[dict]:
    """The matching sessions, soonest first, at most ``limit``."""
    chosen = [s for s in sessions if matches(s, interests)]
    chosen.sort(key=lambda s: (s["starts_at"], s["session_id"]))
    return chosen[:limit]
