"""Every index the services declare exists, and on FerretDB is backed by a PostgreSQL GIN index.

Without the GIN index FerretDB v1 answers an equality filter by scanning the whole table
(docs/decisions/0003-gin-indexes-back-lookups.md); this fails when a declared index is not made effective.
"""

import asyncio
import uuid

import psycopg
import pytest
from psycopg import sql
from pymongo import AsyncMongoClient

from services.notifications.main import INDEXES as NOTIFICATIONS
from services.registry.main import INDEXES as REGISTRY
from services.reporting.main import INDEXES as REPORTING
from services.scheduling.main import INDEXES as SCHEDULING
from shared.db.indexes import IndexSpec, backing_indexes, ensure_indexes, gin_index_name, is_ferretdb, table_of
from shared.db.processed import INDEXES as PROCESSED

DECLARED = {
    "registry": REGISTRY + PROCESSED,
    "scheduling": SCHEDULING + PROCESSED,
    "notifications": NOTIFICATIONS + PROCESSED,
    "reporting": REPORTING + PROCESSED,
}


@pytest.mark.parametrize("service", sorted(DECLARED))
async def test_every_declared_index_exists_and_is_backed(infra, run_id, service):
    specs = DECLARED[service]
    name = f"{run_id}_idx_{service}"
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000)
    try:
        db = client[name]
        await ensure_indexes(db, specs, infra.ferretdb_postgresql)
        ferretdb = await is_ferretdb(db)
        for spec in specs:
            names = {i["name"] async for i in await db[spec.collection].list_indexes()}
            served_by_gin_alone = spec.multikey and ferretdb  # checked below with the others
            assert spec.name in names or spec.keys == (("_id", 1),) or served_by_gin_alone, f"{spec.collection}.{spec.name} missing"
            if spec.keys == (("_id", 1),):
                assert "_id_" in names

        if not await is_ferretdb(db):
            return  # MongoDB serves equality filters from its own indexes
        assert infra.ferretdb_postgresql, "on FerretDB the tests need FERRETDB_POSTGRESQL_URL"
        async with await psycopg.AsyncConnection.connect(infra.ferretdb_postgresql, autocommit=True) as conn:
            for collection, fields in backing_indexes(specs).items():
                table = await table_of(conn, name, collection)
                assert table, f"no table for {collection}"
                cur = await conn.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s", (name, table)
                )
                indexes = {row[0]: row[1] for row in await cur.fetchall()}
                for field in fields:
                    definition = indexes.get(gin_index_name(table, field))
                    assert definition, f"{collection}.{field} has no GIN index"
                    assert "USING gin" in definition and "jsonb_path_ops" in definition and f"'{field}'" in definition
                    # No pending list for lookups to read through after a burst of inserts.
                    assert "fastupdate=off" in definition, definition
                # And PostgreSQL uses it for the filter FerretDB sends (not a sequential scan).
                await conn.execute("SET enable_seqscan = off")
                plan = await conn.execute(
                    sql.SQL("EXPLAIN SELECT _jsonb FROM {}.{} WHERE _jsonb->'_id' @> %s::jsonb").format(
                        sql.Identifier(name), sql.Identifier(table)
                    ),
                    ('"x"',),
                )
                text = " ".join(r[0] for r in await plan.fetchall())
                assert "Bitmap Index Scan" in text, text
    finally:
        await client.drop_database(name)
        await client.close()


