"""What the run sends, generated from a seed, with what it must lead to (pure: no I/O).

The submission stream mixes first submissions, revisions, withdrawals, exact duplicates
(the same event sent again, as a publisher's retry would) and a few invalid events (an
unknown theme code), and records for every initiative the state it must end in. Residents
have made-up, unmistakable names, addresses and numbers, so a scan can find them anywhere.
"""

import json
import random
import uuid
from dataclasses import dataclass, field

from services.registry.domain.initiatives import initiative_id

NS = uuid.UUID("3d0c3b7e-5a8e-4f0e-9c55-6b2f7c1d9e42")
KINDS = ("administration", "civil_society", "political", "international")
THEMES = ("democracy", "participation", "anti_racism", "human_rights", "inclusion", "anti_discrimination")
DISTRICTS = ("centrum", "rosengard", "hyllie", "limhamn_bunkeflo", "sodra_innerstaden", "vastra_innerstaden")
FIRST_NAMES = ("Amira", "Björn", "Cecilia", "Dawit", "Elin", "Farid", "Greta", "Hassan", "Ida", "Jovana")
SUBMITTED = "se.malmo.oppna.initiative.submitted.v1"
WITHDRAWN = "se.malmo.oppna.initiative.withdrawn.v1"


def source_uri(n: int) -> str:
    return f"urn:malmo:source:chaos-{n:02d}"


def source_kind(n: int) -> str:
    return KINDS[n % len(KINDS)]


def _event(rng: random.Random, source: str, type_: str, data: dict) -> dict:
    return {
        "specversion": "1.0",
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "source": source,
        "type": type_,
        "subject": data["external_id"],
        "time": "2026-09-01T09:00:00+02:00",
        "datacontenttype": "application/json",
        "data": data,
    }


def submission_data(rng: random.Random, source_n: int, external_id: str, revision: int, theme: str | None = None) -> dict:
    return {
        "external_id": external_id,
        "revision": revision,
        "title": {"sv": f"Samtal om demokrati {external_id} v{revision}", "en": f"Talks on democracy {external_id} v{revision}"},
        "summary": {"sv": "Öppet samtal för alla Malmöbor.", "en": "An open talk for everyone in Malmö."},
        "organizer": {"kind": source_kind(source_n), "name": f"Arrangör {source_n:02d}"},
        "themes": [theme] if theme else rng.sample(THEMES, 2),
        "origin": rng.choice(("new", "existing")),
        "districts": [rng.choice(DISTRICTS)],
        "languages": ["sv", "en"],
        "period": {"start": "2026-10-05", "end": "2026-10-18"},
        "expected_participants": rng.randint(10, 200),
        "budget": {"requested_sek": rng.randint(0, 50) * 1000, "own_funding_sek": rng.randint(0, 20) * 1000},
    }


@dataclass
class Expected:
    """What an initiative must look like in the registry at the end."""

    source: str
    external_id: str
    revision: int
    withdrawn: bool


@dataclass
class Stream:
    messages: list[tuple[str, bytes]] = field(default_factory=list)  # (key, value) in sending order
    expected: dict[str, Expected] = field(default_factory=dict)  # by initiative id
    invalid_ids: set[str] = field(default_factory=set)  # CloudEvent ids that must be dead-lettered
    counts: dict[str, int] = field(default_factory=dict)


def submission_stream(seed: int, sources: int, total: int, prefix: str = "K") -> Stream:
    rng = random.Random(seed)
    out = Stream(counts={"first": 0, "revision": 0, "withdrawal": 0, "duplicate": 0, "invalid": 0})
    live: list[tuple[int, str]] = []  # initiatives that can still be revised or withdrawn
    sent: list[tuple[str, bytes]] = []
    revision: dict[tuple[int, str], int] = {}
    while len(out.messages) < total:
        roll = rng.random()
        if roll < 0.60 or not live:
            n = rng.randrange(sources)
            external_id = f"{prefix}{n:02d}-{sum(out.counts.values()):06d}"
            kind, ev = "first", _event(rng, source_uri(n), SUBMITTED, submission_data(rng, n, external_id, 1))
            revision[(n, external_id)] = 1
            live.append((n, external_id))
        elif roll < 0.80:
            n, external_id = rng.choice(live)
            revision[(n, external_id)] += 1
            kind, ev = "revision", _event(rng, source_uri(n), SUBMITTED, submission_data(rng, n, external_id, revision[(n, external_id)]))
        elif roll < 0.85:
            n, external_id = live.pop(rng.randrange(len(live)))
            revision[(n, external_id)] += 1
            data = {"external_id": external_id, "revision": revision[(n, external_id)], "reason": "Inställt / Cancelled"}
            kind, ev = "withdrawal", _event(rng, source_uri(n), WITHDRAWN, data)
        elif roll < 0.97 and sent:
            # The same event again, byte for byte: a publisher's retry after a lost acknowledgement.
            out.messages.append(rng.choice(sent))
            out.counts["duplicate"] += 1
            continue
        else:
            n = rng.randrange(sources)
            external_id = f"{prefix}{n:02d}-{sum(out.counts.values()):06d}-x"
            kind, ev = "invalid", _event(rng, source_uri(n), SUBMITTED, submission_data(rng, n, external_id, 1, theme="no_such_theme"))
            out.invalid_ids.add(ev["id"])
        message = (ev["data"]["external_id"], json.dumps(ev, ensure_ascii=False).encode())
        out.messages.append(message)
        sent.append(message)
        out.counts[kind] += 1
        if kind != "invalid":
            iid = initiative_id(ev["source"], ev["data"]["external_id"])
            out.expected[iid] = Expected(ev["source"], ev["data"]["external_id"], ev["data"]["revision"], kind == "withdrawal")
    return out


@dataclass(frozen=True)
class Resident:
    n: int
    name: str
    email: str | None
    phone: str | None
    language: str
    party_size: int
    session: int  # index of the session they register for

    @property
    def address(self) -> str:
        return self.email or self.phone  # type: ignore[return-value]

    def body(self) -> dict:
        body = {"name": self.name, "language": self.language, "party_size": self.party_size}
        if self.email:
            body["email"] = self.email
        if self.phone:
            body["phone"] = self.phone
        return body


def residents(seed: int, count: int, sessions: int) -> list[Resident]:
    """Seven in ten by email, the rest by SMS only; mostly alone, some two together."""
    rng = random.Random(seed + 1)
    out = []
    for n in range(count):
        by_email = rng.random() < 0.7
        out.append(Resident(
            n=n,
            name=f"{rng.choice(FIRST_NAMES)} Kaosson{n:05d}",
            email=f"kaos.resident{n:05d}@example.se" if by_email else None,
            phone=None if by_email else f"+46709{n:06d}",
            language=rng.choice(("sv", "sv", "en", "ar")) if by_email else rng.choice(("sv", "en")),
            party_size=1 if rng.random() < 0.85 else 2,
            session=rng.randrange(sessions),
        ))
    return out


def tokens_of(resident: Resident) -> list[str]:
    """Every form in which the resident's details could leak: address, number (E.164 and the
    national form), and the made-up surname (unique to them)."""
    out = [resident.name.split()[-1]]
    if resident.email:
        out.append(resident.email)
    if resident.phone:
        out += [resident.phone, "0" + resident.phone[3:]]
    return out
