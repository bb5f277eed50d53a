"""Demo data: publishers' initiatives, sent the way their own systems would send them.

First the city office registers the five publishers (``CURATOR_API_KEY``, printed by
``deploy/local/services.py env``); then most initiatives go on Kafka (``registry.submissions.v1``),
one over REST with its publisher's own key; one is revised and one withdrawn; finally a curator
reviews some: four are stamped, one gets a request for changes. Event ids are derived from the
content, so running this twice changes nothing (a second run only gives the REST publisher a new key).

    .venv/bin/python -m deploy.local.demo_data
"""

import asyncio
import json
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime, time as clock, timedelta
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaProducer

from deploy.local.demo_followup import held_edition
from shared.kafka.security import client_options, security_settings

NS = uuid.UUID("0b7c5a1e-3f7d-4a51-9c1e-5d1f2a9e7c30")
SOURCES = {
    "urn:malmo:source:kulturforvaltningen": ("administration", "Kulturförvaltningen"),
    "urn:malmo:source:funktionsstodsforvaltningen": ("administration", "Funktionsstödsförvaltningen"),
    "urn:malmo:source:ideell-forening-rosengard": ("civil_society", "Föreningen Rosengård tillsammans"),
    "urn:malmo:source:malmo-ungdomsrad": ("political", "Malmö ungdomsråd"),
    "urn:malmo:source:eccar": ("international", "ECCAR – European Coalition of Cities Against Racism"),
}
INITIATIVES = [
    ("KF-2025-001", "Demokratins dag på Stadsbiblioteket", "Democracy day at the City Library", ["democracy", "participation"], "existing", ["centrum"]),
    ("KF-2025-002", "Berättelser om Malmö – minnen från 1900-talet", "Stories of Malmö – memories from the 1900s", ["inclusion"], "new", ["sodra_innerstaden"]),
    ("FSF-2025-01", "Tillgänglig demokrati: val på lätt svenska", "Accessible democracy: elections in easy Swedish", ["democracy", "anti_discrimination"], "new", ["hyllie"]),
    ("IFR-7", "Samtal mot rasism i Rosengård", "Conversations against racism in Rosengård", ["anti_racism"], "new", ["rosengard"]),
    ("IFR-8", "Kvinnors rättigheter – studiecirkel", "Women's rights – study circle", ["human_rights"], "existing", ["rosengard"]),
    ("MUR-2025-A", "Ungdomsparlamentet öppnar", "The youth parliament opens", ["democracy", "participation"], "new", ["centrum"]),
    ("ECCAR-MAL-1", "Städer mot antisemitism: internationellt seminarium", "Cities against antisemitism: international seminar", ["antisemitism", "human_rights"], "new", ["vastra_innerstaden"]),
]


def event(source: str, type_: str, data: dict) -> dict:
    ident = uuid.uuid5(NS, f"{source}|{type_}|{data['external_id']}|{data['revision']}")
    return {
        "specversion": "1.0",
        "id": str(ident),
        "source": source,
        "type": type_,
        "subject": data["external_id"],
        "time": "2025-09-01T09:00:00+02:00",
        "datacontenttype": "application/json",
        "data": data,
    }


def demo_days(today: date | None = None) -> list[date]:
    """The demo forum period: two weeks from next Monday, so it is always in the future."""
    today = today or datetime.now(UTC).date()
    first = today + timedelta(days=7 - today.weekday())
    return [first + timedelta(days=d) for d in range(14)]


def submitted(source: str, external_id: str, sv: str, en: str, themes: list[str], origin: str, districts: list[str], revision: int = 1) -> dict:
    kind, name = SOURCES[source]
    return event(source, "se.malmo.oppna.initiative.submitted.v1", {
        "external_id": external_id,
        "revision": revision,
        "title": {"sv": sv, "en": en},
        "summary": {"sv": f"{sv}. Öppet för alla Malmöbor.", "en": f"{en}. Open to everyone in Malmö."},
        "organizer": {"kind": kind, "name": name},
        "themes": themes,
        "origin": origin,
        "districts": districts,
        "languages": ["sv", "en"],
        "period": {"start": demo_days()[0].isoformat(), "end": demo_days()[-1].isoformat()},  # in the demo edition
        "expected_participants": 60,
        "budget": {"requested_sek": 30000, "own_funding_sek": 15000},
    })


