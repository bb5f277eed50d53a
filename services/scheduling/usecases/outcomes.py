"""Turning a decision's outcome into the problem the edge answers."""

from services.scheduling.domain.refusals import Refused
from shared.db.aggregates import Changed


def accepted(changed: Changed) -> Changed:
    """``changed``, unless its decision refused (its outcome is a ``Refused``, nothing was written): raised."""
    if isinstance(changed.outcome, Refused):
        raise changed.outcome
    return changed
