"""A service's refusal in the reader's words (pure).

The services answer each refusal with a field, a code and an English message. Where the code is
one of the validation library's generic ones (a field left empty, a number out of range, a date
that cannot be read), the console's labels (``why_<code>``) give the reader's words; a code only
one service knows keeps that service's message, which says it best. Where the words leave out a
limit the message names (how long, how large), the message follows them in brackets.
"""

from collections.abc import Mapping

# Codes whose message carries the limit itself ("at most 200 characters").
WITH_A_LIMIT = frozenset({"string_too_long", "greater_than_equal", "greater_than", "less_than_equal", "less_than", "too_long"})


def said(reason: Mapping, labels: Mapping[str, str]) -> str:
    """The words shown for ``reason`` (``{field, code, message}``) with ``labels`` of one language."""
    message = str(reason.get("message") or "")
    words = labels.get(f"why_{reason.get('code')}")
    if not words:
        return message
    return f"{words} ({message})" if reason.get("code") in WITH_A_LIMIT and message else words
