"""One HTTP edge for every service: a refusal's body, and the residents' phone and email rules.

What a person checks: a number or an address is refused with the same field, code and words
whichever service takes it (a registration in scheduling, a subscription in notifications), and
a good one comes out normalised the same way.
"""

import pytest
from fastapi import HTTPException
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from services.scheduling.api.registrations import ErasureIn, RegistrationIn
from shared.envelope import reasons_from
from shared.http import checked, email_address, mobile_e164, problem


@pytest.mark.parametrize(("raw", "out"), [("070-123 45 67", "+46701234567"), ("+46 70 123 45 67", "+46701234567"), ("0046701234567", "+46701234567")])
def test_swedish_mobiles_become_e164(raw, out):
    assert mobile_e164(raw) == out


@pytest.mark.parametrize(("raw", "code"), [("12345", "invalid_phone"), ("hello", "invalid_phone"), ("040-34 10 00", "not_mobile")])
def test_bad_numbers_are_named(raw, code):
    with pytest.raises(PydanticCustomError) as e:
        mobile_e164(raw)
    assert e.value.type == code


def test_an_address_is_normalised_and_a_bad_one_is_invalid_email():
    assert email_address("anna@EXAMPLE.org") == "anna@example.org"
    assert email_address("Anna.Berg@Example.ORG") == "anna.berg@example.org", "one form, however it is typed"
    with pytest.raises(PydanticCustomError) as e:
        email_address("not-an-address")
    assert e.value.type == "invalid_email" and "@" in e.value.message()


def test_a_problem_names_the_field_the_code_and_why():
    p = problem(404, "edition_id", "unknown_edition", "There is no edition 'x'")
    assert isinstance(p, HTTPException) and p.status_code == 404
    assert p.detail == [{"field": "edition_id", "code": "unknown_edition", "message": "There is no edition 'x'"}]


def _reasons(model, body: dict) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as e:
        model.model_validate(body)
    return [(r.field, r.code, r.message) for r in reasons_from(e.value)]


@pytest.mark.parametrize(("field", "value"), [("email", "not-an-address"), ("phone", "12345"), ("phone", "040-34 10 00")])
def test_a_registration_and_a_subscription_refuse_alike(field, value):
    """Scheduling refuses in its request model, notifications in its handler (after its other
    checks): the same field, code and words either way."""
    as_registration = _reasons(RegistrationIn, {"name": "A", field: value})
    as_erasure = _reasons(ErasureIn, {field: value})
    with pytest.raises(HTTPException) as e:
        checked(field, email_address if field == "email" else mobile_e164, value)
    as_subscription = [(d["field"], d["code"], d["message"]) for d in e.value.detail]
    assert e.value.status_code == 422
    assert as_registration == as_erasure == as_subscription
    assert as_registration[0][:2] in {("email", "invalid_email"), ("phone", "invalid_phone"), ("phone", "not_mobile")}