def demo_events() -> tuple[list[dict], dict]:
    by_prefix = {"KF": "kulturforvaltningen", "FSF": "funktionsstodsforvaltningen", "IFR": "ideell-forening-rosengard", "MUR": "malmo-ungdomsrad", "ECCAR": "eccar"}
    kafka = []
    for external_id, sv, en, themes, origin, districts in INITIATIVES:
        source = f"urn:malmo:source:{by_prefix[external_id.split('-')[0]]}"
        kafka.append(submitted(source, external_id, sv, en, themes, origin, districts))
    # A revision and a withdrawal, as publishers' systems send them.
    kafka.append(submitted("urn:malmo:source:kulturforvaltningen", "KF-2025-001", "Demokratins dag på Stadsbiblioteket (ny tid)", "Democracy day at the City Library (new time)", ["democracy", "participation"], "existing", ["centrum"], revision=2))
    kafka.append(event("urn:malmo:source:ideell-forening-rosengard", "se.malmo.oppna.initiative.withdrawn.v1", {"external_id": "IFR-8", "revision": 2, "reason": "Flyttas till våren / Moved to spring"}))
    rest = submitted("urn:malmo:source:funktionsstodsforvaltningen", "FSF-2025-02", "Teckenspråkstolkad medborgardialog", "Citizen dialogue with sign language interpretation", ["participation", "inclusion"], "new", ["limhamn_bunkeflo"])
    return kafka, rest


STAMPED = ["KF-2025-001", "FSF-2025-01", "MUR-2025-A", "ECCAR-MAL-1"]
CHANGES_REQUESTED = {"IFR-7": "Ange gärna lokal och tider. / Please add the venue and times."}


async def register_sources(client: httpx.AsyncClient, registry: str, curator: dict) -> dict[str, str]:
    """Register every demo publisher; returns a fresh API key for each (a re-run rotates them)."""
    keys = {}
    for source, (kind, name) in SOURCES.items():
        body = {"source": source, "kind": kind, "name": {"sv": name, "en": name}, "kafka_principal": f"User:{source.rsplit(':', 1)[-1]}"}
        r = await client.post(f"{registry}/v1/sources", json=body, headers=curator)
        if r.status_code == 201:
            keys[source] = r.json()["api_key"]
            continue
        if r.status_code != 409:
            r.raise_for_status()
        # Registered by an earlier run: revoke its old keys (shown only once, so lost) and make one.
        state = (await client.get(f"{registry}/v1/sources/{source}", headers=curator)).json()
        for key in state["keys"]:
            if key["revoked_at"] is None:
                await client.delete(f"{registry}/v1/sources/{source}/keys/{key['key_id']}", headers=curator)
        keys[source] = (await client.post(f"{registry}/v1/sources/{source}/keys", headers=curator)).json()["api_key"]
    return keys


async def initiative(client: httpx.AsyncClient, registry: str, curator: dict, source: str, external_id: str) -> dict | None:
    # A curator's key: unreviewed initiatives are not public.
    r = await client.get(f"{registry}/v1/lookup", params={"source": source, "external_id": external_id}, headers=curator)
    return r.json() if r.status_code == 200 else None


async def all_initiatives(client: httpx.AsyncClient, registry: str, curator: dict, source: str) -> list[dict]:
    """Every initiative of one source, following the list's cursor (a page may be short)."""
    items, cursor = [], None
    while True:
        r = await client.get(f"{registry}/v1/initiatives", params={"source": source, "limit": 200, **({"cursor": cursor} if cursor else {})}, headers=curator)
        r.raise_for_status()
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


async def review(client: httpx.AsyncClient, registry: str, curator: dict, state: dict, steps: list[tuple[str, str]]) -> None:
    for decision, comment in steps:
        r = await client.post(f"{registry}/v1/initiatives/{state['initiative_id']}/review", json={"decision": decision, "comment": comment}, headers=curator)
        if r.status_code not in (200, 409):  # 409: taken by an earlier run
            r.raise_for_status()


DEMO_EDITION = "om-demo"
MALMO = ZoneInfo("Europe/Stockholm")


