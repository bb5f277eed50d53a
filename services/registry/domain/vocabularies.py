"""Vocabularies — themes, target groups, districts, languages, accessibility — are data, not code.

Curators extend them over REST; each term has Swedish and English labels, and one in any other
language of the languages vocabulary where given. A languages term also carries its endonym, its
direction (rtl) and whether it is a platform language (Swedish, English and Arabic as seeded):
adding a language to the platform is that flag and each service's translation files, no code
(``shared/languages.py``). A term is never deleted, only retired: a retired code is refused in a new
initiative (and in a revision that adds it), while an initiative that already carries it stays
valid and may keep it in later revisions. Each vocabulary is one aggregate (``_id`` = its
name); a fresh database is seeded with Malmö's defaults below. Pure: the decisions and the seed
here, the use case in ``usecases.vocabularies``.

Every change is told, with the vocabulary's whole current state, on ``registry.vocabularies.v1``
(``VocabularyChangedV1``, keyed by its name; compacted), from the aggregate's outbox: the other
services follow it (``shared/vocabularies.py``) and keep no list of their own. The seed is told
too.
"""

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.domain.states import Term, VocabularyState
from shared.events.common import NOT_BLANK
from shared.fields import Flag
from shared.decisions import Decision, NoChange, Pending
from shared.envelope import Reason, new_event
from shared.events.vocabularies import VOCABULARY_NAMES, VocabularyChangedV1
from shared.topics import REGISTRY_VOCABULARIES

VOCABULARIES = VOCABULARY_NAMES
EVENT_NAMESPACE = uuid.UUID("0b8f3f5e-2f7a-4b8e-9a0c-6d1f4c2e7a91")
CODE_PATTERN = {name: r"^[a-z][a-z0-9_]{0,39}$" for name in VOCABULARIES} | {"languages": r"^[a-z]{2,3}$"}

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_BLANK)]


class Labels(BaseModel):
    """A term's labels by language: Swedish and English always; any other language of the
    languages vocabulary where the curators have it (``check_term``; shown in Swedish until then)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, Label] = Field(init=False)
    sv: Label = Field(examples=["Demokrati"])
    en: Label = Field(examples=["Democracy"])


LANGUAGE_FIELDS = ("endonym", "direction", "platform")


class TermIn(BaseModel):
    """A term as a curator sets it. ``endonym``, ``direction`` and ``platform`` belong to the
    languages vocabulary only (``check_term`` refuses them elsewhere)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    labels: Labels = Field(examples=[{"sv": "Demokrati", "en": "Democracy", "ar": "الديمقراطية"}])
    retired: Flag = Field(default=False, description="Retired terms stay valid on initiatives that have them.")
    endonym: Label | None = Field(default=None, description="languages: the language's name in itself (the language menus).",
                                  examples=["العربية"])
    direction: Literal["ltr", "rtl"] | None = Field(default=None, description="languages: its writing direction (none: ltr).")
    platform: Flag | None = Field(default=None, description=(
        "languages: a platform language — offered on pages and in messages wherever a service has its translations."))


def check_term(name: str, code: str, term: TermIn, languages: dict[str, Term]) -> list[Reason]:
    """Reasons to refuse ``term`` as ``code`` of the vocabulary ``name``: a language's fields on
    another vocabulary, or a label in a language the languages vocabulary does not have
    (``languages``: its terms; a new language may be labelled in itself)."""
    reasons = [Reason(field=f, code="languages_only", message=f"'{f}' belongs to terms of the languages vocabulary only")
               for f in LANGUAGE_FIELDS if name != "languages" and getattr(term, f) is not None]
    known = set(languages) | ({code} if name == "languages" else set())
    reasons += [Reason(field=f"labels.{lang}", code="unknown_language",
                       message=f"'{lang}' is not in the vocabulary languages (see GET /v1/vocabularies/languages)")
                for lang in term.labels.model_dump() if lang not in known]
    return reasons


def _terms(*rows: tuple[str, str, str]) -> dict[str, Term]:
    return {code: {"labels": {"sv": sv, "en": en}, "retired": False} for code, sv, en in rows}


def _languages(*rows: tuple[str, str, str, str, str, bool]) -> dict[str, Term]:
    """Language terms: a direction only where it is rtl, the flag only on platform languages."""
    terms = {}
    for code, sv, en, endonym, direction, platform in rows:
        term: Term = {"labels": {"sv": sv, "en": en}, "retired": False, "endonym": endonym}
        terms[code] = term | ({"direction": direction} if direction else {}) | ({"platform": True} if platform else {})
    return terms


