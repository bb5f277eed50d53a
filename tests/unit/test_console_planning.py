"""The planning forms as scheduling's bodies and its answers as the forms show them (pure): what is
typed goes as typed (the console checks nothing; a whole number in a number field as a JSON number), Malmö time gets its offset, a refusal's path
finds its form field, and the accept form carries the proposal exactly as shown."""

from services.console.usecases import planning as forms
from services.console.usecases.form_fields import beside


def test_an_edition_form_sends_what_is_filled_in_as_typed():
    form = {"pl_name_sv": "Öppna Malmö", "pl_name_en": "", "pl_edition_id": "om-2027", "pl_year": "20x7", "pl_starts_on": "2027-05-01",
            "pl_ends_on": "", "pl_budget_sek": "-5", "pl_changeover_minutes": "15", "csrf": "t"}
    assert forms.edition_body(form, new=True) == {"edition_id": "om-2027", "year": "20x7", "starts_on": "2027-05-01", "budget_sek": -5,
                                                  "changeover_minutes": 15, "name": {"sv": "Öppna Malmö"}}
    assert forms.edition_body(form, new=False) == {"starts_on": "2027-05-01", "budget_sek": -5, "changeover_minutes": 15, "name": {"sv": "Öppna Malmö"}}


def test_an_edition_is_shown_again_in_its_change_form():
    edition = {"edition_id": "e", "name": {"sv": "A", "en": "B"}, "starts_on": "2027-05-01", "ends_on": "2027-05-09", "budget_sek": 10}
    chosen = forms.edition_chosen(edition)
    assert chosen["pl_name_en"] == ["B"] and chosen["pl_budget_sek"] == ["10"] and chosen["pl_ends_on"] == ["2027-05-09"]


def test_a_refusals_path_finds_its_form_field_and_an_unknown_one_stays():
    reasons = [{"field": "availability.1.ends_at", "message": "m"}, {"field": "name.en"}, {"field": "rules.x"}]
    fields = {**forms.VENUE_FIELDS, **forms.EDITION_FIELDS}
    assert [r["field"] for r in beside(reasons, fields)] == ["pl_availability", "pl_name_en", "rules.x"]


def test_availability_is_typed_in_malmo_time_and_shown_so_again():
    windows = forms.windows("2027-01-10 09:00 17:00\n\n2027-07-10 20:00 2027-07-11T01:00\nnot a time")
    assert windows[:2] == [{"starts_at": "2027-01-10T09:00:00+01:00", "ends_at": "2027-01-10T17:00:00+01:00"},
                           {"starts_at": "2027-07-10T20:00:00+02:00", "ends_at": "2027-07-11T01:00:00+02:00"}]
    assert windows[2]["starts_at"] == "not a" and len(windows) == 3  # sent as typed: scheduling refuses it by its field
    assert forms.windows(forms.windows_text(windows[:2])) == windows[:2]


def test_a_venue_form_carries_every_box_ticked_and_its_languages():
    body = forms.venue_body({"pl_venue_name": "Sal", "pl_capacity": "40", "pl_languages": "sv, en,", "pl_availability": ""}, ["a", "b"])
    assert body == {"name": "Sal", "address": "", "district": "", "capacity": 40, "accessibility": ["a", "b"], "availability": [],
                    "languages": ["sv", "en"]}


def test_a_move_sends_the_new_times_with_their_offset_and_the_venue():
    assert forms.move_changes({"pl_starts_at": "2027-01-10T18:00", "pl_ends_at": "", "pl_venue_id": "v"}) == \
        {"starts_at": "2027-01-10T18:00:00+01:00", "venue_id": "v"}
    shown = forms.move_chosen({"starts_at": "2027-01-10T17:00:00+00:00", "ends_at": "2027-01-10T18:00:00+00:00", "venue": {"venue_id": "v"}})
    assert shown == {"pl_starts_at": ["2027-01-10T18:00"], "pl_ends_at": ["2027-01-10T19:00"], "pl_venue_id": ["v"]}


def test_the_accept_form_carries_the_proposal_as_shown_in_its_order():
    proposal = {"placements": [{"session_id": f"s{i}", "venue_id": "v", "starts_at": f"2027-01-1{i}T10:00:00+00:00",
                                "ends_at": f"2027-01-1{i}T11:00:00+00:00", "venue_name": "Sal"} for i in range(3)],
                "unplaced": [{"session_id": "s9", "code": "no_venue", "reason": "r"}],
                "warnings": [{"rule": "accessibility_missing", "session_id": "s1", "other_session_id": None, "message": "m"}]}
    placed, unplaced = forms.proposal_rows(proposal, [{"session_id": "s1", "title": {"sv": "T"}}])
    assert [len(p["warnings"]) for p in placed] == [0, 1, 0] and placed[1]["session"]["title"] == {"sv": "T"} and unplaced[0]["reason"] == "r"
    form = {f"placement-{i}": forms.placement_value(p) for i, p in reversed(list(enumerate(placed)))}
    assert forms.placements_of(form) == [{k: p[k] for k in ("session_id", "venue_id", "starts_at", "ends_at")} for p in proposal["placements"]]
