"""Reporting alone on the real broker and database: read models, rebuild, snapshots, bad input.

The upstream events are published here (the other services need not be finished), with
duplicates and out-of-order versions, on this run's own topics.
"""

import csv
import io
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient, monitoring

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.envelope import Envelope, new_event
from shared.events.initiatives import InitiativeRegisteredV1, InitiativeRevisedV1
from shared.events.notifications import DeliveryCountedV1
from shared.events.scheduling import (
    EditionClosedV1,
    EditionPlannedV1,
    EditionUpdatedV1,
    RegistrationCheckedInV1,
    RegistrationConfirmedV1,
    RegistrationWaitlistedV1,
    SessionPublishedV1,
    SessionScheduledV1,
)
from tests.platform import Platform, as_role, eventually

EDITION = "om-2025"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
REGISTRY = "urn:malmo:oppna:registry"
SCHEDULING = "urn:malmo:oppna:scheduling"


@pytest.fixture(scope="module")
async def reporting(infra):
    async with Platform.start(infra, f"r{uuid.uuid4().hex[:8]}", reporting=(create_app, ReportingSettings)) as p:
        yield p


async def send(p, topic: str, event: Envelope, times: int = 1) -> None:
    for _ in range(times):
        await p.kafka.send(topic, event.to_bytes(), key=event.subject)


def edition(cls, version: int, status: str = "planning", budget: int = 3_780_000) -> Envelope:
    data = cls(
        edition_id=EDITION, version=version, name={"sv": "Öppna Malmö 2025", "en": "Open Malmö 2025"}, year=2025,
        starts_on="2025-10-06", ends_on="2025-10-19", budget_sek=budget, status=status,
    )
    return new_event(data, source=SCHEDULING, subject=EDITION, time=T0)


def initiative_state(n: int, version: int, status: str, review: dict | None = None) -> dict:
    admin = n < 6
    return {
        "initiative_id": f"ini-{n}",
        "source": f"urn:malmo:source:org{n % 3}",
        "external_id": f"X-{n}",
        "revision": 1,
        "version": version,
        "status": status,
        "stamped": status == "approved",
        "content": {
            "title": {"sv": f"Initiativ {n}"},
            "summary": {"sv": "Sammanfattning."},
            "organizer": {"kind": "administration" if admin else "civil_society", "name": "Kulturförvaltningen" if admin else f"Förening {n}"},
            "themes": ["democracy"] if n % 2 else ["democracy", "inclusion"],
            "origin": "new" if n % 3 else "existing",
            "districts": ["rosengard"] if n < 7 else ["fosie"],
            "languages": ["sv", "ar"],
            "target_groups": ["youth"],
            "period": {"start": "2025-10-06", "end": "2025-10-19"},
            "budget": {"requested_sek": 20_000 + 1000 * n, "own_funding_sek": 5000},
        },
        "received_at": (T0 + timedelta(days=n)).isoformat(),
        "updated_at": (T0 + timedelta(days=n, hours=version)).isoformat(),
        **({"review": review} if review else {}),
    }


def registry_event(kind: str, state: dict, event_id: str | None = None) -> Envelope:
    models = {"registered": InitiativeRegisteredV1, "revised": InitiativeRevisedV1}
    if kind in models:
        return new_event(models[kind].model_validate(state), source=REGISTRY, subject=state["initiative_id"], event_id=event_id, time=T0)
    # review events, by name: the registry is adding their classes
    return Envelope(specversion="1.0", id=event_id or str(uuid.uuid4()), source=REGISTRY, type=f"se.malmo.oppna.initiative.{kind}.v1",
                    subject=state["initiative_id"], time=T0, data=state)


def session(cls, n: int, version: int, capacity: int = 30) -> Envelope:
    data = cls(
        session_id=f"ses-{n}", version=version, edition_id=EDITION, initiative_id=f"ini-{n}", source=f"urn:malmo:source:org{n % 3}",
        title={"sv": f"Aktivitet {n}"}, organizer={"kind": "administration", "name": "Kulturförvaltningen"},
        themes=["democracy"] if n % 2 else ["democracy", "inclusion"], districts=["rosengard"], languages=["sv"],
        starts_at=datetime(2025, 10, 7 + n, 17, tzinfo=UTC), ends_at=datetime(2025, 10, 7 + n, 19, tzinfo=UTC),
        capacity=capacity, registration_required=True, status="published" if cls is SessionPublishedV1 else "scheduled",
    )
    return new_event(data, source=SCHEDULING, subject=data.session_id, time=T0)


