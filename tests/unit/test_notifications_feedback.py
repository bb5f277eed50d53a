"""The feedback survey's pure rules: who is asked, when, the slot's life, the answer's event, the
token dropped from a message once it is final, and the survey's template in three languages."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.notifications import render as r
from services.notifications.domain import feedback as f
from services.notifications.domain.messages import to_status, withdrawn
from shared.decisions import Decision, NoChange


def reg(rid: str, status: str = "confirmed", attended: bool = False) -> dict:
    return {"registration_id": rid, "status": status, "attended": attended}


def test_only_the_checked_in_are_asked_where_anyone_was_checked_in():
    regs = [reg("a", attended=True), reg("b"), reg("c", "waitlisted"), reg("d", "cancelled", attended=True)]
    assert [x["registration_id"] for x in f.who_is_asked(regs)] == ["a"]


def test_every_confirmed_registrant_is_asked_where_no_one_was_checked_in():
    regs = [reg("a"), reg("b"), reg("c", "waitlisted"), reg("d", "cancelled")]
    assert [x["registration_id"] for x in f.who_is_asked(regs)] == ["a", "b"]


def test_the_survey_goes_the_morning_after_the_session_malmo_time():
    # ends 23:30 Malmö time (21:30 UTC in October): asked the next day at 10:00 Malmö time
    assert f.survey_due(datetime(2025, 10, 7, 21, 30, tzinfo=UTC), 10) == datetime(2025, 10, 8, 8, 0, tzinfo=UTC)
    # ends 00:30 Malmö time on the 8th (22:30 UTC on the 7th): the morning of the 9th
    assert f.survey_due(datetime(2025, 10, 7, 22, 30, tzinfo=UTC), 10) == datetime(2025, 10, 9, 8, 0, tzinfo=UTC)


def session(status: str = "published", ends_at: str = "2025-10-07T20:00:00+02:00") -> dict:
    return {"session_id": "s1", "initiative_id": "i1", "edition_id": "e1", "status": status, "ends_at": ends_at}


def test_a_survey_follows_its_session_until_it_is_sent():
    planned = f.survey_planned(session(), 10)(None, 0)
    assert planned.state["status"] == "waiting" and planned.state["due_at"] == datetime(2025, 10, 8, 8, 0, tzinfo=UTC)
    assert f.survey_planned(session(), 10)(planned.state, 1) is None  # the same version again
    moved = f.survey_planned(session(ends_at="2025-10-09T20:00:00+02:00"), 10)(planned.state, 1)
    assert moved.state["due_at"] == datetime(2025, 10, 10, 8, 0, tzinfo=UTC)
    assert f.survey_planned(session("cancelled"), 10)(planned.state, 1).state["status"] == "cancelled"
    sent = f.survey_sent(planned.state, 1).state
    assert sent["status"] == "sent" and f.survey_planned(session(), 10)(sent, 2) is None and f.survey_sent(sent, 2) is None


def test_a_slot_names_no_one_and_is_taken_once_within_thirty_days():
    token = f.new_token()
    assert len(token) >= 32 and f.slot_id(token) != token and f.new_token() != token
    slot = f.new_slot({"session_id": "s1", "initiative_id": "i1", "edition_id": "e1"}, date(2025, 10, 8))
    assert set(slot) == {"session_id", "initiative_id", "edition_id", "answered", "expires_on"}
    assert f.slot_status(slot, date(2025, 11, 7)) == "open" and f.slot_status(slot, date(2025, 11, 8)) == "closed"
    taken = f.take_slot(date(2025, 10, 9))(slot, 1)
    assert isinstance(taken, Decision) and taken.outcome == "open" and taken.state["answered"]
    assert f.take_slot(date(2025, 10, 9))(taken.state, 2) == NoChange("answered")
    assert f.take_slot(date(2025, 11, 8))(slot, 1) == NoChange("closed")
    assert f.take_slot(date(2025, 10, 9))(None, 0) == NoChange("unknown")


def test_an_answer_and_its_event_tell_the_day_only_and_not_the_comment():
    slot = f.new_slot({"session_id": "s1", "initiative_id": "i1", "edition_id": "e1"}, date(2025, 10, 8))
    made = f.answered(slot, date(2025, 10, 9), 4, True, "  Bra samtal!  ", "urn:test")
    assert made.state == {"session_id": "s1", "initiative_id": "i1", "edition_id": "e1", "answered_on": "2025-10-09", "score": 4,
                          "would_come_again": True, "comment": "Bra samtal!", "released": False}
    [pending] = made.events
    event = pending.event
    assert pending.topic == "notifications.feedback.v1" and pending.key == "s1"
    assert event["time"].startswith("2025-10-09T00:00:00") and "Bra samtal" not in str(event)
    assert event["data"]["commented"] is True and event["data"]["answered_on"] == "2025-10-09"
    assert f.answered(slot, date(2025, 10, 9), 3, None, "   ", "urn:test").state["comment"] is None


def test_a_comment_is_released_once_with_a_random_id():
    answer = f.answered(f.new_slot({"session_id": "s1", "initiative_id": "i1"}, date(2025, 10, 8)), date(2025, 10, 9), 5, None, "Mer sånt!", "u").state
    now = datetime(2025, 10, 10, 12, tzinfo=UTC)
    done = f.released("urn:test", now)(answer, 1)
    [pending] = done.events
    assert done.state["released"] and pending.event["data"]["text"] == "Mer sånt!" and pending.event["data"]["comment_id"] == done.state["comment_id"]
    assert f.released("urn:test", now)(done.state, 2) == NoChange(done.state)
    assert f.released("urn:test", now)({**answer, "comment": None}, 1) == NoChange(None)


@pytest.mark.parametrize("final", [lambda now: to_status("sent", now, "u"), lambda now: to_status("expired", now, "u"), lambda now: withdrawn(now, "x")])
def test_a_messages_token_is_forgotten_once_it_is_final(final):
    now = datetime(2025, 10, 8, 8, tzinfo=UTC)
    state = {"message_id": "m", "status": "scheduled", "channel": "email", "language": "sv", "category": "feedback_request",
             "context": {"session_id": "s1", "registration_id": "r1", "token": "secret"}, "attempts": 0}
    decided = final(now)(state, 1)
    assert decided.state["context"] == {"session_id": "s1", "registration_id": "r1"}


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_the_survey_email_links_each_score_and_the_sms_one_link(lang):
    ctx = r.sample_context("feedback_request", lang)
    out = r.render_cached("feedback_request", lang, ctx, {})
    for n in range(1, 6):
        assert f"{ctx['feedback_url']}&score={n}" in out.text and f"{ctx['feedback_url']}&amp;score={n}" in out.html
    assert ctx["feedback_url"] in out.sms and "&score" not in out.sms
    assert f'dir="{"rtl" if lang == "ar" else "ltr"}"' in out.html


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_the_answer_page_has_the_score_chosen_one_button_and_its_direction(lang):
    html = r.render_page("feedback", lang, {"heading": "H", "text": None, "form": True, "what": "Samtal", "action": "/feedback/T", "errors": {},
                                           "score": 4, "again": None, "comment": ""})
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    assert html.count("<button") == 1 and 'value="4" checked' in html and html.count("checked") == 1 and "<script" not in html
    assert ("Skicka" in html) == (lang == "sv")


def test_a_report_reminder_names_the_initiative_and_when_its_last_session_was_in_swedish_and_english():
    ctx = r.sample_context("report_reminder", "sv")
    out = r.render("report_reminder", "sv", {**ctx, "what": "Demokratisamtal"})
    assert "återrapport" in out.text and "English:" in out.text and ctx["last_ended_en"] in out.text


def test_the_cached_render_of_a_survey_keeps_each_recipients_link_apart():
    cache: dict = {}
    a = r.render_cached("feedback_request", "sv", r.sample_context("feedback_request", "sv") | {"feedback_url": "https://x/feedback/A?lang=sv"}, cache)
    b = r.render_cached("feedback_request", "sv", r.sample_context("feedback_request", "sv") | {"feedback_url": "https://x/feedback/B?lang=sv"}, cache)
    assert "feedback/A" in a.text and "feedback/A" not in b.text and "feedback/B" in b.html and len(cache) == 1