SEED: dict[str, dict[str, Term]] = {
    "themes": _terms(
        ("democracy", "Demokrati", "Democracy"),
        ("anti_racism", "Antirasism", "Anti-racism"),
        ("antisemitism", "Motverka antisemitism", "Countering antisemitism"),
        ("human_rights", "Mänskliga rättigheter", "Human rights"),
        ("anti_discrimination", "Antidiskriminering", "Anti-discrimination"),
        ("inclusion", "Inkludering", "Inclusion"),
        ("participation", "Delaktighet", "Participation"),
    ),
    # Malmö's ten former stadsdelar (1996–2013), still the city's statistical districts.
    "districts": _terms(
        ("centrum", "Centrum", "Centrum (city centre)"),
        ("sodra_innerstaden", "Södra innerstaden", "Södra innerstaden (southern inner city)"),
        ("vastra_innerstaden", "Västra innerstaden", "Västra innerstaden (western inner city)"),
        ("limhamn_bunkeflo", "Limhamn-Bunkeflo", "Limhamn-Bunkeflo"),
        ("hyllie", "Hyllie", "Hyllie"),
        ("fosie", "Fosie", "Fosie"),
        ("oxie", "Oxie", "Oxie"),
        ("rosengard", "Rosengård", "Rosengård"),
        ("husie", "Husie", "Husie"),
        ("kirseberg", "Kirseberg", "Kirseberg"),
        ("all_malmo", "Hela Malmö", "All of Malmö"),
    ),
    "target_groups": _terms(
        ("children", "Barn", "Children"),
        ("youth", "Unga", "Young people"),
        ("adults", "Vuxna", "Adults"),
        ("seniors", "Äldre", "Older people"),
        ("families", "Familjer", "Families"),
        ("newcomers", "Nyanlända", "Newcomers"),
        ("people_with_disabilities", "Personer med funktionsnedsättning", "People with disabilities"),
        ("national_minorities", "Nationella minoriteter", "National minorities"),
        ("lgbtqi", "hbtqi-personer", "LGBTQI people"),
        ("professionals", "Yrkesverksamma", "Professionals"),
        ("civil_society_orgs", "Civilsamhällets organisationer", "Civil society organisations"),
        ("decision_makers", "Förtroendevalda och beslutsfattare", "Elected officials and decision makers"),
        ("general_public", "Allmänheten", "The general public"),
    ),
    # (code, sv, en, endonym, direction, platform): Swedish, English and Arabic are the platform's.
    "languages": _languages(
        ("sv", "svenska", "Swedish", "Svenska", "", True),
        ("en", "engelska", "English", "English", "", True),
        ("ar", "arabiska", "Arabic", "العربية", "rtl", True),
        ("fa", "persiska", "Persian", "فارسی", "rtl", False),
        ("prs", "dari", "Dari", "دری", "rtl", False),
        ("so", "somaliska", "Somali", "Soomaali", "", False),
        ("bs", "bosniska", "Bosnian", "Bosanski", "", False),
        ("hr", "kroatiska", "Croatian", "Hrvatski", "", False),
        ("sr", "serbiska", "Serbian", "Српски", "", False),
        ("sq", "albanska", "Albanian", "Shqip", "", False),
        ("pl", "polska", "Polish", "Polski", "", False),
        ("tr", "turkiska", "Turkish", "Türkçe", "", False),
        ("ku", "kurdiska", "Kurdish", "Kurdî", "", False),
        ("ti", "tigrinja", "Tigrinya", "ትግርኛ", "", False),
        ("uk", "ukrainska", "Ukrainian", "Українська", "", False),
        ("ru", "ryska", "Russian", "Русский", "", False),
        ("es", "spanska", "Spanish", "Español", "", False),
        ("de", "tyska", "German", "Deutsch", "", False),
        ("fr", "franska", "French", "Français", "", False),
        ("da", "danska", "Danish", "Dansk", "", False),
        ("fi", "finska", "Finnish", "Suomi", "", False),
        ("yi", "jiddisch", "Yiddish", "ייִדיש", "rtl", False),
        ("rom", "romani chib", "Romani", "Romani čhib", "", False),
        ("se", "nordsamiska", "Northern Sami", "Davvisámegiella", "", False),
        ("fit", "meänkieli", "Meänkieli", "Meänkieli", "", False),
        ("swl", "svenskt teckenspråk", "Swedish Sign Language", "Svenskt teckenspråk", "", False),
    ),
    "accessibility": _terms(
        ("wheelchair_access", "Tillgängligt med rullstol", "Wheelchair accessible"),
        ("step_free", "Utan trappsteg", "Step-free access"),
        ("accessible_toilet", "Tillgänglig toalett", "Accessible toilet"),
        ("hearing_loop", "Hörslinga", "Hearing loop"),
        ("sign_language", "Teckenspråkstolkning", "Sign language interpretation"),
        ("captioning", "Skrivtolkning", "Live captioning"),
        ("easy_swedish", "Lätt svenska", "Easy-to-read Swedish"),
        ("audio_description", "Syntolkning", "Audio description"),
        ("quiet_room", "Tyst rum", "Quiet room"),
        ("allergy_aware", "Allergianpassat", "Allergy aware"),
        ("assistance_dogs", "Assistanshundar välkomna", "Assistance dogs welcome"),
    ),
}


