"""Demo data for the follow-up: a one-day edition held today, so the knowledge bank, the grants and
the follow-up page have something to show from the first `make run`.

Scheduling takes no session in the past, so the demo holds its own: five stamped initiatives (five,
so the public follow-up's counts are not masked as small), each
with an online session that starts half a minute after the run and lasts half a minute, three
residents registered and checked in at each; once the sessions have started their organisers file
outcome reports (one of them joint work with an association), a curator publishes them and grants
money. The residents' survey goes out by the notifications service the morning after, to the local
mailbox, like any other. A second run finds the edition and leaves it as it is.
"""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

HELD_EDITION = "om-demo-held"
HELD = {  # external id → (source, Swedish title, English title, theme, district, grant in SEK, partner kind or None)
    "KF-HELD-1": ("urn:malmo:source:kulturforvaltningen", "Demokratisamtal på biblioteket", "Democracy talks at the library",
                  "democracy", "centrum", 25_000, "civil_society"),
    "IFR-HELD-2": ("urn:malmo:source:ideell-forening-rosengard", "Workshop mot rasism i Rosengård", "Workshop against racism in Rosengård",
                   "anti_racism", "rosengard", 15_000, None),
    "FSF-HELD-3": ("urn:malmo:source:funktionsstodsforvaltningen", "Val på lätt svenska", "Elections in easy Swedish",
                   "democracy", "hyllie", 20_000, "civil_society"),
    "MUR-HELD-4": ("urn:malmo:source:malmo-ungdomsrad", "Ungdomarnas frågestund", "Young people's question time",
                   "participation", "centrum", 10_000, "administration"),
    "ECCAR-HELD-5": ("urn:malmo:source:eccar", "Städer mot antisemitism: erfarenheter", "Cities against antisemitism: experiences",
                     "antisemitism", "vastra_innerstaden", 18_000, "administration"),
}
ORGANIZERS = {"urn:malmo:source:kulturforvaltningen": ("administration", "Kulturförvaltningen"),
              "urn:malmo:source:ideell-forening-rosengard": ("civil_society", "Föreningen Rosengård tillsammans"),
              "urn:malmo:source:funktionsstodsforvaltningen": ("administration", "Funktionsstödsförvaltningen"),
              "urn:malmo:source:malmo-ungdomsrad": ("political", "Malmö ungdomsråd"),
              "urn:malmo:source:eccar": ("international", "ECCAR")}


def _submission(source: str, external_id: str, sv: str, en: str, theme: str, district: str, day: str) -> dict:
    return {"specversion": "1.0", "id": f"demo-held-{external_id}", "source": source, "type": "se.malmo.oppna.initiative.submitted.v1",
            "subject": external_id, "datacontenttype": "application/json",
            "data": {"external_id": external_id, "revision": 1, "title": {"sv": sv, "en": en},
                     "summary": {"sv": f"{sv}. Öppet för alla.", "en": f"{en}. Open to everyone."},
                     "organizer": {"kind": ORGANIZERS[source][0], "name": ORGANIZERS[source][1]},
                     "themes": [theme], "origin": "new", "districts": [district], "languages": ["sv", "en"],
                     "period": {"start": day, "end": day}, "budget": {"requested_sek": 30_000, "own_funding_sek": 5_000}}}


def _report(sv: str, district: str, spent: int, partner_kind: str | None) -> dict:
    partners = [{"name": "Föreningen Rosengård tillsammans", "kind": partner_kind}] if partner_kind else []
    return {"revision": 1, "participants": 3, "districts": [district], "spent_sek": spent, "partners": partners,
            "what_happened": {"sv": f"{sv}: samtal i små grupper med invånarna, och en gemensam sammanfattning.",
                              "en": "Talks in small groups with residents, and a shared summary."},
            "worked": {"sv": "Att bjuda in via föreningarna och hålla samtalen på flera språk."},
            "did_not_work": {"sv": "Kvällstiden passade inte småbarnsföräldrar."},
            "materials": [{"title": "Samtalsguide", "url": "https://malmo.se/oppna-malmo/samtalsguide"}]}


