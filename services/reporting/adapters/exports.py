"""Exports, pure: labelled tables, CSV for Swedish Excel, and JSON-stat 2.0 datasets.

- CSV: UTF-8 with a byte-order mark (Excel then reads it as UTF-8), `;` between fields, decimal
  comma, CRLF line ends; a suppressed cell is `..` (the statistical offices' sign), a cell nothing
  measures (whether an email arrived) is `.`.
- JSON-stat 2.0 (https://json-stat.org/full/): one dataset of the table's dimension × measure,
  labels in the asked language and the other language under `extension.labels`, suppressed
  cells `null` in `value` with status `..`, cells nothing measures `null` with status `.`.
"""

import csv
import io
from typing import Any

from services.reporting.domain.labels import AREAS, CATEGORIES, DIMENSIONS, LANGS, MEASURES, VOCABULARY_OF, label
from services.reporting.domain.measures import TOTAL
from shared.vocabularies import VocabularyCopies

SUPPRESSED = ".."
NOT_KNOWN = "."  # nothing measures it (an email's arrival): the statistical offices' "cannot be given"


def category_label(dimension: str, key: str, lang: str, vocabularies: VocabularyCopies | None = None) -> str:
    """A category's label: the registry's, where the dimension's categories are a vocabulary's
    codes and the copy followed here knows the code; else reporting's own (totals, kinds, …)."""
    name = VOCABULARY_OF.get(dimension)
    if vocabularies is not None and name is not None and key in vocabularies.terms.get(name, {}):
        return vocabularies.label(name, key, lang)
    return label(CATEGORIES, key, lang)


def labelled(table: dict, lang: str, vocabularies: VocabularyCopies | None = None) -> dict:
    """The table with `label` on the table, its measures and its rows (``vocabularies``: the
    registry's, followed; without them a vocabulary's code is shown made readable)."""
    return {
        **table,
        "label": f"{label(AREAS, table['area'], lang) if table['area'] in AREAS else table['area']} — {label(DIMENSIONS, table['dimension'], lang)}",
        "measures": [{**m, "label": label(MEASURES, m["id"], lang)} for m in table["measures"]],
        "rows": [{**r, "label": _row_label(table, r, lang, vocabularies)} for r in table["rows"]],
        **({"total": {**table["total"], "label": label(CATEGORIES, TOTAL, lang)}} if "total" in table else {}),
    }


def _row_label(table: dict, row: dict, lang: str, vocabularies: VocabularyCopies | None = None) -> str:
    if table["dimension"] == "edition":
        return row.get("name", {}).get(lang) or row.get("name", {}).get("sv") or row["category"]
    return category_label(table["dimension"], row["category"], lang, vocabularies)


def _number(value: Any, kind: str) -> str:
    if value is None:
        return SUPPRESSED
    if kind == "ratio":
        return f"{value:.4f}".replace(".", ",")
    if kind == "mean":
        return f"{value:.2f}".replace(".", ",")
    if kind == "median":
        return f"{value:.1f}".replace(".", ",")
    return str(int(value))


def to_csv(table: dict, lang: str, vocabularies: VocabularyCopies | None = None) -> bytes:
    t = labelled(table, lang, vocabularies)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([label(DIMENSIONS, t["dimension"], lang) if t["dimension"] in DIMENSIONS else t["dimension"], *[m["label"] for m in t["measures"]]])
    rows = t["rows"] + ([t["total"]] if "total" in t else [])
    for r in rows:
        unknown = r.get("not_known", ())
        w.writerow([r["label"], *[NOT_KNOWN if m["id"] in unknown else _number(r["values"][m["id"]], m["kind"]) for m in t["measures"]]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_jsonstat(table: dict, lang: str, vocabularies: VocabularyCopies | None = None) -> dict:
    """A JSON-stat 2.0 dataset: dimensions (the table's, then `measure`), row-major values."""
    other = [x for x in LANGS if x != lang][0]
    t, o = labelled(table, lang, vocabularies), labelled(table, other, vocabularies)
    dim = table["dimension"]
    rows = t["rows"] + ([t["total"] | {"category": TOTAL}] if "total" in t else [])
    other_rows = o["rows"] + ([o["total"] | {"category": TOTAL}] if "total" in o else [])
    measures = t["measures"]
    values: list[Any] = []
    status: dict[str, str] = {}
    for r in rows:
        for m in measures:
            v = r["values"][m["id"]]
            if m["id"] in r["masked"]:
                status[str(len(values))] = SUPPRESSED
            elif m["id"] in r.get("not_known", ()):
                status[str(len(values))] = NOT_KNOWN
            values.append(v)
    decimals = {"ratio": 4, "median": 1, "mean": 2}
    return {
        "version": "2.0",
        "class": "dataset",
        "label": t["label"],
        "source": "Malmö stad — Öppna Malmö",
        "id": [dim, "measure"],
        "size": [len(rows), len(measures)],
        "role": {"metric": ["measure"]},
        "dimension": {
            dim: {
                "label": label(DIMENSIONS, dim, lang) if dim in DIMENSIONS else dim,
                "category": {
                    "index": {r["category"]: i for i, r in enumerate(rows)},
                    "label": {r["category"]: r["label"] for r in rows},
                },
                "extension": {"labels": {other: {r["category"]: r["label"] for r in other_rows}}},
            },
            "measure": {
                "label": label(DIMENSIONS, "measure", lang),
                "category": {
                    "index": {m["id"]: i for i, m in enumerate(measures)},
                    "label": {m["id"]: m["label"] for m in measures},
                    "unit": {m["id"]: {"decimals": decimals.get(m["kind"], 0)} for m in measures},
                },
                "extension": {"labels": {other: {m["id"]: m["label"] for m in o["measures"]}}},
            },
        },
        "value": values,
        "status": status,
        "extension": {
            "lang": lang,
            "label": {other: o["label"]},
            "suppressed": table["suppressed"],
            "threshold": table["threshold"],
            "edition_id": table.get("edition_id"),
        },
    }
