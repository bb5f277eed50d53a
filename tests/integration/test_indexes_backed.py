"""Every index the services declare exists, and on FerretDB is backed by a PostgreSQL GIN index.

Without the GIN index FerretDB v1 answers an equality filter by scanning the whole table
(INFRASTRUCTURE.md); this fails when a declared index is not made effective.
"""

import psycopg
import pytest
from psycopg import sql
from pymongo import AsyncMongoClient

from services.notifications.main import INDEXES as NOTIFICATIONS
from services.registry.main import INDEXES as REGISTRY
from services.reporting.main import INDEXES as REPORTING
from services.scheduling.main import INDEXES as SCHEDULING
from shared.db.indexes import backing_indexes, ensure_indexes, gin_index_name, is_ferretdb, table_of
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
        for spec in specs:
            names = {i["name"] async for i in await db[spec.collection].list_indexes()}
            assert spec.name in names or spec.keys == (("_id", 1),), f"{spec.collection}.{spec.name} missing"
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
