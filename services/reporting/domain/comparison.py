"""The rebuild's comparison, pure: every figure the service answers, of two models, side by side.

The figures are a pure function of the model whatever the order its summaries came in, so equal
models have equal figures (``compare`` only computes them to say which differ).
"""

from services.reporting.domain.figures import all_figures
from services.reporting.domain.initiative_items import initiative_editions
from services.reporting.domain.model import KINDS, ReadModel
from services.reporting.domain.tables import AREAS, items_by_edition
from services.reporting.domain.trends import trends


def everything(model: ReadModel, threshold: int | None, by_edition: dict | None = None) -> dict:
    """Every figure the service answers: each edition's areas, and the trends. ``by_edition``:
    ``counted(model)``, when the caller asks for several thresholds of the same model."""
    by_edition = counted(model) if by_edition is None else by_edition
    return {
        "editions": {eid: all_figures(model, eid, threshold, by_edition=by_edition) for eid in sorted(model.editions)},
        "trends": trends(model, threshold, by_edition=by_edition),
    }


def counted(model: ReadModel) -> dict:
    """Each area's items by edition, made in one walk of the model: the comparison is linear in
    the aggregates, where a walk per edition (and per threshold) made it grow with their product."""
    member = initiative_editions(model)
    return {area: items_by_edition(model, area, member) for area in AREAS}


def figures(model: ReadModel, threshold: int) -> dict:
    """What the rebuild compares: every figure unsuppressed and as the public sees it."""
    by_edition = counted(model)
    return {"raw": everything(model, None, by_edition), "public": everything(model, threshold, by_edition)}


def compare(live: ReadModel, rebuilt: ReadModel, threshold: int) -> list[str]:
    """Where the figures of the two models differ, raw and public. The figures are a pure function
    of the model whatever the order its summaries came in, so equal models have equal figures:
    they are computed and compared only when the models differ, to say which figures do."""
    if all(getattr(live, kind) == getattr(rebuilt, kind) for kind in KINDS):
        return []
    return differences(figures(live, threshold), figures(rebuilt, threshold))


def differences(a: dict, b: dict, path: str = "") -> list[str]:
    """Paths where two JSON documents differ (deep equality, for the rebuild's report)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}")
            else:
                out += differences(a[k], b[k], f"{path}/{k}")
        return out
    return [] if a == b else [path or "/"]
