"""The printable follow-up page of an edition for the city board: server-rendered HTML (Jinja2)
in every platform language with a label file (``adapters/page_language.py``), tables only (they
print), suppressed figures only, numbers by CLDR, a print stylesheet.

Every figure is the follow-up area's (``domain/follow_up.py``) as the public reads it, so the
page, the figures API and the exports always agree."""

from typing import Any

from services.reporting.adapters.charts import fmt
from services.reporting.adapters.dashboard import TEMPLATES
from services.reporting.adapters.exports import labelled
from services.reporting.domain.figures import area_figures
from services.reporting.domain.follow_up import FOLLOW_UP
from services.reporting.adapters.page_language import page_context
from services.reporting.domain.labels import MEASURES, label, page_words
from services.reporting.domain.model import ReadModel
from shared.vocabularies import VocabularyCopies

KINDS = {m.id: m.kind for m in FOLLOW_UP.measures}
MONEY = (("budget_sek", "amount"), ("granted", "count"), ("granted_sek", "amount"), ("remaining_sek", "amount"), ("share_granted", "ratio"),
         ("spent_sek", "amount"), ("share_spent", "ratio"), ("participants_per_ksek", "mean"))
REPORTS = ("in_follow_up", "granted", "reported", "share_reported", "participants_reported", "joint")
FEEDBACK = ("answers", "mean_score", "would_come_again", "share_again", "answers_per_session", "comments_released")
REACH = ("reported", "participants_reported", "joint")
BY_KIND = ("granted", "granted_sek", "reported", "spent_sek", "participants_reported", "answers", "mean_score")


def _pairs(values: dict[str, Any], measures: tuple, lang: str) -> list[tuple[str, str]]:
    """(label, formatted value) of each measure: (id, kind) pairs, or ids of the follow-up area."""
    out = []
    for m in measures:
        mid, kind = m if isinstance(m, tuple) else (m, KINDS[m])
        out.append((label(MEASURES, mid, lang), fmt(values.get(mid), "count" if kind == "amount" else kind, lang)))
    return out


def _table(table: dict, measures: tuple, lang: str) -> dict:
    """A dimension's table: rows of labelled categories, the measures' columns, the total last."""
    rows = [(r["label"], [v for _, v in _pairs(r["values"], measures, lang)]) for r in [*table["rows"], table["total"]]]
    return {"columns": [label(MEASURES, m, lang) for m in measures], "rows": rows, "header": table["label"].split(" — ")[-1]}


def render(model: ReadModel, edition_id: str | None, lang: str, threshold: int, vocabularies: VocabularyCopies | None = None) -> str:
    t = page_words("follow_up", lang)
    edition_id, context = page_context(model, edition_id, lang, threshold, t, vocabularies)
    context["edition_name"] = None
    if edition_id is not None:
        fu = area_figures(model, edition_id, "follow_up", threshold)
        tables = {d: labelled(tb, lang, vocabularies) for d, tb in fu["tables"].items()}
        total = fu["tables"]["organizer_kind"]["total"]["values"]
        name = model.editions[edition_id]["name"]
        context |= {
            "edition_name": name.get(lang) or name.get("sv") or edition_id,
            "context_pairs": {"money": _pairs(fu["budget"], MONEY, lang), "reports": _pairs(total, REPORTS, lang),
                              "feedback": _pairs(total, FEEDBACK, lang)},
            "tables": [(t["by_district"], _table(tables["district"], REACH, lang)),
                       (t["by_target_group"], _table(tables["target_group"], REACH, lang)),
                       (t["by_kind"], _table(tables["organizer_kind"], BY_KIND, lang))],
        }
    return TEMPLATES.get_template("follow_up.html").render(**context)
