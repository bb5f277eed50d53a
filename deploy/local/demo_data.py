"""Demo data: publishers' initiatives, sent the way their own systems would send them.

Most go on Kafka (``registry.submissions.v1``), one over REST; one is revised and one withdrawn.
Event ids are derived from the content, so running this twice changes nothing.

    .venv/bin/python deploy/local/demo_data.py
"""

import asyncio
import json
import os
import sys
import time
import uuid

import httpx
from aiokafka import AIOKafkaProducer

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
        "period": {"start": "2025-10-06", "end": "2025-10-19"},
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


async def main() -> int:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    registry = os.environ.get("REGISTRY_URL", "http://127.0.0.1:8101")
    reporting = os.environ.get("REPORTING_URL", "http://127.0.0.1:8104")
    kafka_events, rest_event = demo_events()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for e in kafka_events:
            await producer.send_and_wait("registry.submissions.v1", json.dumps(e, ensure_ascii=False).encode(), key=e["data"]["external_id"].encode())
    finally:
        await producer.stop()
    async with httpx.AsyncClient(timeout=10) as client:
        r = await client.post(f"{registry}/v1/submissions", content=json.dumps(rest_event), headers={"content-type": "application/cloudevents+json"})
        r.raise_for_status()
        expected = len(INITIATIVES) + 1
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            figures = (await client.get(f"{reporting}/v1/figures/initiatives")).json()
            if figures["total"] >= expected and figures["by_status"].get("withdrawn", 0) >= 1:
                print(f"  demo data: {figures['total']} initiatives in reporting, by status {figures['by_status']}")
                return 0
            await asyncio.sleep(0.3)
    print("demo data did not reach reporting within 60 s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
