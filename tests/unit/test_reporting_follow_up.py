"""The follow-up area, pure: grants, reports' figures and feedback into figures, suppressed like the rest."""

from services.reporting.adapters.exports import to_csv, to_jsonstat
from services.reporting.adapters.follow_up_page import render
from services.reporting.domain.decisions import decide_newest
from services.reporting.domain.figures import area_figures
from services.reporting.domain.follow_up import feedback_fact, grant_book, report_summary
from services.reporting.domain.model import ReadModel
from services.reporting.domain.summaries import edition_summary, initiative_summary
from shared.decisions import Decision, NoChange

BUDGET = 1_000_000


def report(iid: str, version: int = 1, participants: int = 20, spent: int = 9_000, kinds=("administration",), status="submitted") -> dict:
    figures = {"participants": participants, "spent_sek": spent, "target_groups": ["youth"], "districts": ["rosengard"], "partner_kinds": list(kinds)}
    content = {"what_happened": "Ett namn: Anna Andersson", "participants": participants, "spent_sek": spent}
    return {"initiative_id": iid, "source": "s", "edition_id": "e", "version": version, "revision": 1, "status": status,
            "figures": figures, **({"content": content} if status == "published" else {})}


def model(initiatives: int, reported: int, answers_each: int = 3, granted: int | None = None) -> ReadModel:
    m = ReadModel()
    m.put("editions", edition_summary({"edition_id": "e", "version": 1, "year": 2025, "starts_on": "2025-10-06", "ends_on": "2025-10-19",
                                       "budget_sek": BUDGET, "status": "closed", "name": {"sv": "Öppna Malmö 2025", "en": "Open Malmö 2025"}}))
    for k in range(initiatives):
        iid = f"i{k}"
        m.put("initiatives", initiative_summary({"initiative_id": iid, "source": "s", "version": 2, "status": "approved", "stamped": True,
                                                 "content": {"organizer": {"kind": "civil_society", "name": "F"}, "themes": ["culture"]}}))
        if k < reported:
            m.put("reports", report_summary(report(iid)))
        for a in range(answers_each):
            kind, record = feedback_fact(f"ev-{k}-{a}", {"session_id": f"s{k}", "initiative_id": iid, "edition_id": "e", "answered_on": "2025-10-08",
                                                         "score": 3 + a % 3, "would_come_again": a % 3 != 0, "commented": False})
            m.put(kind, record)
    g = initiatives if granted is None else granted
    m.put("grants", grant_book({"edition_id": "e", "version": 4, "budget_sek": BUDGET, "granted": {f"i{k}": 50_000 for k in range(g)},
                                "granted_sek": 50_000 * g}))
    return m


def test_the_figures_of_an_edition_follow_grants_reports_and_feedback():
    f = area_figures(model(8, 6), "e", "follow_up", 5)
    total = f["tables"]["organizer_kind"]["total"]["values"]
    assert total["in_follow_up"] == 8 and total["granted"] == 8 and total["granted_sek"] == 400_000
    assert total["reported"] == 6 and total["spent_sek"] == 54_000 and total["participants_reported"] == 120
    assert total["share_reported"] == 0.75 and total["joint"] == 6  # partners are an administration, the organisers civil society
    assert total["participants_per_ksek"] == round(120 * 1000 / 300_000, 2)  # over the six granted and reported
    assert total["answers"] == 24 and total["mean_score"] == 4.0 and total["would_come_again"] == 16
    assert total["share_again"] == round(16 / 24, 4) and total["answers_per_session"] == 3.0
    budget = f["budget"]
    assert budget == {"budget_sek": BUDGET, "granted": 8, "granted_sek": 400_000, "remaining_sek": 600_000, "share_granted": 0.4,
                      "reported": 6, "spent_sek": 54_000, "share_spent": 0.135, "participants_per_ksek": 0.4}
    by_district = {r["category"]: r["values"] for r in f["tables"]["district"]["rows"]}
    assert by_district["rosengard"]["participants_reported"] == 120
    # two without a report: masked, and so is the six beside it (8 − 6 would give the two away)
    assert by_district["_unknown"]["in_follow_up"] is None and by_district["rosengard"]["in_follow_up"] is None


def test_small_numbers_are_masked_with_what_rests_on_them():
    f = area_figures(model(8, 3, answers_each=1), "e", "follow_up", 5)
    total = f["tables"]["organizer_kind"]["total"]
    assert total["values"]["reported"] is None and total["values"]["spent_sek"] is None and total["values"]["share_reported"] is None
    assert total["values"]["in_follow_up"] == 8 and total["values"]["answers"] == 8
    assert f["budget"]["spent_sek"] is None and f["budget"]["share_spent"] is None and f["budget"]["granted_sek"] == 400_000
    few = area_figures(model(3, 3), "e", "follow_up", 5)["budget"]
    assert few["granted"] is None and few["granted_sek"] is None and few["remaining_sek"] is None
    analyst = area_figures(model(3, 3), "e", "follow_up", None)["budget"]
    assert analyst["granted_sek"] == 150_000 and analyst["remaining_sek"] == 850_000


def test_reports_keep_their_newest_figures_and_never_their_text():
    published = report_summary(report("i1", version=3, participants=40, status="published"))
    assert "content" not in published and "Anna" not in str(published)
    older = report_summary(report("i1", version=2, participants=10))
    assert isinstance(decide_newest(published, 3, older), NoChange)
    assert isinstance(decide_newest(older, 2, published), Decision)


def test_an_answer_is_known_by_its_event_id_and_a_comment_by_its_id_without_its_text():
    kind, answer = feedback_fact("ev-1", {"session_id": "s", "initiative_id": "i", "score": 5, "would_come_again": None, "commented": True})
    assert kind == "answers" and answer["key"] == "ev-1" and "commented" not in answer
    kind, comment = feedback_fact("ev-2", {"comment_id": "c1", "session_id": "s", "initiative_id": "i", "text": "Bra! /Anna"})
    assert kind == "comments" and comment["key"] == "c1" and "text" not in comment
    m = model(6, 6)
    for _ in range(2):  # the same answer twice counts once
        m.put(*feedback_fact("ev-0-0", {"session_id": "s0", "initiative_id": "i0", "edition_id": "e", "score": 3, "would_come_again": False}))
    assert area_figures(m, "e", "follow_up", None)["tables"]["theme"]["total"]["values"]["answers"] == 18


def test_exports_and_the_follow_up_page_show_the_same_suppressed_figures():
    m = model(8, 3)
    csv_text = to_csv(area_figures(m, "e", "follow_up", 5, "district")["tables"]["district"], "sv").decode("utf-8-sig")
    assert "Förbrukat enligt återrapport (kr)" in csv_text and ".." in csv_text
    stat = to_jsonstat(area_figures(m, "e", "follow_up", 5, "theme")["tables"]["theme"], "en")
    assert stat["class"] == "dataset" and None in stat["value"]
    for lang, title in (("sv", "Uppföljning av Öppna Malmö"), ("en", "Follow-up of Open Malmö")):
        html = render(m, "e", lang, 5)
        assert f'<html lang="{lang}" dir="ltr">' in html and title in html and "@media print" in html
        assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "Anna" not in render(m, "e", "sv", 5)