def registration(cls, n: int, session_n: int, version: int, party: int = 2, attended: bool = False) -> Envelope:
    status = {RegistrationWaitlistedV1: "waitlisted"}.get(cls, "confirmed")
    data = cls(
        registration_id=f"reg-{n}", version=version, session_id=f"ses-{session_n}", edition_id=EDITION, status=status,
        party_size=party, language="sv" if n % 2 else "ar", channel="email" if n % 3 else "sms", attended=attended,
        registered_at=T0 + timedelta(days=200),
    )
    return new_event(data, source=SCHEDULING, subject=data.registration_id, time=T0)


def delivery(n: int, outcome: str) -> Envelope:
    data = DeliveryCountedV1(message_id=f"msg-{n}", channel="email" if n % 4 else "sms", language="sv", category="reminder",
                             outcome=outcome, edition_id=EDITION, at=T0 + timedelta(days=220))
    return new_event(data, source="urn:malmo:oppna:notifications", subject=f"msg-{n}", time=T0)


async def publish_the_programme(p) -> None:
    """A realistic mix, with duplicates (same event twice, same version under a new id) and
    versions arriving out of order."""
    await send(p, "scheduling.sessions.v1", edition(EditionUpdatedV1, 2, budget=3_780_000))
    await send(p, "scheduling.sessions.v1", edition(EditionPlannedV1, 1, budget=1))  # older: changes nothing
    for n in range(9):
        registered = registry_event("registered", initiative_state(n, 1, "submitted"))
        review = {"decision": "approved" if n < 7 else "rejected", "comment": None,
                  "decided_at": (T0 + timedelta(days=n + 3)).isoformat(), "curator": "curator-1"}
        decided = registry_event("approved" if n < 7 else "rejected", initiative_state(n, 3, "approved" if n < 7 else "rejected", review))
        if n % 2:
            await send(p, "registry.initiatives.v1", decided)
            await send(p, "registry.initiatives.v1", registered, times=2)
        else:
            await send(p, "registry.initiatives.v1", registered)
            await send(p, "registry.initiatives.v1", decided, times=2)
        # the same version again under a new id: a re-publication, not a change
        await send(p, "registry.initiatives.v1", registry_event("registered", initiative_state(n, 1, "submitted")))
    await send(p, "registry.initiatives.v1", registry_event("registered", initiative_state(9, 1, "submitted")))
    for n in range(3):
        await send(p, "scheduling.sessions.v1", session(SessionPublishedV1, n, 2, capacity=10 * (n + 1)))
        await send(p, "scheduling.sessions.v1", session(SessionScheduledV1, n, 1, capacity=1))  # older
    for n in range(14):
        s = n % 3
        await send(p, "scheduling.registrations.v1", registration(RegistrationCheckedInV1, n, s, 2, attended=n % 4 != 0) if n < 8 else
                   registration(RegistrationConfirmedV1, n, s, 1))
        await send(p, "scheduling.registrations.v1", registration(RegistrationConfirmedV1, n, s, 1), times=2 if n % 5 == 0 else 1)
    for n in range(14, 17):
        await send(p, "scheduling.registrations.v1", registration(RegistrationWaitlistedV1, n, 0, 1, party=1))
    for n in range(12):
        await send(p, "notifications.deliveries.v1", delivery(n, "sent"))
        if n < 9:
            await send(p, "notifications.deliveries.v1", delivery(n, "delivered"), times=2)


async def analyst(p, path: str, **params) -> dict:
    r = await p.http["reporting"].get(path, params=params, headers=as_role(Role.analyst))
    assert r.status_code == 200, r.text
    return r.json()


async def three_figures(p) -> tuple[dict, dict, dict] | None:
    """The edition's initiatives by origin, participation by theme and reach by channel; None while
    one of them does not answer yet."""
    try:
        ini = await analyst(p, f"/v1/analyst/editions/{EDITION}/figures/initiatives", dimension="origin")
        par = await analyst(p, f"/v1/analyst/editions/{EDITION}/figures/participation", dimension="theme")
        rea = await analyst(p, f"/v1/analyst/editions/{EDITION}/figures/reach", dimension="channel")
    except AssertionError:
        return None
    return ini, par, rea


def totals(ini: dict, par: dict, rea: dict) -> tuple[dict, dict, dict]:
    """The total rows of ``three_figures``' tables."""
    return ini["tables"]["origin"]["total"]["values"], par["tables"]["theme"]["total"]["values"], rea["tables"]["channel"]["total"]["values"]


