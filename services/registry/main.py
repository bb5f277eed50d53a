"""Composition root of the registry: settings in, app out; nothing connects at import time."""

import os
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI

from services.registry import api, api_curation, search
from services.registry.consumers import DEDUP_SCOPE, subscriptions
from services.registry.curation import Curation
from services.registry.editions import COLLECTION as EDITIONS
from services.registry.editions import Editions
from services.registry.organiser_contacts import OrganiserContacts
from services.registry.rejections import COLLECTION as REJECTIONS
from services.registry.rejections import INDEXES as REJECTION_INDEXES
from services.registry.rejections import Rejections
from services.registry.settings import RegistrySettings
from services.registry.sources import COLLECTION as SOURCES
from services.registry.sources import INDEXES as SOURCE_INDEXES
from services.registry.sources import Sources
from services.registry.submissions import COLLECTION, Submissions
from services.registry.vocabularies import COLLECTION as VOCABULARIES
from services.registry.vocabularies import Vocabularies
from shared import contract_documents, contracts
from shared.auth import Authenticator
from shared.cors import allow_public_reads
from shared.db.aggregates import aggregate_indexes
from shared.http import problem
from shared.runtime import Runtime
from shared.topics import REGISTRY_INITIATIVES
from shared.web import create_service_app

INDEXES = [
    *aggregate_indexes(COLLECTION),
    *search.indexes(COLLECTION),
    *aggregate_indexes(SOURCES),
    *SOURCE_INDEXES,
    *aggregate_indexes(VOCABULARIES),
    *REJECTION_INDEXES,
]


def _die_before_first_publication(runtime: Runtime) -> None:
    """The FAULT_EXIT_AFTER_WRITE test hook: the state is written, its event not yet published."""
    publish_many = runtime.producer.publish_many

    async def dying(items):
        if any(topic == REGISTRY_INITIATIVES for topic, _, _ in items):
            os._exit(137)
        await publish_many(items)

    runtime.producer.publish_many = dying


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = Runtime(settings, INDEXES)
    auth = Authenticator(settings.staff_api_keys)
    parts, cparts = api.Parts(), api_curation.CurationParts()
    runtime.relay_outbox_of(COLLECTION)
    runtime.relay_outbox_of(VOCABULARIES)  # registry.vocabularies.v1, keyed by the vocabulary's name

    async def build() -> None:
        if settings.fault_exit_after_write:
            _die_before_first_publication(runtime)
        cparts.sources = Sources(runtime.aggregate(SOURCES))
        cparts.vocabularies = Vocabularies(runtime.aggregate(VOCABULARIES), settings.event_source)
        cparts.rejections = Rejections(runtime.db[REJECTIONS], cparts.sources)
        await cparts.vocabularies.seed(datetime.now(UTC))
        auth.use_resolver(cparts.sources.resolve)
        initiatives = runtime.aggregate(COLLECTION)
        initiatives.lift_fields(search.lifted)
        editions = Editions(runtime.aggregate(EDITIONS))  # the windows late submissions are measured against
        parts.submissions = Submissions(initiatives, settings.event_source, cparts.sources, cparts.vocabularies, editions)
        parts.curation = Curation(initiatives, settings.event_source)
        cparts.organiser_contacts = OrganiserContacts(initiatives, settings.event_source)
        parts.processed = runtime.processed(DEDUP_SCOPE)
        for sub, scope in subscriptions(parts.submissions, cparts.rejections):
            runtime.subscribe(sub, scope)
        runtime.subscribe(*editions.subscription())

    app = create_service_app(
        runtime, on_start=build,
        title="Öppna Malmö — registry",
        description="Publishers' initiatives under one umbrella, reviewed and stamped / Utgivarnas initiativ under ett paraply, granskade och stämplade.",
    )
    app.include_router(api.router(parts, auth))
    app.include_router(api_curation.router(parts, cparts, auth))
    app.include_router(contracts_router())
    allow_public_reads(app, settings.cors_allowed_origins, "/v1/vocabularies", "/v1/contracts")
    return app


def contracts_router() -> APIRouter:
    """The registry's AsyncAPI document and JSON Schemas, as committed (generated from the models)."""
    files = contract_documents.render(contracts.REGISTRY)
    r = APIRouter(prefix="/v1/contracts", tags=["contracts"])

    @r.get("/asyncapi.json", summary="AsyncAPI 3.0 document of the registry's channels")
    async def asyncapi() -> dict:
        return contract_documents.asyncapi(contracts.REGISTRY)

    @r.get("/schemas/{event_type}.json", summary="JSON Schema of one event type (the whole CloudEvent)")
    async def schema(event_type: str) -> dict:
        if f"schemas/{event_type}.json" not in files:
            raise problem(404, "event_type", "not_found", "No such event type on the registry's channels")
        models = {m.event_type: m for m in contracts.REGISTRY.message_types()}
        return contract_documents.event_schema(models[event_type], "registry")

    return r


__all__ = ["create_app", "INDEXES"]
