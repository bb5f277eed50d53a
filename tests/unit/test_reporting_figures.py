"""Reporting's pure parts: read-model merges, figures, exports, and what it subscribes to."""

import csv
import io
import itertools

import pytest

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.adapters.exports import to_csv, to_jsonstat
from services.reporting.consumers import subscriptions
from services.reporting.domain.decisions import merge_initiative
from services.reporting.domain.figures import area_figures, initiative_counts, table
from services.reporting.domain.model import ReadModel
from services.reporting.domain.summaries import edition_summary, initiative_summary
from services.reporting.domain.tables import AREAS
from services.reporting.domain.trends import trends
from shared.topics import ALL_TOPICS


def state(version: int, status: str, decided_at: str | None = None, decision: str = "approved") -> dict:
    return {
        "initiative_id": "i1", "source": "s", "version": version, "status": status, "stamped": status == "approved",
        "received_at": "2025-03-01T10:00:00+00:00",
        "content": {"organizer": {"kind": "administration", "name": "Kulturförvaltningen"}, "themes": ["democracy"], "origin": "new"},
        **({"review": {"decision": decision, "decided_at": decided_at}} if decided_at else {}),
    }


VERSIONS = [
    initiative_summary(state(1, "submitted")),
    initiative_summary(state(2, "changes_requested", "2025-03-04T10:00:00+00:00", "changes_requested")),
    initiative_summary(state(3, "in_review")),
    initiative_summary(state(4, "approved", "2025-03-09T10:00:00+00:00")),
]


@given(st.permutations(VERSIONS + VERSIONS[:2]))
def test_any_order_of_deliveries_ends_in_the_same_summary(order):
    current = None
    for s in order:
        current = merge_initiative(current, s) or current
    assert current["version"] == 4 and current["status"] == "approved"
    assert current["first_decided_at"] == "2025-03-04T10:00:00+00:00"  # the first decision, not the last


def model_with(n: int) -> ReadModel:
    m = ReadModel()
    m.put("editions", edition_summary({"edition_id": "e", "version": 1, "year": 2025, "starts_on": "2025-10-06", "ends_on": "2025-10-19", "budget_sek": 3_780_000, "status": "planning", "name": {"sv": "Öppna Malmö 2025"}}))
    for k in range(n):
        s = state(1, "approved" if k % 4 else "rejected", "2025-03-03T10:00:00+00:00")
        s["initiative_id"] = f"i{k}"
        s["content"] = {**s["content"], "themes": ["democracy", "inclusion"][: 1 + k % 2], "districts": ["fosie" if k < 3 else "rosengard"]}
        m.put("initiatives", initiative_summary(s))
    return m


def test_every_area_and_dimension_answers_with_a_total():
    m = model_with(12)
    for area, spec in AREAS.items():
        for dim in spec.dimensions:
            t = table(m, area, dim, "e", 5)
            assert "total" in t and all(set(r["values"]) == {x.id for x in spec.measures} for r in t["rows"])


def test_public_counts_hide_small_numbers_analysts_see_them():
    m = model_with(12)
    public = area_figures(m, "e", "initiatives", 5, "district")["tables"]["district"]
    rows = {r["category"]: r["values"]["submitted"] for r in public["rows"]}
    assert rows == {"fosie": None, "rosengard": None} and public["total"]["values"]["submitted"] == 12
    raw = area_figures(m, "e", "initiatives", None, "district")["tables"]["district"]
    assert {r["category"]: r["values"]["submitted"] for r in raw["rows"]} == {"fosie": 3, "rosengard": 9}
    assert initiative_counts(m, None, None)["by_status"] == {"approved": 9, "rejected": 3}


def test_money_is_set_against_the_edition_budget():
    m = model_with(12)
    b = area_figures(m, "e", "money", 5)["budget"]
    # 9 approved next to the 12 submitted would give the 3 rejected away: masked as in the initiatives area
    assert b["budget_sek"] == 3_780_000 and b["initiatives"] is None and b["requested_sek"] is None
    raw = area_figures(m, "e", "money", None)["budget"]
    assert raw["initiatives"] == 9 and raw["requested_sek"] == 0


def test_csv_is_for_swedish_excel():
    t = table(model_with(12), "initiatives", "theme", "e", 5)
    body = to_csv(t, "sv")
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Tema", "Inlämnade"] and rows[-1][0] == "Totalt"
    lead = rows[-1][rows[0].index("Handläggningstid, median (dagar)")]
    assert lead == "2,0"


def test_json_stat_is_a_valid_dataset_in_both_languages():
    t = table(model_with(12), "initiatives", "district", "e", 5)
    for lang, other in (("sv", "en"), ("en", "sv")):
        ds = to_jsonstat(t, lang)
        assert ds["version"] == "2.0" and ds["class"] == "dataset" and ds["id"] == ["district", "measure"]
        assert len(ds["value"]) == ds["size"][0] * ds["size"][1]
        for dim, n in zip(ds["id"], ds["size"], strict=True):
            cat = ds["dimension"][dim]["category"]
            assert sorted(cat["index"].values()) == list(range(n)) and set(cat["label"]) == set(cat["index"])
            assert set(ds["dimension"][dim]["extension"]["labels"][other]) == set(cat["index"])
        assert ds["status"] and all(ds["value"][int(i)] is None for i in ds["status"])
    assert to_jsonstat(t, "en")["dimension"]["district"]["label"] == "District"


def test_trends_follow_editions_by_year():
    m = model_with(6)
    m.put("editions", edition_summary({"edition_id": "e24", "version": 1, "year": 2024, "starts_on": "2024-10-07", "ends_on": "2024-10-20", "budget_sek": 0, "status": "closed"}))
    assert [r["category"] for r in trends(m, 5)["rows"]] == ["e24", "e"]


