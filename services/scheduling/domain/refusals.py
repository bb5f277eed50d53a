"""A decision's refusal: what a decision returns as its outcome when it will not change the state,
and what a use case raises so the edge answers it as a 4xx naming the field and the reason."""

from typing import Any


class Refused(Exception):
    """A decision's refusal, naming the field and the reason (answered as a 4xx)."""

    def __init__(self, status: int, field: str, code: str, message: str, **facts: Any):
        super().__init__(message)
        self.status = status
        self.field = field
        self.code = code
        self.message = message
        self.facts = facts  # machine-readable particulars beside the message (e.g. when check-in opens)

    def detail(self) -> list[dict]:
        return [{"field": self.field, "code": self.code, "message": self.message, **self.facts}]