def local(day: date, hour: int) -> str:
    return datetime.combine(day, clock(hour), tzinfo=MALMO).isoformat()
DEMO_VENUES = [
    {"name": "Stadsbiblioteket", "address": "Kung Oscars väg 11, 211 33 Malmö", "district": "centrum", "capacity": 120,
     "accessibility": ["wheelchair_access", "hearing_loop", "accessible_toilet"]},
    {"name": "Rosengårds bibliotek", "address": "Lönngatan 30, 214 49 Malmö", "district": "rosengard", "capacity": 60,
     "accessibility": ["wheelchair_access", "step_free"]},
]


async def plan(client: httpx.AsyncClient, scheduling: str, scheduler: dict) -> dict[str, dict]:
    """The forum period (``demo_days``) and two venues open every day of it; a second run finds
    what the first made and changes nothing. The venues by name."""
    days = demo_days()
    first = days[0]
    if (await client.get(f"{scheduling}/v1/editions/{DEMO_EDITION}", headers=scheduler)).status_code == 404:
        r = await client.post(f"{scheduling}/v1/editions", headers=scheduler, json={
            "edition_id": DEMO_EDITION, "name": {"sv": f"Öppna Malmö {first.year}", "en": f"Open Malmö {first.year}"}, "year": first.year,
            "starts_on": days[0].isoformat(), "ends_on": days[-1].isoformat(), "budget_sek": 3_780_000,
        })
        r.raise_for_status()
    venues = {v["name"]: v for v in (await client.get(f"{scheduling}/v1/venues", headers=scheduler)).json()}
    for venue in DEMO_VENUES:
        if venue["name"] not in venues:
            windows = [{"starts_at": local(d, 9), "ends_at": local(d, 21)} for d in days]
            r = await client.post(f"{scheduling}/v1/venues", headers=scheduler, json={**venue, "availability": windows})
            r.raise_for_status()
            venues[venue["name"]] = r.json()
    return venues


async def programme(client: httpx.AsyncClient, scheduling: str, scheduler: dict, states: dict[str, dict], venues: dict[str, dict]) -> int:
    """One session per stamped initiative in the demo period, and the programme published."""
    days = demo_days()
    made = 0
    for n, external_id in enumerate(STAMPED):
        session_id = f"demo-{external_id.lower()}"
        if (await client.get(f"{scheduling}/v1/sessions/{session_id}", headers=scheduler)).status_code == 200:
            continue
        initiative_id = states[external_id]["initiative_id"]
        for _ in range(100):  # scheduling follows the registry's events: wait for its copy of the stamp
            copy = await client.get(f"{scheduling}/v1/initiatives/{initiative_id}")
            if copy.status_code == 200 and copy.json().get("stamped"):
                break
            await asyncio.sleep(0.2)
        day = days[1 + 2 * n]
        venue = venues[DEMO_VENUES[n % len(DEMO_VENUES)]["name"]]
        r = await client.post(f"{scheduling}/v1/sessions", headers=scheduler, json={
            "session_id": session_id, "edition_id": DEMO_EDITION, "initiative_id": initiative_id, "venue_id": venue["venue_id"],
            "starts_at": local(day, 18), "ends_at": local(day, 20),
            "capacity": min(40, venue["capacity"]), "languages": ["sv", "en"],
        })
        r.raise_for_status()
        made += 1
    r = await client.post(f"{scheduling}/v1/editions/{DEMO_EDITION}/publish", headers=scheduler)
    if r.status_code not in (200, 409):
        r.raise_for_status()
    return made


async def publish(bootstrap: str, events: list[dict]) -> None:
    """Each publisher's events, in order, on its own inbox and signed in as its own principal (the
    launcher made both: deploy/local/launcher/kafka_sasl.py); on a broker without sign-in, on the
    shared registry.submissions.v1."""
    security = security_settings()
    for source in dict.fromkeys(e["source"] for e in events):
        name = source.rsplit(":", 1)[-1]
        if security.kafka_security_protocol == "PLAINTEXT":
            topic, options = "registry.submissions.v1", {}
        else:
            password = os.environ[f"KAFKA_SASL_PASSWORD_PUBLISHER_{name.upper().replace('-', '_')}"]
            topic, options = f"registry.inbox.{name}.v1", client_options(security, username=name, password=password)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, **options)
        await producer.start()
        try:
            for e in (e for e in events if e["source"] == source):
                await producer.send_and_wait(topic, json.dumps(e, ensure_ascii=False).encode(), key=e["data"]["external_id"].encode())
        finally:
            await producer.stop()


