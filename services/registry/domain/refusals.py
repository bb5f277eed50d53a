"""A decision's refusal: the outcome a decision returns when a step cannot be taken, and what a use
case raises so the HTTP edge answers it as a 4xx naming the field and the reason."""


class Refused(Exception):
    """A step that cannot be taken now: ``status`` for the HTTP answer, the field, a stable code, words."""

    def __init__(self, status: int, field: str, code: str, message: str):
        super().__init__(message)
        self.status, self.field, self.code, self.message = status, field, code, message

    def detail(self) -> list[dict[str, str]]:
        return [{"field": self.field, "code": self.code, "message": self.message}]


def raise_refusal(outcome: object) -> None:
    """Raise a decision's outcome if it is a refusal (a use case's step after the store's change)."""
    if isinstance(outcome, Refused):
        raise outcome