def _with_seed_labels(seed: dict[str, dict[str, Term]], folder: Path) -> dict[str, dict[str, Term]]:
    """The seed with the labels of every further language from its file (``seed_labels/<lang>.json``:
    vocabulary → code → label): a language's seed labels are data, like its pages' words."""
    for path in sorted(folder.glob("*.json")):
        for name, labels in json.loads(path.read_text(encoding="utf-8")).items():
            for code, label in labels.items():
                if code in seed.get(name, {}):
                    seed[name][code]["labels"][path.stem] = label
    return seed


SEED = _with_seed_labels(SEED, Path(__file__).with_name("seed_labels"))


def check_codes(content: dict, vocabularies: dict[str, dict[str, Term]], current: dict | None) -> list[Reason]:
    """Reasons to refuse the codes in ``content``; ``current`` is the initiative's content so far."""
    reasons = []
    for name in VOCABULARIES:
        terms = vocabularies.get(name, {})
        kept = set((current or {}).get(name, []))
        for i, code in enumerate(content.get(name, [])):
            term = terms.get(code)
            if term is None:
                reasons.append(Reason(field=f"data.{name}.{i}", code="unknown_code", message=f"'{code}' is not in the vocabulary {name} (see GET /v1/vocabularies/{name})"))
            elif term["retired"] and code not in kept:
                reasons.append(Reason(field=f"data.{name}.{i}", code="retired_code", message=f"'{code}' is retired from the vocabulary {name}; it stays only on initiatives that already have it"))
    return reasons


def told(name: str, terms: dict[str, Term], version: int, now: datetime, source: str) -> Pending:
    """The event of the vocabulary ``name`` at state ``version``. Its id follows from both, so a
    decision retried after a crash tells the very same event (followers keep the newest version)."""
    data = VocabularyChangedV1(vocabulary=name, version=version, terms=terms)
    event_id = str(uuid.uuid5(EVENT_NAMESPACE, f"{name}\n{version}"))
    return Pending.of(REGISTRY_VOCABULARIES, new_event(data, source=source, subject=name, event_id=event_id, time=now))


def decide_seed(state: VocabularyState | None, version: int, name: str, now: datetime, source: str) -> Decision | NoChange:
    """A fresh vocabulary gets Malmö's defaults, told like any change; an existing one is left as it is."""
    if state is not None:
        return NoChange()
    new = {"vocabulary": name, "terms": SEED[name], "updated_at": now.isoformat()}
    return Decision(new, [told(name, new["terms"], version + 1, now, source)])


def decide_term(state: VocabularyState, version: int, code: str, term: TermIn, now: datetime, source: str) -> Decision | NoChange:
    """Add or change a term of the (seeded, so existing) vocabulary, told with its whole state."""
    terms = dict(state.get("terms", {}))
    value = term.model_dump(exclude_none=True)  # a label not given is not stored (nor told) as empty
    if terms.get(code) == value:
        return NoChange()  # the same again
    terms[code] = value
    name = state["vocabulary"]
    return Decision({**state, "terms": terms, "updated_at": now.isoformat()}, [told(name, terms, version + 1, now, source)])
