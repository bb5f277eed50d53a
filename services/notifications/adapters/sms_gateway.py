"""The HTTP SMS gateway adapter, speaking the provider protocol documented in docs/notifications.md
("The SMS gateway protocol"): one batch-shaped endpoint, as real providers take many messages at once.

    POST {SMS_GATEWAY_URL}/messages   Authorization: Bearer <token>
    {"messages": [{"to": "+46701234567", "text": "...", "client_ref": "<message_id>", "sender": "OppnaMalmo",
                   "encoding": "gsm7", "segments": 1}, ...]}                      (1 to 500 messages)
    → 200 {"results": [{"client_ref": "...", "id": "<gateway id>"}
                       | {"client_ref": "...", "error": "...", "permanent": true | false}, ...]}
          one result per message, in the request's order; a repeated client_ref returns its first id
          (sent once)
    → 429 or 5xx                      every message failed temporarily
    → other 4xx {"error": "..."}      every message failed permanently

An answer that is not this protocol (garbage, a wrong count of results) is a temporary failure of
every message; a result whose client_ref is not its message's is a temporary failure of that message.

Receipts come back one per message to ``POST /v1/sms/receipts`` (header ``X-Webhook-Secret``):
    {"id": "<gateway id>", "client_ref": "<message_id>", "status": "delivered" | "failed",
     "reason": "...", "permanent": true}
"""

import httpx

from services.notifications.adapters import PermanentFailure, TemporaryFailure
from shared.events.notifications import SmsRequestedV1

Outcome = str | TemporaryFailure | PermanentFailure


class SmsGatewayAdapter:
    """One pooled ``httpx.AsyncClient``; ``send_many`` hands a batch over in one request."""

    MAX_BATCH = 100  # messages per request (the protocol allows 500)

    def __init__(self, base_url: str, sender: str, token: str | None = None, timeout_s: float = 10):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s)
        self._sender = sender

    async def close(self) -> None:
        await self._client.aclose()

    async def send(self, sms: SmsRequestedV1) -> str:
        """A batch of one: the gateway id, or the failure raised."""
        [outcome] = await self.send_many([sms])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def send_many(self, batch: list[SmsRequestedV1]) -> list[Outcome]:
        """One request for the batch (1..MAX_BATCH messages, else ValueError); per message, in order,
        its gateway id or its failure (returned, not raised)."""
        if not 1 <= len(batch) <= self.MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {self.MAX_BATCH} messages, not {len(batch)}")
        body = {"messages": [{"to": s.recipient, "text": s.text, "client_ref": s.message_id, "sender": self._sender,
                              "encoding": s.encoding, "segments": s.segments} for s in batch]}
        try:
            r = await self._client.post("/messages", json=body)
        except httpx.HTTPError as e:
            return _all(batch, TemporaryFailure(f"gateway unreachable: {type(e).__name__}"))
        if r.status_code == 429 or r.status_code >= 500:
            return _all(batch, TemporaryFailure(f"gateway HTTP {r.status_code}"))
        if 400 <= r.status_code < 500:
            return _all(batch, PermanentFailure(f"gateway refused: HTTP {r.status_code} {_error_of(r)}"))
        try:
            results = r.json()["results"]
            if not isinstance(results, list) or len(results) != len(batch):
                raise ValueError("results")
        except (ValueError, KeyError, TypeError):
            return _all(batch, TemporaryFailure(f"gateway answered garbage (HTTP {r.status_code})"))
        return [_outcome(sms.message_id, result) for sms, result in zip(batch, results, strict=True)]


def _all(batch: list[SmsRequestedV1], failure: TemporaryFailure | PermanentFailure) -> list[Outcome]:
    """The same failure for every message, one instance each (a caller may raise any of them)."""
    return [type(failure)(*failure.args) for _ in batch]


def _outcome(client_ref: str, result: object) -> Outcome:
    """One message's result: its id, its failure, or (not this protocol) a temporary failure."""
    if not isinstance(result, dict) or result.get("client_ref") != client_ref:
        return TemporaryFailure("gateway answered garbage for this message")
    gateway_id = result.get("id")
    if isinstance(gateway_id, str | int) and not isinstance(gateway_id, bool) and gateway_id != "":
        return str(gateway_id)
    if "error" in result:
        reason = f"gateway refused: {str(result['error'])[:200]}"
        return PermanentFailure(reason) if result.get("permanent") is True else TemporaryFailure(reason)
    return TemporaryFailure("gateway answered garbage for this message")


def _error_of(r: httpx.Response) -> str:
    try:
        return str(r.json().get("error", ""))[:200]
    except Exception:
        return ""