async def held_edition(client: httpx.AsyncClient, registry: str, scheduling: str, curator: dict, scheduler: dict, keys: dict[str, str]) -> str:
    """The held edition, made once; a line saying what it holds."""
    if (await client.get(f"{scheduling}/v1/editions/{HELD_EDITION}", headers=scheduler)).status_code == 200:
        return f"held edition {HELD_EDITION}: there from an earlier run"
    today = datetime.now(UTC).date().isoformat()
    r = await client.post(f"{scheduling}/v1/editions", headers=scheduler, json={
        "edition_id": HELD_EDITION, "name": {"sv": "Öppna Malmö – demo, genomförd", "en": "Open Malmö – demo, held"},
        "year": datetime.now(UTC).year, "starts_on": today, "ends_on": today, "budget_sek": 100_000})
    r.raise_for_status()
    await asyncio.sleep(6)  # the registry places submissions by its copy of the editions (a five-second cache)
    ids = {}
    for external_id, (source, sv, en, theme, district, _grant, _partner) in HELD.items():
        headers = {"content-type": "application/cloudevents+json", "authorization": f"Bearer {keys[source]}"}
        r = await client.post(f"{registry}/v1/submissions", json=_submission(source, external_id, sv, en, theme, district, today), headers=headers)
        r.raise_for_status()
        ids[external_id] = iid = r.json()["initiative_id"]
        for decision in ("in_review", "approved"):
            await client.post(f"{registry}/v1/initiatives/{iid}/review", json={"decision": decision, "comment": "Välkommen!"}, headers=curator)
        await _stamped_at_scheduling(client, scheduling, iid)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)
    for external_id, iid in ids.items():
        await _held_session(client, scheduling, scheduler, iid, start, external_id)
    await asyncio.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 2)  # a report is taken once a session has started
    for external_id, (source, sv, _en, _theme, district, grant, partner) in HELD.items():
        iid = ids[external_id]
        r = await client.post(f"{registry}/v1/initiatives/{iid}/report", json=_report(sv, district, grant - 2_000, partner),
                              headers={"authorization": f"Bearer {keys[source]}"})
        r.raise_for_status()
        for decision in ("in_review", "published"):
            await client.post(f"{registry}/v1/reports/{iid}/review", json={"decision": decision, "comment": "Tack!"}, headers=curator)
        await client.put(f"{registry}/v1/editions/{HELD_EDITION}/grants/{iid}", json={"amount_sek": grant}, headers=curator)
    return f"held edition {HELD_EDITION}: {len(HELD)} sessions held, reports published, grants made; the survey goes out tomorrow morning"


async def _stamped_at_scheduling(client: httpx.AsyncClient, scheduling: str, iid: str) -> None:
    for _ in range(100):
        copy = await client.get(f"{scheduling}/v1/initiatives/{iid}")
        if copy.status_code == 200 and copy.json().get("stamped"):
            return
        await asyncio.sleep(0.2)


async def _held_session(client: httpx.AsyncClient, scheduling: str, scheduler: dict, iid: str, start: datetime, external_id: str) -> None:
    """An online session at ``start`` for 30 s, published, three residents registered and checked in."""
    r = await client.post(f"{scheduling}/v1/sessions", headers=scheduler, json={
        "session_id": f"held-{external_id.lower()}", "edition_id": HELD_EDITION, "initiative_id": iid, "capacity": 20,
        "online_url": "https://malmo.se/oppna-malmo/digitalt", "languages": ["sv", "en"],
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(seconds=30)).isoformat()})
    r.raise_for_status()
    sid = r.json()["session"]["session_id"]
    (await client.post(f"{scheduling}/v1/sessions/{sid}/publish", headers=scheduler)).raise_for_status()
    for n, language in enumerate(("sv", "en", "ar")):
        person = {"name": f"Invånare {n + 1}", "email": f"invanare{n + 1}.{sid}@example.org", "language": language}
        code = (await client.post(f"{scheduling}/v1/sessions/{sid}/registrations", json=person)).json()["code"]
        await client.post(f"{scheduling}/v1/sessions/{sid}/check-in", json={"code": code}, headers=scheduler)
