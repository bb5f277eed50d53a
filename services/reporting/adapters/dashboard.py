"""The dashboard page: server-rendered HTML (Jinja2), Swedish or English, charts as inline SVG,
a data table beside each chart, suppressed figures only. Everything is served by the service."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from services.reporting.adapters.charts import bar_chart, fmt
from services.reporting.adapters.exports import labelled
from services.reporting.domain.figures import area_figures
from services.reporting.domain.labels import DIMENSIONS, MEASURES, label
from services.reporting.domain.model import ReadModel
from services.reporting.domain.trends import trends
from shared.vocabularies import VocabularyCopies

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=select_autoescape(["html"]))

TEXT = {
    "sv": {
        "title": "Öppna Malmö i siffror",
        "lead": "Den samlade bilden: initiativ, aktiviteter, deltagande, räckvidd och budget.",
        "edition": "Forumperiod",
        "show": "Visa",
        "no_editions": "Inga forumperioder ännu.",
        "suppression": "Antal under {t} visas som ”..” för att skydda enskilda, och fler värden döljs så att de inte kan räknas fram ur summorna.",
        "table": "Tabell",
        "amount": "Belopp (kr)",
        "exports": "Ladda ner",
        "other_lang": "English",
        "budget_vs": "Sökt belopp för godkända initiativ mot periodens budget",
        "trends": "Utveckling mellan forumperioder",
        "granted_vs": "Beviljat och förbrukat mot periodens budget",
        "follow_up": "Uppföljningen för kommunstyrelsen (utskriftsvänlig)",
        "charts": {
            "theme": "Inlämnade initiativ per tema",
            "district": "Inlämnade initiativ per område",
            "fill": "Beläggningsgrad per tema",
            "reach": "Utskick överlämnade till e-postserver eller SMS-tjänst, per kanal",
            "trend": "Inlämnade initiativ per forumperiod",
            "reach_reported": "Deltagare per område enligt återrapporterna",
            "score": "Deltagarnas medelbetyg (1–5) per tema",
        },
    },
    "en": {
        "title": "Open Malmö in figures",
        "lead": "The unified picture: initiatives, sessions, participation, reach and money.",
        "edition": "Edition",
        "show": "Show",
        "no_editions": "No editions yet.",
        "suppression": "Counts below {t} show as “..” to protect individuals, and further values are hidden so they cannot be worked out from the totals.",
        "table": "Table",
        "amount": "Amount (SEK)",
        "exports": "Download",
        "other_lang": "Svenska",
        "budget_vs": "Budget requested by approved initiatives against the edition's budget",
        "trends": "Trends between editions",
        "granted_vs": "Granted and spent against the edition's budget",
        "follow_up": "The follow-up for the city board (printable)",
        "charts": {
            "theme": "Initiatives submitted by theme",
            "district": "Initiatives submitted by district",
            "fill": "Fill rate by theme",
            "reach": "Notifications handed over to the mail server or SMS gateway, by channel",
            "trend": "Initiatives submitted by edition",
            "reach_reported": "Participants by district, as reported",
            "score": "Participants' mean score (1–5) by theme",
        },
    },
}


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
    t = TEXT[lang]
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
    t = TEXT[lang]
    editions = sorted(model.editions.values(), key=lambda e: (e["year"], e["edition_id"]))
    if edition_id is None and editions:
        edition_id = editions[-1]["edition_id"]
    context: dict = {"lang": lang, "t": t, "editions": editions, "edition_id": edition_id, "threshold": threshold,
                     "suppression": t["suppression"].format(t=threshold), "charts": [], "budget": None,
                     "other": "en" if lang == "sv" else "sv"}
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
        context["exports"] = [
            (f"{area} / {dim}", f"/v1/editions/{edition_id}/export.csv?area={area}&dimension={dim}&lang={lang}",
             f"/v1/editions/{edition_id}/jsonstat?area={area}&dimension={dim}&lang={lang}")
            for area, dim in (("initiatives", "theme"), ("participation", "theme"), ("reach", "channel"), ("money", "administration"),
                              ("follow_up", "district"))
        ]
    return TEMPLATES.get_template("dashboard.html").render(**context)
