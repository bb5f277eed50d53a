"""A service's refusal in the reader's words: the validation library's generic codes in Swedish or
English from the console's labels, the limit kept where the words leave it out, and a code only a
service knows in that service's own message."""

from services.console.api.pages import LABELS
from services.console.usecases.reasons import said


def test_an_empty_field_is_said_in_the_readers_language():
    reason = {"field": "title.sv", "code": "string_too_short", "message": "String should have at least 1 character"}
    assert said(reason, LABELS["sv"]) == "Fyll i fältet."
    assert said(reason, LABELS["en"]) == "Fill in this field."


def test_a_limit_the_words_leave_out_follows_them_in_brackets():
    reason = {"field": "capacity", "code": "less_than_equal", "message": "Input should be less than or equal to 100000"}
    assert said(reason, LABELS["sv"]) == "Talet är för stort. (Input should be less than or equal to 100000)"


def test_a_services_own_code_keeps_its_message():
    reason = {"field": "ends_at", "code": "before_start", "message": "The session ends before it starts"}
    assert said(reason, LABELS["sv"]) == "The session ends before it starts"
    assert said({"field": "", "code": None, "message": "Busy"}, LABELS["en"]) == "Busy"


def test_every_language_has_words_for_the_same_codes():
    codes = {lang: {k for k in labels if k.startswith("why_")} for lang, labels in LABELS.items()}
    assert codes["sv"] and all(found == codes["sv"] for found in codes.values())
