"""A read that cannot finish in time answers 503 with Retry-After, never 500 — on the real database.

The registry's ``read_timeout_ms`` bounds all of a GET's database reads together. Set far below
any round trip, a curator's read of an initiative cannot finish: the answer is 503, busy, with
Retry-After, and the service stays up. The review queue, served from memory, still answers.
"""

import pytest

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.platform import as_role, as_source, eventually, register_source, service_fixture, submission

pytestmark = pytest.mark.integration
CURATOR = as_role(Role.curator)


class NoTimeToRead(RegistrySettings):
    read_timeout_ms: float = 0.001  # a microsecond: less than any round trip to the database


registry = service_fixture("registry", create_app, NoTimeToRead, "rl")


async def test_a_read_out_of_time_answers_503_with_retry_after(registry):
    http = registry.http["registry"]
    key = await register_source(registry, "urn:malmo:source:read-limit")  # writes keep their own timeout
    r = await http.post("/v1/submissions", json=submission("urn:malmo:source:read-limit", "RL-1"), headers=as_source(key))
    assert r.status_code == 202, r.text
    initiative_id = r.json()["initiative_id"]

    for _ in range(2):  # again: a timed-out read leaves the service answering
        r = await http.get(f"/v1/initiatives/{initiative_id}", headers=CURATOR)
        assert r.status_code == 503, r.text
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["detail"][0]["code"] == "busy"

    async def loaded() -> bool:
        return registry.apps["registry"].state.staff_index.loaded

    await eventually(loaded, what="the staff index loaded (its start-up reads are not a request's)")
    queue = await http.get("/v1/review/queue", params={"q": "demokratisamtal " * 12}, headers=CURATOR)
    assert queue.status_code == 200, queue.text
    assert [i["initiative_id"] for i in queue.json()["items"]] == [initiative_id]