async def main() -> int:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    registry = os.environ.get("REGISTRY_URL", "http://127.0.0.1:8101")
    reporting = os.environ.get("REPORTING_URL", "http://127.0.0.1:8104")
    scheduling = os.environ.get("SCHEDULING_URL", "http://127.0.0.1:8102")
    curator_key = os.environ.get("CURATOR_API_KEY")
    if not curator_key:
        print("CURATOR_API_KEY is not set: run with `eval \"$(python deploy/local/services.py env)\"`", file=sys.stderr)
        return 2
    curator = {"authorization": f"Bearer {curator_key}"}
    kafka_events, rest_event = demo_events()
    scheduler_key = os.environ.get("SCHEDULER_API_KEY")
    scheduler = {"authorization": f"Bearer {scheduler_key}"}
    async with httpx.AsyncClient(timeout=10) as client:
        keys = await register_sources(client, registry, curator)
        venues = await plan(client, scheduling, scheduler) if scheduler_key else {}
    # The registry places each initiative in the edition its period meets, from its copy of the
    # editions (told over Kafka, read through a five-second cache): planned first, then submitted.
    await asyncio.sleep(6 if scheduler_key else 0)
    await publish(bootstrap, kafka_events)
    async with httpx.AsyncClient(timeout=10) as client:
        publisher = {"content-type": "application/cloudevents+json", "authorization": f"Bearer {keys[rest_event['source']]}"}
        r = await client.post(f"{registry}/v1/submissions", content=json.dumps(rest_event), headers=publisher)
        r.raise_for_status()
        latest: dict[str, tuple[str, int]] = {}  # wait for each initiative's last revision, then review
        for e in kafka_events:
            latest[e["data"]["external_id"]] = (e["source"], max(e["data"]["revision"], latest.get(e["data"]["external_id"], ("", 0))[1]))
        deadline = time.monotonic() + 60
        states: dict[str, dict] = {}
        while time.monotonic() < deadline and len(states) < len(latest):
            for external_id, (source, revision) in latest.items():
                state = None if external_id in states else await initiative(client, registry, curator, source, external_id)
                if state and state["revision"] >= revision:
                    states[external_id] = state
            await asyncio.sleep(0.3)
        if len(states) < len(latest):
            print(f"demo data: the registry took {len(states)} of {len(latest)} initiatives within 60 s", file=sys.stderr)
            return 1
        for external_id in STAMPED:
            await review(client, registry, curator, states[external_id], [("in_review", ""), ("approved", "Välkommen i Öppna Malmö! / Welcome to Öppna Malmö!")])
        for external_id, comment in CHANGES_REQUESTED.items():
            await review(client, registry, curator, states[external_id], [("in_review", ""), ("changes_requested", comment)])
        # The demo's own, by its sources: a registry that ran benchmarks holds thousands more.
        listed = [item for source in sorted(keys) for item in await all_initiatives(client, registry, curator, source)]
        by_status: dict[str, int] = {}
        for item in listed:
            by_status[item["status"]] = by_status.get(item["status"], 0) + 1
        print(f"  demo data: {len(listed)} demo initiatives in the registry, by status {by_status}")
        if scheduler_key:
            made = await programme(client, scheduling, scheduler, states, venues)
            listed = (await client.get(f"{scheduling}/v1/programme")).json()
            count = len(listed) if isinstance(listed, list) else len(listed.get("sessions", listed.get("items", [])))
            print(f"  demo programme: {count} published sessions ({made} new) at {scheduling}/programme")
            print(f"  {await held_edition(client, registry, scheduling, curator, scheduler, keys)}")
        try:  # reporting follows by itself; its figures are a courtesy here
            figures = (await client.get(f"{reporting}/v1/figures/initiatives")).json()
            print(f"  reporting: {figures.get('total')} initiatives counted")
        except Exception:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
