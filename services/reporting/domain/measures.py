"""What every reporting area is made of: measures, area specs, items, and the category names.

An area's figures are tables of measures by dimension (``domain/tables.py``); each area's
items say what one initiative, session, registration or delivery contributes to them.
"""

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

TOTAL = "_total"
UNKNOWN = "_unknown"
NOT_ADMINISTRATION = "_not_administration"


class UnknownArea(ValueError):
    pass


class UnknownDimension(ValueError):
    pass


@dataclass(frozen=True)
class Measure:
    id: str
    kind: str = "count"  # count | amount (SEK) | ratio | median | mean
    depends: tuple[str, ...] = ()  # the counts whose masking masks this one


@dataclass(frozen=True)
class AreaSpec:
    dimensions: tuple[str, ...]
    measures: tuple[Measure, ...]
    identities: tuple[tuple[str, tuple[str, ...]], ...] = ()  # whole = sum(parts), in each row
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def or_unknown(values: Iterable[str | None]) -> list[str]:
    vs = sorted({v for v in values if v})
    return vs or [UNKNOWN]


Item = tuple[dict[str, list[str]], dict[str, float], dict[str, list[float]]]
