"""Message ids follow from cause, recipient and template; tokens are signed and purpose-bound."""

from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain import tokens
from services.notifications.domain.digest import Interests, matches, select
from services.notifications.domain.message_ids import message_id

text = st.text(min_size=1, max_size=40)


@given(cause=text, recipient=text, template=text)
def test_message_ids_are_deterministic(cause, recipient, template):
    assert message_id(cause, recipient, template) == message_id(cause, recipient, template)


def test_message_ids_differ_by_cause_recipient_and_template():
    ids = {message_id(c, r, t) for c in ("e1", "e2") for r in ("registration:1", "registration:2") for t in ("reminder", "session_changed")}
    assert len(ids) == 8


@given(key=st.text(min_size=1, max_size=60).filter(lambda s: "|" not in s))
def test_tokens_round_trip_and_are_bound_to_their_purpose_and_secret(key):
    token = tokens.sign("secret-one", "unsubscribe", key)
    assert tokens.verify("secret-one", "unsubscribe", token) == key
    assert tokens.verify("secret-one", "confirm", token) is None
    assert tokens.verify("secret-two", "unsubscribe", token) is None


def test_tampered_tokens_are_refused():
    token = tokens.sign("s3cretkey", "unsubscribe", "subscription:abc")
    body, mac = token.split(".")
    forged = tokens.sign("other-key", "unsubscribe", "subscription:xyz").split(".")[0] + "." + mac
    assert tokens.verify("s3cretkey", "unsubscribe", forged) is None
    assert tokens.verify("s3cretkey", "unsubscribe", "garbage") is None
    assert tokens.verify("s3cretkey", "unsubscribe", "a.b.c") is None


def test_sms_codes_are_six_digits_and_per_subscription():
    a, b = tokens.sms_code("k" * 10, "sub-1"), tokens.sms_code("k" * 10, "sub-2")
    assert len(a) == 6 and a.isdigit() and a != b
    assert tokens.codes_match("k" * 10, "sub-1", f" {a} ")


SESSION = {"session_id": "s1", "status": "published", "themes": ["democracy"], "districts": ["rosengard"], "languages": ["sv", "ar"], "starts_at": "2025-10-07T18:00:00+02:00"}


def test_digest_matching_narrows_by_each_non_empty_interest():
    assert matches(SESSION, Interests())
    assert matches(SESSION, Interests.of({"themes": ["democracy", "inclusion"], "languages": ["ar"]}))
    assert not matches(SESSION, Interests.of({"themes": ["antisemitism"]}))
    assert not matches(SESSION, Interests.of({"districts": ["limhamn_bunkeflo"]}))
    assert not matches({**SESSION, "status": "cancelled"}, Interests())
    later = {**SESSION, "session_id": "s0", "starts_at": "2025-10-09T18:00:00+02:00"}
    assert [s["session_id"] for s in select([later, SESSION], Interests())] == ["s1", "s0"]


def test_failure_reasons_never_carry_an_address_or_number():
    from services.notifications.usecases.handover import scrub

    assert scrub("SMTP 550: <anna@example.org> unknown", "anna@example.org") == "SMTP 550: <<recipient>> unknown"
    assert "example" not in scrub("refused bob@example.se", None)
    assert "0701" not in scrub("bad destination +46 70 123 45 67", None)
    assert scrub("gateway answered garbage (HTTP 200)", None) == "gateway answered garbage (HTTP 200)"
