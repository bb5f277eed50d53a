"""With every service running: the registry's vocabularies are the only list. A theme a curator
adds is accepted by notifications' subscriptions and named by its label on the programme page;
one the curator retires is refused again. (Notifications refused a new theme with 422
``unknown_code``: it kept its own copy of the codes.)"""

import asyncio
import uuid

from shared.auth import Role
from shared.envelope import parse_data, parse_envelope
from shared.events.vocabularies import VOCABULARY_NAMES, VocabularyChangedV1
from tests.integration.test_scheduling_support import days_ahead, edition_body, publish_initiative, uid, venue_body
from tests.platform import as_role, eventually

CURATOR, SCHEDULER = as_role(Role.curator), as_role(Role.scheduler)
CODE = "civic_courage"
LABELS = {"sv": "Civilkurage", "en": "Civic courage"}


def subscription(themes: list[str]) -> dict:
    return {"email": f"{uuid.uuid4().hex[:10]}@example.org", "language": "sv", "interests": {"themes": themes}, "consent": True}


async def subscribed(http, themes: list[str], status: int):
    """The subscription's answer once it is ``status`` (polled gently: the form is rate-limited)."""
    r = await http.post("/v1/subscriptions", json=subscription(themes))
    if r.status_code == status:
        return r
    await asyncio.sleep(0.4)
    return None


async def test_a_theme_a_curator_adds_is_subscribable_and_labelled_in_the_programme(platform):
    registry, notifications, scheduling = (platform.http[n] for n in ("registry", "notifications", "scheduling"))

    # a fresh registry tells every seeded vocabulary, keyed by its name
    told = await platform.kafka.read("registry.vocabularies.v1", until=lambda ms: {m["subject"] for m in ms} >= set(VOCABULARY_NAMES))
    for message in told:
        envelope = parse_envelope(__import__("json").dumps(message))
        data = parse_data(envelope, VocabularyChangedV1)
        assert data.vocabulary == message["subject"] and data.terms
    await eventually(lambda: subscribed(notifications, ["democracy"], 202), what="notifications to follow the seeded themes")

    r = await notifications.post("/v1/subscriptions", json=subscription([CODE]))
    assert r.status_code == 409 and r.json()["detail"][0]["field"] == "interests.themes", r.text

    r = await registry.put(f"/v1/vocabularies/themes/terms/{CODE}", json={"labels": LABELS}, headers=CURATOR)
    assert r.status_code == 200, r.text
    await eventually(lambda: subscribed(notifications, [CODE], 202), what="notifications to accept the new theme")

    # an initiative with the new theme, scheduled and published: the programme names the theme
    initiative_id = uid()
    await publish_initiative(platform.kafka, initiative_id, themes=[CODE])
    await eventually(lambda: _ok(scheduling.get(f"/v1/initiatives/{initiative_id}")), what="scheduling's copy of the initiative")
    edition = (await scheduling.post("/v1/editions", json=edition_body(), headers=SCHEDULER)).json()
    venue = (await scheduling.post("/v1/venues", json=venue_body(), headers=SCHEDULER)).json()
    r = await scheduling.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"],
                              "capacity": 10, "starts_at": days_ahead(3, 16).isoformat(), "duration_minutes": 60}, headers=SCHEDULER)
    assert r.status_code == 201, r.text
    assert (await scheduling.post(f"/v1/editions/{edition['edition_id']}/publish", headers=SCHEDULER)).status_code == 200
    sid = r.json()["session"]["session_id"]
    for lang in ("sv", "en"):
        page = await scheduling.get(f"/programme/sessions/{sid}", params={"lang": lang})
        assert page.status_code == 200 and LABELS[lang] in page.text and CODE not in page.text, (lang, page.text)

    # retired by the curator: a new subscription to it is refused again
    assert (await registry.delete(f"/v1/vocabularies/themes/terms/{CODE}", headers=CURATOR)).status_code == 200
    # 409: the body is well formed, the vocabularies no longer hold the code (as an unknown one above)
    refused = await eventually(lambda: subscribed(notifications, [CODE], 409), what="notifications to refuse the retired theme")
    assert refused.json()["detail"][0]["code"] == "retired_code", refused.text


async def _ok(request) -> bool:
    return (await request).status_code == 200
