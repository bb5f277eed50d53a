"""The local SMS gateway stands in for a provider: a delivery receipt the service could not take
(it was down, or answered 5xx) is sent again until it is taken, as providers do."""

import asyncio

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response

from services.notifications.devservers import SmsGateway, free_port


async def test_a_receipt_is_retried_until_the_restarted_service_takes_it():
    port, taken, answers = free_port(), [], iter([503])
    app = FastAPI()

    @app.post("/v1/sms/receipts")
    async def receipt(request: Request):
        status = next(answers, 204)  # first a 5xx, as a service still starting answers
        if status == 204:
            taken.append(await request.json())
        return Response(status_code=status)

    gateway = SmsGateway(webhook_url=f"http://127.0.0.1:{port}/v1/sms/receipts", receipt_retry_s=30)
    async with gateway.running(), httpx.AsyncClient(base_url=gateway.url) as http:
        sent = await http.post("/messages", json={"messages": [{"to": "+46709000001", "text": "Hej / Hello", "client_ref": "m-1"}]})
        assert sent.status_code == 200 and [r["client_ref"] for r in sent.json()["results"]] == ["m-1"]
        await asyncio.sleep(1.0)  # the service is down: its receipt cannot be delivered yet
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        serving = asyncio.create_task(server.serve())
        try:
            for _ in range(200):
                if taken:
                    break
                await asyncio.sleep(0.1)
        finally:
            server.should_exit = True
            await serving
    assert [(r["client_ref"], r["status"]) for r in taken] == [("m-1", "delivered")]
