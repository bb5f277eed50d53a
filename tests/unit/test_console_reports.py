"""The organiser's report form as the registry's body and back, and the registry's reasons placed
beside the form's fields (pure)."""

from services.console.usecases import reports

CONTENT = {"what_happened": {"sv": "Vi träffades.", "en": "We met."}, "participants": 12, "spent_sek": 900, "target_groups": ["youth"],
           "districts": ["rosengard"], "partners": [{"name": "Föreningen X", "kind": "civil_society", "source": "urn:x"}],
           "materials": [{"title": "Metod", "url": "https://example.org/m"}]}


def test_the_form_of_a_report_reads_back_as_the_same_body_for_its_next_revision():
    chosen = reports.form_of(CONTENT, 3)
    body = reports.body_of(chosen)
    assert body["revision"] == 3 and body["what_happened"] == CONTENT["what_happened"]
    assert body["partners"] == [{"name": "Föreningen X", "kind": "civil_society"}], "the link is the curator's, not the form's"
    assert body["materials"] == CONTENT["materials"] and body["participants"] == 12 and body["districts"] == ["rosengard"]
    assert "worked" not in body and reports.row_count(chosen, "partners") == 1 + reports.SPARE_ROWS


def test_blank_rows_and_optional_texts_are_left_out_and_other_values_go_as_typed():
    body = reports.body_of({"what_happened.sv": [""], "worked.en": ["Good"], "participants": ["tolv"], "spent_sek": ["0"],
                            "partners.0.name": [""], "partners.0.kind": [""], "partners.1.name": ["Y"], "partners.1.kind": [""], "revision": ["1"]})
    assert body["what_happened"] == {"sv": ""} and body["worked"] == {"sv": "", "en": "Good"}
    assert body["participants"] == "tolv" and body["spent_sek"] == 0
    assert body["partners"] == [{"name": "Y", "kind": ""}] and body["materials"] == []


def test_a_reason_lands_beside_the_field_and_row_the_person_filled_in():
    chosen = {"partners.0.name": [""], "partners.0.kind": [""], "partners.1.name": ["Y"], "partners.1.kind": [""]}
    placed = reports.placed([{"field": "partners.0.kind", "code": "enum"}, {"field": "districts.2", "code": "unknown_code"},
                             {"field": "what_happened", "code": "missing"}, {"field": "initiative_id", "code": "no_session_held_yet"}], chosen)
    assert [r["field"] for r in placed] == ["partners.1.kind", "districts", "what_happened.sv", "initiative_id"]
    assert reports.partner_links({"partner_source.0": "urn:x", "partner_source.1": "", "comment": "c"}) == {"0": "urn:x", "1": ""}