async def test_an_index_backed_before_fastupdate_was_off_is_switched_and_its_pending_entries_merged(infra, run_id):
    """A database from an earlier release has GIN indexes with a pending list: the next start
    switches them and merges what waits in the list, so lookups stop reading through it."""
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000)
    name = f"{run_id}_idx_upgrade"
    specs = [IndexSpec("items", (("_id", 1),)), IndexSpec("items", (("code", 1),), unique=True)]
    try:
        db = client[name]
        if not await is_ferretdb(db):
            pytest.skip("GIN backing indexes exist only on FerretDB; MongoDB serves equality from its own indexes")
        await ensure_indexes(db, specs, None)
        async with await psycopg.AsyncConnection.connect(infra.ferretdb_postgresql, autocommit=True) as conn:
            table = await table_of(conn, name, "items")
            index = sql.Identifier(name, gin_index_name(table, "code"))
            # As the earlier release made it: the default fastupdate, a pending list.
            await conn.execute(sql.SQL("CREATE INDEX {} ON {}.{} USING gin ((_jsonb->'code') jsonb_path_ops)").format(
                sql.Identifier(gin_index_name(table, "code")), sql.Identifier(name), sql.Identifier(table)))
            await db.items.insert_many([{"_id": f"i{n}", "code": f"c{n}"} for n in range(300)])

            await ensure_indexes(db, specs, infra.ferretdb_postgresql)

            cur = await conn.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", (index.as_string(conn),))
            assert (await cur.fetchone())[0] == ["fastupdate=off"]
            # Nothing left to merge: the start merged the 300 pending entries.
            cur = await conn.execute("SELECT gin_clean_pending_list(%s::regclass)", (index.as_string(conn),))
            assert (await cur.fetchone())[0] == 0
            assert (await db.items.find_one({"code": "c299"}))["_id"] == "i299"
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_backing_index_no_query_can_use_is_dropped_and_the_declared_ones_stay(infra, run_id):
    """An earlier release backed a dotted key (``state.status``) with a GIN index on ``state``, which
    FerretDB never hands a filter to: the next start drops it."""
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000)
    name = f"{run_id}_idx_unused"
    specs = [IndexSpec("items", (("_id", 1),)), IndexSpec("items", (("state.status", 1), ("code", 1)))]
    try:
        db = client[name]
        if not await is_ferretdb(db):
            pytest.skip("GIN backing indexes exist only on FerretDB; MongoDB serves equality from its own indexes")
        assert specs[1].lookup_fields == ("code",)
        await ensure_indexes(db, specs, None)
        async with await psycopg.AsyncConnection.connect(infra.ferretdb_postgresql, autocommit=True) as conn:
            table = await table_of(conn, name, "items")
            await conn.execute(sql.SQL("CREATE INDEX {} ON {}.{} USING gin ((_jsonb->'state') jsonb_path_ops)").format(
                sql.Identifier(gin_index_name(table, "state")), sql.Identifier(name), sql.Identifier(table)))

            await ensure_indexes(db, specs, infra.ferretdb_postgresql)

            cur = await conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s", (name, table))
            names = {row[0] for row in await cur.fetchall()}
            assert gin_index_name(table, "state") not in names
            assert {gin_index_name(table, "_id"), gin_index_name(table, "code")} <= names
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_list_field_longer_than_an_engine_index_row_is_written_and_found_by_equality(infra, run_id):
    """A page of a fan-out lifts its messages' ids as one list: on FerretDB an engine index on it
    refuses a write whose list passes one btree row (2,704 bytes); declared ``multikey``, the list
    is written whole and a lookup of one id in it is served by the GIN index."""
    name = f"{run_id}_idx_list"
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000)
    try:
        db = client[name]
        await ensure_indexes(db, [IndexSpec("pages", (("ids", 1),), multikey=True)], infra.ferretdb_postgresql)
        ids = [uuid.uuid4().hex for _ in range(300)]  # ~10 kB that do not compress into one row
        await db["pages"].insert_one({"_id": "p1", "ids": ids})
        assert (await db["pages"].find_one({"ids": ids[123]}, {"_id": 1})) == {"_id": "p1"}
    finally:
        await client.drop_database(name)
        await client.close()


async def test_replicas_starting_together_make_their_indexes_side_by_side(infra, run_id):
    """Two replicas of a service start at once on a fresh database: both make the indexes and
    start (PostgreSQL's CREATE INDEX IF NOT EXISTS made side by side once refused one of them)."""
    name = f"{run_id}_idx_twice_{uuid.uuid4().hex[:6]}"
    clients = [AsyncMongoClient(infra.mongodb, timeoutMS=20000) for _ in range(2)]
    try:
        for attempt in range(3):  # the race is narrow: a few fresh databases
            db_name = f"{name}{attempt}"
            await asyncio.gather(*(ensure_indexes(c[db_name], DECLARED["registry"], infra.ferretdb_postgresql) for c in clients))
            await clients[0].drop_database(db_name)
    finally:
        for c in clients:
            await c.close()