async def programme_counted(p):
    if (figures := await three_figures(p)) is None:
        return None
    ini, par, rea = figures
    ti, tp, tr = totals(ini, par, rea)
    done = (ti["submitted"], ti["approved"], ti["rejected"], ti["reviewed"], tp["sessions"], tp["registrations"], tp["waitlisted"], tr["sent"], tr["delivered"])
    return (ini, par, rea) if done == (10, 7, 2, 9, 3, 14, 3, 12, 9) else None


@pytest.fixture(scope="module")
async def programme(reporting):
    await publish_the_programme(reporting)
    return await eventually(lambda: programme_counted(reporting), timeout=60, what="reporting to count the programme")


async def test_figures_count_each_fact_once_despite_duplicates_and_reordering(reporting, programme):
    ini, par, rea = programme
    total = ini["tables"]["origin"]["total"]["values"]
    assert total["review_lead_time_days"] == 3.0  # received → first decision, three days for each
    theme = {r["category"]: r["values"] for r in par["tables"]["theme"]["rows"]}
    assert theme["democracy"]["sessions"] == 3 and theme["inclusion"]["sessions"] == 2
    t = par["tables"]["theme"]["total"]["values"]
    assert t["seats_offered"] == 60  # the published versions (10 + 20 + 30), not the older drafts
    assert t["participants"] == 14 * 2  # fourteen confirmed parties of two, each counted once
    assert t["attended"] == 6 * 2  # checked in: registrations 1-7 but 4
    assert t["waitlisted"] == 3
    assert rea["tables"]["channel"]["total"]["values"] == {"sent": 12, "delivered": 9, "bounced": 0, "failed": 0, "expired": 0}
    money = await analyst(reporting, f"/v1/analyst/editions/{EDITION}/figures/money", dimension="theme")
    assert money["budget"]["budget_sek"] == 3_780_000  # the edition's newest version, not the older one
    assert money["budget"]["initiatives"] == 7


async def test_a_rebuild_from_offset_zero_gives_exactly_the_live_figures(reporting, programme):
    r = await reporting.http["reporting"].post("/v1/rebuild", headers=as_role(Role.analyst), timeout=120)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["differences"] == [] and body["equal"] is True
    assert body["rebuilt"] == body["live"]
    assert body["events"] > 0


async def test_public_figures_are_suppressed_and_analysts_see_them_all(reporting, programme):
    http = reporting.http["reporting"]
    public = (await http.get(f"/v1/editions/{EDITION}/figures/initiatives", params={"dimension": "district"})).json()
    rows = {r["category"]: r for r in public["tables"]["district"]["rows"]}
    assert rows["fosie"]["values"]["submitted"] is None and "submitted" in rows["fosie"]["masked"]  # 3 initiatives
    assert rows["rosengard"]["values"]["submitted"] is None  # secondary: else 10 - 7 would give it away
    assert public["tables"]["district"]["total"]["values"]["submitted"] == 10
    assert rows["fosie"]["label"] == "Fosie"
    unauth = await http.get(f"/v1/analyst/editions/{EDITION}/figures/initiatives")
    assert unauth.status_code == 401


