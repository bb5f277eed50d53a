"""A statistics snapshot, pure: the event of an edition's suppressed figures as they are now.

Its event id follows from (edition, figures hash), so the same figures make the same event: a
re-publication after a crash is recognisably the same event, and unchanged figures are
recognised as published (``usecases/snapshots.py``).
"""

import hashlib
import json
import uuid
from datetime import datetime

from services.reporting.domain.figures import all_figures
from services.reporting.domain.model import ReadModel
from services.reporting.domain.states import PublishedSnapshot
from shared.envelope import Envelope, new_event
from shared.events.reporting import SnapshotReason, StatisticsPublishedV1

SOURCE = "urn:malmo:oppna:reporting"


def figures_hash(figures: dict) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def snapshot_event(model: ReadModel, edition_id: str, threshold: int, reason: SnapshotReason, now: datetime) -> Envelope:
    """The snapshot event of an edition's figures as they are now."""
    figures = all_figures(model, edition_id, threshold)
    digest = figures_hash(figures)
    data = StatisticsPublishedV1(
        edition_id=edition_id,
        edition_year=model.editions[edition_id]["year"],
        reason=reason,
        threshold=threshold,
        figures_hash=digest,
        figures=figures,
        computed_at=now,
    )
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{SOURCE}|statistics|{edition_id}|{digest}"))
    return new_event(data, source=SOURCE, subject=edition_id, event_id=event_id, time=now)


def published_snapshot(event: Envelope) -> PublishedSnapshot:
    """What is kept of a snapshot published, by its event id."""
    data = event.data
    return {"edition_id": data["edition_id"], "reason": data["reason"], "figures_hash": data["figures_hash"], "at": event.time.isoformat()}
