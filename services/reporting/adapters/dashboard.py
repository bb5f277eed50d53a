"""The dashboard page: server-rendered HTML (Jinja2) in every platform language with a label
file (``labels/<lang>.json``, ``adapters/page_language.py``), charts as inline SVG, a data table
beside each chart, suppressed figures only, numbers by CLDR. Everything is served by the service."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from services.reporting.adapters.charts import bar_chart, fmt
from services.reporting.adapters.exports import labelled
from services.reporting.domain.figures import area_figures
from services.reporting.adapters.page_language import page_context
from services.reporting.domain.labels import AREAS, DIMENSIONS, LANGS, MEASURES, label, page_words
from services.reporting.domain.model import ReadModel
from services.reporting.domain.trends import trends
from shared.vocabularies import VocabularyCopies

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=select_autoescape(["html"]))

def _chart(chart_id: str, title: str, table: dict, measure: str, kind: str, lang: str, max_value: float | None = None, header: str = "") -> dict:
    items = [(r["label"], r["values"][measure]) for r in table["rows"]]
    shown = [m for m in table["measures"] if m["id"] == measure]
    description = "; ".join(f"{name}: {fmt(v, kind, lang)}" for name, v in items) or "–"
    return {
        "id": chart_id,
        "title": title,
        "svg": Markup(bar_chart(chart_id, title, description, items, kind, lang, max_value)),
        "columns": [label(MEASURES, measure, lang)] if shown else [],
        "header": header or (label(DIMENSIONS, table["dimension"], lang) if table.get("dimension") else ""),
        "rows": [(name, fmt(v, kind, lang)) for name, v in items],
    }


def _follow_up_charts(model: ReadModel, edition_id: str, lang: str, threshold: int, vocabularies: VocabularyCopies | None) -> list[dict]:
    """Granted and spent against the budget, participants by district as reported, mean score by theme."""
    t = page_words("dashboard", lang)
    fu = area_figures(model, edition_id, "follow_up", threshold)
    g = fu["budget"]
    rows = [{"label": label(MEASURES, m, lang), "values": {"v": g[m]}} for m in ("budget_sek", "granted_sek", "spent_sek", "remaining_sek")]
    granted = _chart("granted", t["granted_vs"], {"rows": rows, "measures": [], "dimension": None}, "v", "count", lang,
                     header=label(DIMENSIONS, "measure", lang))
    granted["share"] = fmt(g["share_granted"], "ratio", lang)
    return [
        granted,
        _chart("reach-reported", t["charts"]["reach_reported"], labelled(fu["tables"]["district"], lang, vocabularies), "participants_reported", "count", lang),
        _chart("score", t["charts"]["score"], labelled(fu["tables"]["theme"], lang, vocabularies), "mean_score", "mean", lang, 5.0),
    ]


def render(model: ReadModel, edition_id: str | None, lang: str, threshold: int, vocabularies: VocabularyCopies | None = None) -> str:
    """The page in ``lang`` (chosen by the route among the offered ones)."""
    t = page_words("dashboard", lang)
    edition_id, context = page_context(model, edition_id, lang, threshold, t, vocabularies)
    context |= {"threshold": threshold, "charts": [], "budget": None}
    if edition_id is not None:
        ini = area_figures(model, edition_id, "initiatives", threshold)["tables"]
        par = area_figures(model, edition_id, "participation", threshold, "theme")["tables"]["theme"]
        rea = area_figures(model, edition_id, "reach", threshold, "channel")["tables"]["channel"]
        money = area_figures(model, edition_id, "money", threshold, "theme")
        tr = trends(model, threshold)
        context["edition"] = model.editions[edition_id]
        context["edition_name"] = model.editions[edition_id]["name"].get(lang) or model.editions[edition_id]["name"].get("sv") or edition_id
        context["charts"] = [
            _chart("by-theme", t["charts"]["theme"], labelled(ini["theme"], lang, vocabularies), "submitted", "count", lang),
            _chart("by-district", t["charts"]["district"], labelled(ini["district"], lang, vocabularies), "submitted", "count", lang),
            _chart("fill-rate", t["charts"]["fill"], labelled(par, lang, vocabularies), "fill_rate", "ratio", lang, 1.0),
            # handed over, not "delivered": no mail server says whether an email arrived
            _chart("reach", t["charts"]["reach"], labelled(rea, lang, vocabularies), "sent", "count", lang),
        ]
        b = money["budget"]
        budget_table = {"rows": [{"label": label(MEASURES, "budget_sek", lang), "values": {"v": b["budget_sek"]}},
                                 {"label": label(MEASURES, "requested_sek", lang), "values": {"v": b["requested_sek"]}},
                                 {"label": label(MEASURES, "own_funding_sek", lang), "values": {"v": b["own_funding_sek"]}}],
                        "measures": [], "dimension": None}
        context["budget"] = _chart("budget", t["budget_vs"], budget_table, "v", "count", lang, header=label(DIMENSIONS, "measure", lang))
        context["budget"]["share"] = fmt(b["share_of_budget"], "ratio", lang)
        context["charts"] += _follow_up_charts(model, edition_id, lang, threshold, vocabularies)
        context["follow_up"] = f"/follow-up?edition={edition_id}&lang={lang}"
        trend_table = labelled(tr, lang, vocabularies)
        context["trend"] = _chart("trend", t["charts"]["trend"], trend_table, "submitted", "count", lang)
        data_lang = lang if lang in LANGS else "sv"  # the exports' languages
        context["exports"] = [
            (f"{label(AREAS, area, lang)} / {label(DIMENSIONS, dim, lang)}", f"/v1/editions/{edition_id}/export.csv?area={area}&dimension={dim}&lang={data_lang}",
             f"/v1/editions/{edition_id}/jsonstat?area={area}&dimension={dim}&lang={data_lang}")
            for area, dim in (("initiatives", "theme"), ("participation", "theme"), ("reach", "channel"), ("money", "administration"),
                              ("follow_up", "district"))
        ]
    return TEMPLATES.get_template("dashboard.html").render(**context)