async def test_exports_open_in_swedish_excel_and_as_json_stat(reporting, programme):
    http = reporting.http["reporting"]
    r = await http.get(f"/v1/editions/{EDITION}/export.csv", params={"area": "participation", "dimension": "theme"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    text = r.content.decode("utf-8-sig")
    assert "\r\n" in text
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][0] == "Tema" and "Beläggningsgrad" in table[0]
    assert table[-1][0] == "Totalt"
    rate = table[-1][table[0].index("Beläggningsgrad")]
    assert "," in rate or rate == ".."
    j = await http.get(f"/v1/editions/{EDITION}/jsonstat", params={"area": "initiatives", "dimension": "district", "lang": "en"})
    ds = j.json()
    assert ds["version"] == "2.0" and ds["class"] == "dataset"
    size = 1
    for n in ds["size"]:
        size *= n
    assert size == len(ds["value"])
    assert ds["dimension"]["district"]["category"]["label"]["_total"] == "Total"
    assert ds["dimension"]["district"]["extension"]["labels"]["sv"]["_total"] == "Totalt"
    assert all(ds["value"][int(i)] is None and s == ".." for i, s in ds["status"].items())


async def test_bad_input_is_answered_4xx_naming_it(reporting, programme):
    http = reporting.http["reporting"]
    r = await http.get("/v1/editions/om-1999/figures/initiatives")
    assert r.status_code == 404 and "om-1999" in r.json()["detail"][0]["message"]
    r = await http.get(f"/v1/editions/{EDITION}/figures/weather")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "area" and "weather" in r.json()["detail"][0]["message"]
    r = await http.get(f"/v1/editions/{EDITION}/figures/initiatives", params={"dimension": "shoe_size"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "dimension"
    # A dimension of another area: a table this area does not have (the document lists every dimension).
    r = await http.get(f"/v1/editions/{EDITION}/export.csv", params={"area": "reach", "dimension": "theme"})
    assert r.status_code == 404 and r.json()["detail"][0]["field"] == "dimension" and "theme" in r.json()["detail"][0]["message"]
    # A range running backwards holds no edition (the document cannot say from <= to, so it is not refused).
    r = await http.get("/v1/figures/trends", params={"from": "2026-01-01", "to": "2025-01-01"})
    assert r.status_code == 200 and r.json()["rows"] == []
    r = await http.get("/v1/figures/trends", params={"from": "0", "to": "2025-01-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.from"
    r = await http.get("/v1/figures/trends", params={"from": "2025-01-01", "to": "2026-01-01", "lang": "en"})
    assert r.status_code == 200 and [row["category"] for row in r.json()["rows"]] == [EDITION]


async def test_an_unknown_event_type_is_skipped_and_counted(reporting, programme):
    odd = Envelope(specversion="1.0", id=str(uuid.uuid4()), source=REGISTRY, type="se.malmo.oppna.initiative.archived.v1", subject="ini-1",
                   time=T0, data={"initiative_id": "ini-1"})
    await send(reporting, "registry.initiatives.v1", odd)
    group = reporting.settings["reporting"].group("initiatives")

    async def counted():
        text = (await reporting.http["reporting"].get("/metrics")).text
        line = f'om_events_handled_total{{consumer="{group}",outcome="skipped",type="se.malmo.oppna.initiative.archived.v1"}} 1.0'
        return line in text

    await eventually(counted, what="the unknown type counted as skipped")
    assert (await reporting.http["reporting"].get("/readyz")).status_code == 200


async def test_closing_the_edition_publishes_a_suppressed_snapshot(reporting, programme):
    await send(reporting, "scheduling.sessions.v1", edition(EditionClosedV1, 3, status="closed"), times=2)
    msgs = await reporting.kafka.read(
        "reporting.statistics.v1", until=lambda ms: any(m["data"]["reason"] == "edition_closed" for m in ms), timeout=60
    )
    closed = [m for m in msgs if m["data"]["reason"] == "edition_closed"]
    assert len({m["id"] for m in closed}) == 1
    snap = closed[0]
    assert snap["type"] == "se.malmo.oppna.statistics.published.v1" and snap["subject"] == EDITION
    figures = snap["data"]["figures"]
    assert set(figures) == {"initiatives", "participation", "reach", "money", "follow_up"}
    district = {r["category"]: r for r in figures["initiatives"]["tables"]["district"]["rows"]}
    assert district["fosie"]["values"]["submitted"] is None
    assert figures["initiatives"]["edition"]["status"] == "closed"
    r = await reporting.http["reporting"].post(f"/v1/editions/{EDITION}/snapshots", headers=as_role(Role.analyst))
    assert r.status_code == 200 and r.json()["published"] is False  # the same figures: already published


class _Reads(monitoring.CommandListener):
    """``find`` commands on one database, by collection, while ``on``."""

    def __init__(self):
        self.database, self.on, self.finds = None, False, Counter()

    def started(self, event):
        if self.on and event.database_name == self.database and event.command_name == "find":
            self.finds[event.command["find"]] += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


async def test_new_registrations_and_deliveries_are_counted_without_a_read_each(infra, run_id):
    """Reporting keeps the newest version of each registration and counts a delivery once by its
    key, so a repeat changes nothing by itself: neither the processed-events log nor the summary
    is read before a new one is written (a rush is thousands of them; each read is a FerretDB
    round trip on the shared cores). Repeats still count once (the tests above)."""
    reads = _Reads()
    monitoring.register(reads)  # before the service's client exists: it is told too
    async with Platform.start(infra, f"{run_id}rr", reporting=(create_app, ReportingSettings)) as p:
        reads.database = p.settings["reporting"].mongodb_database
        reads.on = True
        for n in range(40):
            await send(p, "scheduling.registrations.v1", registration(RegistrationConfirmedV1, 1000 + n, n % 4, 1))
            await send(p, "notifications.deliveries.v1", delivery(1000 + n, "sent"))
        client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
        try:
            db = client[reads.database]

            async def counted():
                return (await db["registration_summaries"].count_documents({}) == 40 and await db["delivery_outcomes"].count_documents({}) == 40) or None

            await eventually(counted, what="40 registrations and 40 deliveries stored")
        finally:
            await client.close()
        reads.on = False
    assert reads.finds["processed_events"] == 0 and reads.finds["registration_summaries"] == 0, dict(reads.finds)
