"""The analyst's page, pure parts: export names to reporting's calls, figures as each language
writes them, the headline table, and each area's exports."""

from services.console.adapters.reporting import Export, export_of
from services.console.usecases.analysis import exports_of, headline, number


def test_export_names_map_to_reporting_and_others_are_none():
    assert export_of("trends.json", "", "sv") == Export("/v1/analyst/figures/trends", {"lang": "sv"})
    assert export_of("money.json", "om 2025", "en") == Export("/v1/analyst/editions/om%202025/figures/money", {"lang": "en"})
    assert export_of("reach-channel.csv", "om-2025", "sv") == Export(
        "/v1/editions/om-2025/export.csv", {"area": "reach", "dimension": "channel", "lang": "sv"})
    assert export_of("reach-channel.jsonstat.json", "om-2025", "sv").path == "/v1/editions/om-2025/jsonstat"
    for bad in ("reach.csv", "reach-channel.json", "reach.exe", "../x.json", "Reach.json", "reach-channel.csv.gz"):
        assert export_of(bad, "om-2025", "sv") is None, bad


def test_numbers_in_swedish_and_english():
    assert number(3_780_000, "budget", "sv") == "3\u00a0780\u00a0000" and number(3_780_000, "amount", "en") == "3,780,000"
    assert number(0.8125, "ratio", "sv") == "81,2 %" and number(0.8125, "ratio", "en") == "81.2 %"
    assert number(4.25, "median", "sv") == "4,2" and number(None, "count", "sv") == "–"


def test_headline_is_a_row_per_measure_and_a_column_per_edition():
    trends = {"measures": [{"id": "submitted", "kind": "count", "label": "Inlämnade"}, {"id": "fill_rate", "kind": "ratio", "label": "Beläggning"}],
              "rows": [{"category": "a", "label": "2024", "values": {"submitted": 12, "fill_rate": None}},
                       {"category": "b", "label": "2025", "values": {"submitted": 2, "fill_rate": 0.5}}]}
    assert headline(trends, "sv") == {"editions": ["2024", "2025"], "rows": [
        {"measure": "Inlämnade", "cells": ["12", "2"]}, {"measure": "Beläggning", "cells": ["–", "50,0 %"]}]}
    assert headline({"measures": trends["measures"], "rows": []}, "sv")["rows"] == []


def test_an_areas_exports_name_each_table_and_what_it_holds():
    figures = {"tables": {"theme": {"label": "Initiativ — Tema", "measures": [{"id": "submitted", "label": "Inlämnade"}, {"id": "approved"}]}}}
    assert exports_of("initiatives", figures) == {"area": "initiatives", "whole": "initiatives.json", "tables": [
        {"dimension": "theme", "label": "Initiativ — Tema", "holds": "Inlämnade, approved",
         "csv": "initiatives-theme.csv", "jsonstat": "initiatives-theme.jsonstat.json"}]}
