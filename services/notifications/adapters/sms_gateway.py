"""The HTTP SMS gateway adapter, speaking the provider protocol documented in docs/notifications.md:

    POST {SMS_GATEWAY_URL}/messages   Authorization: Bearer <token>
    {"to": "+46701234567", "text": "...", "client_ref": "<message_id>", "sender": "OppnaMalmo",
     "encoding": "gsm7", "segments": 1}
    → 202 {"id": "<gateway id>"}      accepted (a repeated client_ref returns the first id: sent once)
    → 4xx {"error": "..."}            permanent (429: temporary, slow down)
    → 5xx                             temporary

Receipts come back to ``POST /v1/sms/receipts`` (header ``X-Webhook-Secret``):
    {"id": "<gateway id>", "client_ref": "<message_id>", "status": "delivered" | "failed",
     "reason": "...", "permanent": true}
An answer that is not this protocol (garbage) counts as a temporary failure.
"""

import httpx

from services.notifications.adapters import PermanentFailure, TemporaryFailure
from shared.events.notifications import SmsRequestedV1


class SmsGatewayAdapter:
    def __init__(self, base_url: str, sender: str, token: str | None = None, timeout_s: float = 10):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s)
        self._sender = sender

    async def close(self) -> None:
        await self._client.aclose()

    async def send(self, sms: SmsRequestedV1) -> str:
        body = {"to": sms.recipient, "text": sms.text, "client_ref": sms.message_id, "sender": self._sender, "encoding": sms.encoding, "segments": sms.segments}
        try:
            r = await self._client.post("/messages", json=body)
        except httpx.HTTPError as e:
            raise TemporaryFailure(f"gateway unreachable: {type(e).__name__}") from None
        if r.status_code == 429 or r.status_code >= 500:
            raise TemporaryFailure(f"gateway HTTP {r.status_code}")
        if 400 <= r.status_code < 500:
            raise PermanentFailure(f"gateway refused: HTTP {r.status_code} {_error_of(r)}")
        try:
            answer = r.json()
            gateway_id = answer["id"]
            if not isinstance(gateway_id, str | int) or gateway_id == "":
                raise ValueError("id")
        except (ValueError, KeyError, TypeError):
            raise TemporaryFailure(f"gateway answered garbage (HTTP {r.status_code})") from None
        return str(gateway_id)


def _error_of(r: httpx.Response) -> str:
    try:
        return str(r.json().get("error", ""))[:200]
    except Exception:
        return ""
