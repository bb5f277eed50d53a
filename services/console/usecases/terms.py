"""The vocabulary term form: a label field for every platform language, and a language term's
endonym, direction and platform flag — between the registry's term and the form. Pure.

The label fields are every platform language of the registry's languages vocabulary (not only
the console's own: a curator labels terms for every service's pages), Swedish first
(``shared.languages``). The registry decides what it takes: the form sends what was typed, and
its refusals come back beside the fields they name (``term_fields``).
"""

from services.console.usecases.form_fields import Chosen
from shared.languages import Language, offered_languages

LANGUAGE_FIELDS = {"endonym": "voc_endonym", "direction": "voc_direction", "platform": "voc_platform"}
REQUIRED = ("sv", "en")  # the registry's labels always have these: sent even when empty, so it says so beside them


def label_languages(vocabularies: dict[str, dict]) -> list[Language]:
    """The languages a term is labelled in on the form: every platform language."""
    terms = vocabularies.get("languages") or {}
    return offered_languages(terms, terms)


def label_field(code: str) -> str:
    return f"voc_label_{code}"


def label_headings(t: dict[str, str], languages: list[Language], vocabularies: dict[str, dict], lang: str) -> dict[str, str]:
    """Each label field's name in the page's language: the console's own words where it has them
    ("Label (Swedish)"), else "Label (<the language's label in the page's language>)"."""
    terms = vocabularies.get("languages") or {}

    def named(language: Language) -> str:
        labels = (terms.get(language.code) or {}).get("labels") or {}
        return labels.get(lang) or labels.get("sv") or language.endonym

    return {label_field(x.code): t.get(label_field(x.code)) or t["voc_label_in"].format(language=named(x)) for x in languages}


def term_fields(languages: list[Language]) -> dict[str, str]:
    """The registry's field path → the form's field its refusal is shown beside."""
    return {"vocabulary": "voc_vocabulary", "code": "voc_code", "labels": label_field("sv"),
            **{f"labels.{x.code}": label_field(x.code) for x in languages}, **LANGUAGE_FIELDS}


def term_chosen(name: str, code: str, term: dict, languages: list[Language]) -> Chosen:
    """The form filled with a term's values ("change" on a term)."""
    labels = term.get("labels") or {}
    chosen = {"voc_vocabulary": [name], "voc_code": [code], **{label_field(x.code): [labels.get(x.code, "")] for x in languages}}
    chosen |= {field: [term.get(key) or ""] for key, field in LANGUAGE_FIELDS.items() if key != "platform"}
    return chosen | ({"voc_platform": ["true"]} if term.get("platform") else {})


def term_body(form: dict[str, str], name: str, current: dict, languages: list[Language]) -> dict:
    """The registry's term from the form. Labels in languages the form does not show (not platform
    languages) are kept as the term has them; an empty optional label is left out. A language's
    fields are sent when filled (the platform flag of a languages term always: unticking it
    takes the language off the platform)."""
    shown = {x.code for x in languages} | set(REQUIRED)
    labels = {k: v for k, v in (current.get("labels") or {}).items() if k not in shown}
    for code in [*REQUIRED, *(x.code for x in languages if x.code not in REQUIRED)]:
        value = form.get(label_field(code), "").strip()
        if value or code in REQUIRED:
            labels[code] = value
    body: dict = {"labels": labels}  # not retired: saving brings a retired term back into use
    for key in ("endonym", "direction"):
        if form.get(LANGUAGE_FIELDS[key], "").strip():
            body[key] = form[LANGUAGE_FIELDS[key]].strip()
    ticked = form.get("voc_platform") == "true"
    if ticked or name == "languages":
        body["platform"] = ticked
    return body
