"""The MongoDB client, through PyMongo's async API (MongoDB's successor to the deprecated Motor).

Every call has a timeout and the pool is small: FerretDB stopped answering under a larger concurrent
load (docs/decisions/0008-small-pools-timeouts-and-small-bulks.md), and a call that hangs must fail,
not freeze a handler.
"""

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.settings import ServiceSettings


def make_client(settings: ServiceSettings) -> AsyncMongoClient:
    return AsyncMongoClient(
        settings.mongodb_url,
        maxPoolSize=settings.db_max_pool_size,
        timeoutMS=settings.db_timeout_ms,  # client-side operation timeout on every call
        serverSelectionTimeoutMS=settings.db_timeout_ms,
        connectTimeoutMS=settings.db_timeout_ms,
        tz_aware=True,
        appname=settings.service_name,
    )


def database(client: AsyncMongoClient, settings: ServiceSettings) -> AsyncDatabase:
    return client[settings.mongodb_database]


async def ping(db: AsyncDatabase) -> bool:
    try:
        await db.command("ping")
        return True
    except Exception:
        return False
