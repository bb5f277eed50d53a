"""The organiser's outcome report form as the registry's report body, and back (pure).

The form's fields are named by the body's paths (``what_happened.sv``, ``partners.1.name``), so a
reason the registry gives for a path lands beside its field. Nothing is checked here: a blank
optional text or an empty partner or material row is left out, everything else goes as typed, and
the registry's answer says what is wrong.
"""

from typing import Any

from services.console.usecases.form_fields import Chosen

LOCALIZED = ("what_happened", "worked", "did_not_work")
CHECKBOXES = ("target_groups", "districts")
ROWS = {"partners": ("name", "kind"), "materials": ("title", "url")}
SPARE_ROWS = 3  # empty rows offered below those filled in (no JavaScript to add one)
NUMBERS = ("participants", "spent_sek")


def one(chosen: Chosen, name: str) -> str:
    return (chosen.get(name) or [""])[0].strip()


def _number(text: str) -> int | str:
    return int(text) if text.isdigit() else text  # anything else as typed: the registry names it


def _filled(chosen: Chosen, group: str) -> list[int]:
    """The form's numbers of the group's rows not left empty, in order (what is sent, the n-th as n)."""
    indexes = sorted({int(k.split(".")[1]) for k in chosen if k.startswith(f"{group}.") and k.split(".")[1].isdigit()})
    return [i for i in indexes if any(one(chosen, f"{group}.{i}.{part}") for part in ROWS[group])]


def _rows(chosen: Chosen, group: str) -> list[dict[str, str]]:
    return [{part: one(chosen, f"{group}.{i}.{part}") for part in ROWS[group]} for i in _filled(chosen, group)]


def body_of(chosen: Chosen) -> dict[str, Any]:
    """The report body (``POST /v1/initiatives/{id}/report``) from the form."""
    body: dict[str, Any] = {}
    for name in LOCALIZED:
        texts = {lang: one(chosen, f"{name}.{lang}") for lang in ("sv", "en")}
        if name == "what_happened" or any(texts.values()):
            body[name] = {"sv": texts["sv"], **({"en": texts["en"]} if texts["en"] else {})}
    for name in NUMBERS:
        body[name] = _number(one(chosen, name))
    for name in CHECKBOXES:
        body[name] = [v for v in chosen.get(name, []) if v]
    for group in ROWS:
        body[group] = _rows(chosen, group)
    body["revision"] = _number(one(chosen, "revision"))
    return body


def form_of(content: dict[str, Any] | None, revision: int) -> Chosen:
    """The form filled with a report's content, for its next ``revision``."""
    content = content or {}
    chosen: Chosen = {name: [str(v) for v in content.get(name) or []] for name in CHECKBOXES}
    for name in LOCALIZED:
        for lang, text in (content.get(name) or {}).items():
            chosen[f"{name}.{lang}"] = [text]
    for name in NUMBERS:
        if content.get(name) is not None:
            chosen[name] = [str(content[name])]
    for group, parts in ROWS.items():
        for i, row in enumerate(content.get(group) or []):
            for part in parts:
                chosen[f"{group}.{i}.{part}"] = [str(row.get(part) or "")]
    chosen["revision"] = [str(revision)]
    return chosen


def row_count(chosen: Chosen, group: str) -> int:
    """How many rows the form shows: those given (by their highest number) and ``SPARE_ROWS`` more."""
    return max(_filled(chosen, group), default=-1) + 1 + SPARE_ROWS


def field_of(path: str, chosen: Chosen) -> str:
    """The form field a registry reason names: ``what_happened.sv`` as it is, ``districts.0`` →
    ``districts``, ``what_happened`` → ``what_happened.sv``, ``partners.1.name`` → the form's row
    that was sent second (empty rows are not sent)."""
    parts = path.removeprefix("data.").split(".")
    if parts[0] in ROWS and len(parts) >= 3 and parts[1].isdigit():
        filled = _filled(chosen, parts[0])
        row = filled[int(parts[1])] if int(parts[1]) < len(filled) else parts[1]
        return f"{parts[0]}.{row}.{parts[2]}"
    if parts[0] in CHECKBOXES:
        return parts[0]
    if parts[0] in LOCALIZED:
        return f"{parts[0]}.{parts[1] if len(parts) > 1 and not parts[1].isdigit() else 'sv'}"
    return parts[0] if parts[0] in NUMBERS else path


def placed(reasons: list[dict], chosen: Chosen) -> list[dict]:
    """The registry's reasons, each with ``field`` the form field it belongs beside."""
    return [{**r, "field": field_of(r.get("field") or "", chosen)} for r in reasons]


def partner_links(form: dict[str, str]) -> dict[str, str]:
    """The curator's choices of a registered source for each partner (``partner_source.<i>``)."""
    return {k.split(".", 1)[1]: v for k, v in form.items() if k.startswith("partner_source.") and k.split(".", 1)[1].isdigit()}
