"""The registry's AsyncAPI document and JSON Schemas, as committed (generated from the models)."""

from fastapi import APIRouter

from shared import contract_documents, contracts
from shared.http import problem

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])
MODELS = {m.event_type: m for m in contracts.REGISTRY.message_types()}  # one schema file each


@router.get("/asyncapi.json", summary="AsyncAPI 3.0 document of the registry's channels")
async def asyncapi() -> dict:
    return contract_documents.asyncapi(contracts.REGISTRY)


@router.get("/schemas/{event_type}.json", summary="JSON Schema of one event type (the whole CloudEvent)")
async def schema(event_type: str) -> dict:
    if event_type not in MODELS:
        raise problem(404, "event_type", "not_found", "No such event type on the registry's channels")
    return contract_documents.event_schema(MODELS[event_type], "registry")
