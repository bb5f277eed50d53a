"""The SMS gateway protocol takes batches: one request, one outcome per message, in order — an id, or
a failure returned (temporary or permanent) — against the local gateway and, for answers it never
gives, a small real server answering them."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from services.notifications.adapters import PermanentFailure, TemporaryFailure
from services.notifications.adapters.sms_gateway import SmsGatewayAdapter
from services.notifications.devservers import SmsGateway, free_port
from shared.events.notifications import SmsRequestedV1

NOW = datetime.now(UTC)


def sms(ref: str, to: str = "+46701234567") -> SmsRequestedV1:
    return SmsRequestedV1(message_id=ref, recipient=to, text=f"hej {ref}", encoding="gsm7", segments=1, language="sv",
                          category="digest", not_before=NOW, expires_at=NOW + timedelta(days=1))


async def test_a_batch_with_one_refused_number_gives_each_message_its_own_outcome():
    gateway = SmsGateway()
    async with gateway.running():
        adapter = SmsGatewayAdapter(gateway.url, "OppnaMalmo")
        try:
            got = await adapter.send_many([sms("a"), sms("b", to="0701234567"), sms("c")])
        finally:
            await adapter.close()
    assert [type(o) for o in got] == [str, PermanentFailure, str] and got[0] != got[2]
    assert "invalid destination" in str(got[1])
    assert got[0] == gateway.messages["a"]["id"] and got[2] == gateway.messages["c"]["id"] and "b" not in gateway.messages
    assert [(m["client_ref"], m["sender"]) for m in gateway.requests] == [("a", "OppnaMalmo"), ("b", "OppnaMalmo"), ("c", "OppnaMalmo")]
    assert [s["accepted"] for s in gateway.received()["sms"]] == [True, False, True]


async def test_a_repeated_client_ref_inside_and_across_batches_is_sent_once():
    gateway = SmsGateway()
    async with gateway.running():
        adapter = SmsGatewayAdapter(gateway.url, "OppnaMalmo")
        try:
            first = await adapter.send_many([sms("a"), sms("b"), sms("a")])
            second = await adapter.send_many([sms("b"), sms("a")])
            alone = await adapter.send(sms("a"))
        finally:
            await adapter.close()
    assert first[0] == first[2] == second[1] == alone and first[1] == second[0] and first[0] != first[1]
    assert sorted(gateway.messages) == ["a", "b"], "sent once each"
    assert len(gateway.requests) == 6, "every message is listed, repeats included"


@pytest.mark.parametrize(("behaviour", "failure"), [("unavailable", TemporaryFailure), ("garbage", TemporaryFailure), ("refuse", PermanentFailure)])
async def test_a_failed_request_fails_every_message_of_the_batch_alike(behaviour, failure):
    gateway = SmsGateway(behaviour=behaviour)
    async with gateway.running():
        adapter = SmsGatewayAdapter(gateway.url, "OppnaMalmo")
        try:
            got = await adapter.send_many([sms("a"), sms("b")])
            with pytest.raises(failure):
                await adapter.send(sms("c"))
        finally:
            await adapter.close()
    assert [type(o) for o in got] == [failure, failure] and got[0] is not got[1]
    assert gateway.messages == {} and [m["client_ref"] for m in gateway.requests] == ["a", "b", "c"]


def scripted(answer: Response):
    """A real server answering every POST /messages with ``answer`` (answers the local gateway never gives)."""
    async def messages(request: Request) -> Response:
        await request.body()
        return answer
    return Starlette(routes=[Route("/messages", messages, methods=["POST"])])


def results(*items: dict) -> Response:
    return Response(json.dumps({"results": list(items)}), media_type="application/json")


@pytest.mark.parametrize(("answer", "expected"), [
    (Response(status_code=429), [TemporaryFailure, TemporaryFailure]),
    (Response('{"error": "no such sender"}', status_code=403), [PermanentFailure, PermanentFailure]),
    (PlainTextResponse('{"results": "nope"}'), [TemporaryFailure, TemporaryFailure]),
    (results({"client_ref": "a", "id": "g1"}), [TemporaryFailure, TemporaryFailure]),  # a wrong count
    (results({"client_ref": "a", "id": "g1"}, {"client_ref": "x", "id": "g2"}), [str, TemporaryFailure]),  # not its message
    (results({"client_ref": "a", "error": "busy", "permanent": False}, {"client_ref": "b", "error": "barred", "permanent": True}),
     [TemporaryFailure, PermanentFailure]),
])
async def test_answers_outside_the_local_gateway_map_to_each_message(answer, expected):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(scripted(answer), host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    adapter = SmsGatewayAdapter(f"http://127.0.0.1:{port}", "OppnaMalmo")
    try:
        got = await adapter.send_many([sms("a"), sms("b")])
    finally:
        await adapter.close()
        server.should_exit = True
        await serving
    assert [type(o) for o in got] == expected


async def test_a_batch_holds_one_to_max_batch_messages():
    adapter = SmsGatewayAdapter("http://127.0.0.1:9", "OppnaMalmo")
    try:
        for size in (0, SmsGatewayAdapter.MAX_BATCH + 1):
            with pytest.raises(ValueError):
                await adapter.send_many([sms(f"m{i}") for i in range(size)])
        got = await adapter.send_many([sms("a")])  # nothing listens on port 9
        assert [type(o) for o in got] == [TemporaryFailure]
    finally:
        await adapter.close()
