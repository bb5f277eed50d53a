"""What the analyst's page shows of reporting's answers (pure: the answers in, rows out): the
headline figures of each edition, and each export with what it holds, in reporting's own words."""

from typing import Any


def number(value: Any, kind: str, lang: str) -> str:
    """A figure as the page's language writes it: thousands apart, a decimal comma in Swedish, a
    rate in per cent (an amount's unit is in reporting's label); a figure not given is "–"."""
    if value is None:
        return "–"
    if kind == "ratio":
        text = f"{value * 100:.1f} %"
    elif kind == "median":
        text = f"{value:.1f}"
    else:
        text = f"{int(value):,}"
    if lang == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def headline(trends: dict, lang: str) -> dict:
    """The trends as a table that stays narrow however many measures: a row per measure (its
    label), a column per edition (its name), each edition's figure in the page's language."""
    editions = trends.get("rows") or []
    rows = [{"measure": m.get("label") or m["id"], "cells": [number(e["values"].get(m["id"]), m.get("kind", "count"), lang) for e in editions]}
            for m in trends.get("measures") or []]
    return {"editions": [e.get("label") or e.get("category") for e in editions], "rows": rows if editions else []}


def exports_of(area: str, figures: dict) -> dict:
    """An area's exports: its unsuppressed whole (``<area>.json``) and each table (CSV, JSON-stat),
    each named by reporting's label with the measures it holds."""
    tables = [{"dimension": dimension, "label": table.get("label") or dimension,
               "holds": ", ".join(m.get("label") or m["id"] for m in table.get("measures") or []),
               "csv": f"{area}-{dimension}.csv", "jsonstat": f"{area}-{dimension}.jsonstat.json"}
              for dimension, table in (figures.get("tables") or {}).items()]
    return {"area": area, "whole": f"{area}.json", "tables": tables}
