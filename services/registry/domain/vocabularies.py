"""Vocabularies — themes, target groups, districts, languages, accessibility — are data, not code.

Curators extend them over REST; each term has Swedish and English labels, and an Arabic one
where given. A term is never deleted, only retired: a retired code is refused in a new
initiative (and in a revision that adds it), while an initiative that already carries it stays
valid and may keep it in later revisions. Each vocabulary is one aggregate (``_id`` = its
name); a fresh database is seeded with Malmö's defaults below. Pure: the decisions and the seed
here, the use case in ``usecases.vocabularies``.

Every change is told, with the vocabulary's whole current state, on ``registry.vocabularies.v1``
(``VocabularyChangedV1``, keyed by its name; compacted), from the aggregate's outbox: the other
services follow it (``shared/vocabularies.py``) and keep no list of their own. The seed is told
too.
"""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.domain.states import Term, VocabularyState
from shared.decisions import Decision, NoChange, Pending
from shared.envelope import Reason, new_event
from shared.events.vocabularies import VOCABULARY_NAMES, VocabularyChangedV1
from shared.topics import REGISTRY_VOCABULARIES

VOCABULARIES = VOCABULARY_NAMES
EVENT_NAMESPACE = uuid.UUID("0b8f3f5e-2f7a-4b8e-9a0c-6d1f4c2e7a91")
CODE_PATTERN = {name: r"^[a-z][a-z0-9_]{0,39}$" for name in VOCABULARIES} | {"languages": r"^[a-z]{2,3}$"}

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Labels(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    sv: Label = Field(examples=["Demokrati"])
    en: Label = Field(examples=["Democracy"])
    ar: Label | None = Field(default=None, description="Arabic, where the curators have it (shown in Swedish until then).", examples=["الديمقراطية"])


class TermIn(BaseModel):
    """A term as a curator sets it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    labels: Labels
    retired: bool = Field(default=False, description="Retired terms stay valid on initiatives that have them.")


def _terms(*rows: tuple[str, str, str]) -> dict[str, Term]:
    return {code: {"labels": {"sv": sv, "en": en}, "retired": False} for code, sv, en in rows}


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
    "languages": _terms(
        ("sv", "svenska", "Swedish"),
        ("en", "engelska", "English"),
        ("ar", "arabiska", "Arabic"),
        ("fa", "persiska", "Persian"),
        ("prs", "dari", "Dari"),
        ("so", "somaliska", "Somali"),
        ("bs", "bosniska", "Bosnian"),
        ("hr", "kroatiska", "Croatian"),
        ("sr", "serbiska", "Serbian"),
        ("sq", "albanska", "Albanian"),
        ("pl", "polska", "Polish"),
        ("tr", "turkiska", "Turkish"),
        ("ku", "kurdiska", "Kurdish"),
        ("ti", "tigrinja", "Tigrinya"),
        ("uk", "ukrainska", "Ukrainian"),
        ("ru", "ryska", "Russian"),
        ("es", "spanska", "Spanish"),
        ("de", "tyska", "German"),
        ("fr", "franska", "French"),
        ("da", "danska", "Danish"),
        ("fi", "finska", "Finnish"),
        ("yi", "jiddisch", "Yiddish"),
        ("rom", "romani chib", "Romani"),
        ("se", "nordsamiska", "Northern Sami"),
        ("fit", "meänkieli", "Meänkieli"),
        ("swl", "svenskt teckenspråk", "Swedish Sign Language"),
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