def test_reporting_never_subscribes_to_personal_data():
    personal = {t.name for t in ALL_TOPICS if t.personal_data}
    assert personal == {"registry.contacts.v1", "scheduling.contacts.v1", "notifications.email.v1", "notifications.sms.v1"}
    subs = subscriptions(projection=_Projection())
    topics = {t.name for s in subs for t in s.topics}
    assert topics == {"registry.initiatives.v1", "scheduling.sessions.v1", "scheduling.registrations.v1", "notifications.deliveries.v1",
                      "registry.grants.v1", "registry.reports.v1", "notifications.feedback.v1"}
    assert not topics & personal
    assert all(s.unknown_types == "skip" for s in subs)
    assert "se.malmo.oppna.initiative.approved.v1" in subs[0].handlers


class _Projection:
    async def initiative(self, *_):
        pass

    state = delivery = feedback = initiative


def test_dashboard_renders_in_both_languages_without_external_resources():
    from services.reporting.adapters.dashboard import render

    for lang, title in (("sv", "Öppna Malmö i siffror"), ("en", "Open Malmö in figures")):
        html = render(model_with(12), None, lang, 5)
        assert f'<html lang="{lang}" dir="ltr">' in html and title in html
        assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Inga forumperioder" in render(ReadModel(), None, "sv", 5)


def test_dimension_names_are_unique_across_areas():
    for spec in AREAS.values():
        assert len(set(spec.dimensions)) == len(spec.dimensions)
    assert list(itertools.chain(*(s.dimensions for s in AREAS.values())))


def programme(seed: int) -> ReadModel:
    """A mixed model: editions, initiatives with and without sessions, period or decision,
    sessions, registrations (one of a session never seen), deliveries (one of no edition)."""
    import random

    from services.reporting.domain.summaries import delivery_record, registration_summary, session_summary

    rnd = random.Random(seed)
    m = ReadModel()
    for y in (2024, 2025):
        m.put("editions", edition_summary({"edition_id": f"e{y}", "version": 1, "year": y, "starts_on": f"{y}-10-06", "ends_on": f"{y}-10-19",
                                           "budget_sek": 1_000_000, "status": "planning", "name": {"sv": f"Öppna Malmö {y}"}}))
    for k in range(60):
        s = state(1, rnd.choice(["submitted", "approved", "rejected", "withdrawn"]), rnd.choice([None, "2025-03-05T10:00:00+00:00"]))
        s["initiative_id"] = f"i{k}"
        s["received_at"] = rnd.choice(["2024-03-01T10:00:00+00:00", "2025-03-01T10:00:00+00:00"])
        y = rnd.choice([2024, 2025])
        s["content"] = {**s["content"], "themes": rnd.sample(["democracy", "inclusion", "culture"], rnd.randint(0, 2)),
                        "districts": rnd.sample(["fosie", "rosengard"], rnd.randint(0, 1)), "budget": {"requested_sek": rnd.randrange(1000, 9000)},
                        **({"period": {"start": f"{y}-10-01", "end": f"{y}-10-09"}} if k % 3 else {})}
        m.put("initiatives", initiative_summary(s))
    for k in range(30):
        m.put("sessions", session_summary({"session_id": f"s{k}", "version": 1, "edition_id": rnd.choice(["e2024", "e2025"]), "initiative_id": f"i{k}",
                                           "organizer": {"kind": "administration", "name": "Kulturförvaltningen"}, "themes": rnd.sample(["democracy", "culture"], 1),
                                           "languages": ["sv"], "starts_at": "2025-10-07T17:00:00Z", "capacity": rnd.randrange(5, 30),
                                           "registration_required": bool(k % 2), "status": rnd.choice(["published", "cancelled", "draft"])}))
    for k in range(120):
        m.put("registrations", registration_summary({"registration_id": f"r{k}", "version": 1, "session_id": f"s{k % 31}", "edition_id": rnd.choice(["e2024", "e2025"]),
                                                     "status": rnd.choice(["confirmed", "waitlisted", "cancelled"]), "party_size": rnd.randint(1, 3),
                                                     "attended": rnd.random() < 0.5}))
    for k in range(200):
        m.put("deliveries", delivery_record({"message_id": f"m{k}", "channel": rnd.choice(["email", "sms"]), "language": rnd.choice(["sv", "en"]),
                                             "category": "reminder", "outcome": rnd.choice(["sent", "delivered", "failed"]),
                                             "edition_id": rnd.choice(["e2024", "e2025", None])}))
    return m


@pytest.mark.parametrize("seed", range(5))
def test_the_figures_of_all_editions_at_once_are_those_of_each_edition_asked_alone(seed):
    from services.reporting.domain.figures import all_figures
    from services.reporting.domain.comparison import counted

    m = programme(seed)
    by_edition = counted(m)
    for threshold in (None, 3):
        for eid in m.editions:
            assert all_figures(m, eid, threshold, by_edition=by_edition) == all_figures(m, eid, threshold)
        assert trends(m, threshold, by_edition=by_edition) == trends(m, threshold)


def test_the_rebuild_finds_equal_models_equal_whatever_their_order_and_names_a_figure_that_differs():
    from services.reporting.domain.comparison import compare

    live = programme(1)
    rebuilt = ReadModel(**{k: dict(reversed(list(getattr(live, k).items()))) for k in ("initiatives", "sessions", "registrations", "editions", "deliveries")})
    assert compare(live, rebuilt, 5) == []
    first = next(iter(rebuilt.registrations))
    rebuilt.registrations[first] = {**rebuilt.registrations[first], "status": "confirmed", "party_size": 9}
    diff = compare(live, rebuilt, 5)
    assert diff and all("/participation/" in d or "/trends/" in d for d in diff)
