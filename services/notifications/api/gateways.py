"""The SMS gateway's delivery receipts (a webhook with a shared secret), published as receipts."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Request, Security

from services.notifications.api.deps import ClockDep, ProducerDep, SettingsDep
from services.notifications.api.forms import WEBHOOK_SECRET, GatewayReceipt, body_of, json_body
from services.notifications.domain.message_ids import derived_event_id
from shared.envelope import new_event
from shared.events.notifications import NotificationDeliveredV1, NotificationFailedV1
from shared.http import problem
from shared.topics import NOTIFICATIONS_RECEIPTS

router = APIRouter(prefix="/v1")


@router.post("/sms/receipts", status_code=202, tags=["gateways"], summary="The SMS gateway's delivery receipts (webhook)",
             openapi_extra=json_body(GatewayReceipt, "One delivery receipt, as the gateway posts it (other fields are ignored)"))
async def sms_receipt(request: Request, settings: SettingsDep, now: ClockDep, producer: ProducerDep,
                      x_webhook_secret: Annotated[str | None, Security(WEBHOOK_SECRET)] = None) -> dict:
    if not x_webhook_secret or not hmac.compare_digest(x_webhook_secret, settings.sms_webhook_secret):
        raise problem(401, "x-webhook-secret", "unauthenticated", "Wrong or missing webhook secret")
    body = await body_of(request, GatewayReceipt)
    at = now()
    if body.status == "delivered":
        data = NotificationDeliveredV1(message_id=body.client_ref, channel="sms", delivered_at=at)
    else:
        data = NotificationFailedV1(message_id=body.client_ref, channel="sms", failed_at=at, permanent=body.permanent, reason=(body.reason or "failed")[:1000])
    event = new_event(data, source=f"{settings.event_source}:sms-gateway", subject=body.client_ref,
                      event_id=derived_event_id(body.client_ref, f"receipt:{body.status}:{body.id}"), time=at)
    await producer.publish(NOTIFICATIONS_RECEIPTS, event, key=body.client_ref)
    return {"accepted": True}
