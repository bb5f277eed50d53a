"""The retention rule: a registrant's contact is kept until ``CONTACT_RETENTION_DAYS`` (default 90)
days after the session ended, then erased (``usecases/retention.py`` applies it on a timer)."""

from collections.abc import Iterable
from datetime import datetime, timedelta


def past_retention(sessions: Iterable[dict], now: datetime, days: int) -> list[str]:
    """The ids of the sessions whose contacts are due for erasure at ``now``: those that ended more
    than ``days`` days before it. A session without an end (a draft) never is; a cancelled one
    counts from the end it had. Sorted, so a sweep goes in a stable order."""
    cutoff = now - timedelta(days=days)
    return sorted(s["session_id"] for s in sessions if s.get("ends_at") and _aware(s["ends_at"]) < cutoff)


def _aware(value: str | datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
