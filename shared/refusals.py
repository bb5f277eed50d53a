"""A decision's refusal: the outcome a pure decision returns when a step cannot be taken, and what a
use case raises so the HTTP edge answers it as a 4xx naming the field and the reason
(``shared/http.refused_response``). Imports no I/O package: domain modules use it."""

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from shared.db.aggregates import Changed

C = TypeVar("C", bound="Changed")


class Refused(Exception):
    """A step that cannot be taken now: ``status`` for the HTTP answer, the field, a stable code,
    words, and machine-readable particulars beside them (``facts``, e.g. when check-in opens)."""

    def __init__(self, status: int, field: str, code: str, message: str, **facts: Any):
        super().__init__(message)
        self.status, self.field, self.code, self.message = status, field, code, message
        self.facts = facts

    def detail(self) -> list[dict[str, Any]]:
        return [{"field": self.field, "code": self.code, "message": self.message, **self.facts}]


def accepted(changed: C) -> C:
    """``changed`` (what the store's change did), unless its decision refused: then its ``Refused``
    outcome is raised (nothing was written)."""
    if isinstance(changed.outcome, Refused):
        raise changed.outcome
    return changed
