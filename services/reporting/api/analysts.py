"""Analysts' tools: the rebuild that proves the live figures, and a snapshot published now."""

from fastapi import APIRouter, Depends

from services.reporting.api.deps import Analyst, ReadModelDep, SettingsDep, SnapshotsDep, fresh_labels, known_edition
from services.reporting.domain.comparison import compare
from services.reporting.usecases.rebuild import rebuild
from shared.events.reporting import SnapshotReason

router = APIRouter(dependencies=[Depends(fresh_labels)])


@router.post("/v1/rebuild", tags=["analysts"], summary="Replay every topic from the beginning into a fresh database and compare")
async def rebuild_now(_: Analyst, model: ReadModelDep, settings: SettingsDep, keep: bool = False) -> dict:
    """Equal figures prove the live read model; ``keep``: keep the rebuilt database to swap to."""
    rebuilt = await rebuild(settings, keep=keep)
    # Every figure, unsuppressed and as the public sees it (compared as models when equal).
    diff = compare(model, rebuilt.model, settings.suppression_threshold)
    return {
        "equal": not diff,
        "differences": diff[:100],
        "events": rebuilt.events,
        "skipped": rebuilt.skipped,
        # > 0: events came in after the replay's end offsets; the live figures may be ahead.
        "arrived_during_replay": rebuilt.arrived,
        "database": rebuilt.database,
        "live": model.counts(),
        "rebuilt": rebuilt.model.counts(),
    }


@router.post("/v1/editions/{edition_id}/snapshots", tags=["analysts"], summary="Publish the edition's statistics snapshot now")
async def snapshot_now(_: Analyst, model: ReadModelDep, snapshots: SnapshotsDep, edition_id: str) -> dict:
    known_edition(model, edition_id)
    event_id = await snapshots.publish(edition_id, SnapshotReason.scheduled)
    return {"published": event_id is not None, "event_id": event_id}
