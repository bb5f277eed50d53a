"""Composition root of scheduling: settings in, app out; nothing connects at import time."""

import asyncio
import contextlib
import os

from fastapi import APIRouter, FastAPI

from services.scheduling import api
from services.scheduling.consumers import subscriptions
from services.scheduling.initiatives import COLLECTION as INITIATIVES
from services.scheduling.initiatives import InitiativeCopies, about
from services.scheduling.planning import EDITIONS, SESSIONS, VENUES, Planning
from services.scheduling.programme import Programme
from services.scheduling.registrations import CONTACTS, REGISTRATION_INDEXES, REGISTRATIONS, Registrations
from services.scheduling.retention import INDEXES as CONTACT_INDEXES
from services.scheduling.retention import ContactRetention, lift_contacts
from services.scheduling.settings import SchedulingSettings
from shared.auth import Authenticator
from shared.db.aggregates import aggregate_indexes
from shared.cors import allow_public_reads
from shared.db.indexes import IndexSpec
from shared.http import problem
from shared.runtime import Runtime
from shared.topics import SCHEDULING_DEADLETTER
from shared.vocabularies import COLLECTION as VOCABULARIES
from shared.vocabularies import VocabularyCopies, vocabulary_subscription
from shared.web import create_service_app

INDEXES = [
    *aggregate_indexes(INITIATIVES),
    *aggregate_indexes(VOCABULARIES),
    *aggregate_indexes(EDITIONS),
    *aggregate_indexes(VENUES),
    *aggregate_indexes(SESSIONS),
    *aggregate_indexes(CONTACTS),
    IndexSpec(REGISTRATIONS, (("_id", 1),)),
    *REGISTRATION_INDEXES,
    *CONTACT_INDEXES,
]


def create_app(settings: SchedulingSettings | None = None) -> FastAPI:
    settings = settings or SchedulingSettings()
    runtime = Runtime(settings, INDEXES)
    parts = api.Parts(settings=settings, auth=Authenticator(settings.staff_api_keys), programme=Programme())
    holder: dict[str, InitiativeCopies] = {}
    tasks: list[asyncio.Task] = []  # the timers: the contacts' retention sweep
    for collection in (EDITIONS, SESSIONS, CONTACTS):
        runtime.relay_outbox_of(collection)

    async def build() -> None:
        stores = {c: runtime.aggregate(c) for c in (EDITIONS, VENUES, SESSIONS)}
        initiatives = InitiativeCopies(runtime.aggregate(INITIATIVES))
        parts.planning = Planning(settings, stores, initiatives, parts.programme)
        initiatives.when_closed(parts.planning.initiative_closed)
        contacts = runtime.aggregate(CONTACTS)
        lift_contacts(contacts)  # found by their session: what the retention sweep asks for
        parts.registrations = Registrations(
            stores[SESSIONS],
            contacts,
            runtime.db[REGISTRATIONS],
            runtime.producer,
            parts.programme,
            settings.event_source,
            settings.public_base_url,
        )
        await parts.registrations.settle_all()  # before the programme is read: every seat taken has its document
        await parts.planning.load()
        retention = ContactRetention(parts.registrations, lambda: parts.programme.sessions.values(), settings.contact_retention_days,
                                     settings.contact_retention_sweep_s)
        app.state.retention = retention  # tests move its clock
        tasks.append(asyncio.create_task(retention.run(), name="scheduling-contact-retention"))
        # what residents read beside each session: its initiative's texts, the vocabularies' labels
        for initiative_id, texts in (await initiatives.about_all()).items():
            parts.programme.put_about(initiative_id, texts)
        initiatives.when_copied(lambda copy: parts.programme.put_about(copy["initiative_id"], about(copy)))
        parts.vocabularies = VocabularyCopies(runtime.aggregate(VOCABULARIES))
        await parts.vocabularies.load()
        parts.vocabularies.when_changed(parts.programme.touch)
        runtime.subscribe(vocabulary_subscription(parts.vocabularies, SCHEDULING_DEADLETTER))
        if settings.fault_exit_after_seat:
            parts.registrations.desk.after_seat = lambda: os._exit(137)  # the test hook: stored, not answered
        holder["initiatives"] = initiatives
        for sub in subscriptions(initiatives):
            runtime.subscribe(sub)

    async def stop() -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = create_service_app(
        runtime, on_start=build, on_stop=stop,
        title="Öppna Malmö — scheduling",
        description="The forum period's programme and registrations / Forumperiodens program och anmälningar.",
    )
    router = APIRouter(prefix="/v1", tags=["initiatives"])

    @router.get("/initiatives/{initiative_id}", summary="Scheduling's copy of an initiative")
    async def get_initiative(initiative_id: str) -> dict:
        copy = await holder["initiatives"].get(initiative_id)
        if copy is None:
            raise problem(404, "initiative_id", "not_found", "No such initiative")
        return copy

    app.include_router(router)
    api.install(app, parts)
    allow_public_reads(app, settings.cors_allowed_origins, "/v1/programme")  # last: outside the feeds' fast path
    return app


__all__ = ["create_app", "INDEXES"]
