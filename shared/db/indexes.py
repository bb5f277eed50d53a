"""Declared indexes, made effective on MongoDB and on FerretDB alike, in this one place.

Each service declares its indexes as ``IndexSpec`` values next to the code that queries them.
``ensure_indexes`` creates them through the MongoDB protocol; on FerretDB v1 that is not enough:
it translates an equality filter ``{k: v}`` into ``_jsonb->'k' @> v``, which the btree indexes
it creates cannot serve, so every lookup is a full scan that slows as the collection grows. A
PostgreSQL GIN index on the same expression serves ``@>``; when the service knows FerretDB's
PostgreSQL URL, ``ensure_indexes`` adds one per key field, with the operator class
``jsonb_path_ops`` (a scalar matches far fewer index entries than through the default) and
``fastupdate = off`` (no pending list that every lookup reads through until a vacuum). The
figures behind each choice: docs/decisions/0003-gin-indexes-back-lookups.md.
"""

from dataclasses import dataclass

import psycopg
import structlog
from psycopg import sql
from pymongo.asynchronous.database import AsyncDatabase

log = structlog.get_logger(__name__)

METADATA_TABLE = "_ferretdb_database_metadata"


@dataclass(frozen=True)
class IndexSpec:
    """``multikey``: a field that holds a list (a page's message ids). FerretDB v1 stores an index
    entry as one btree row holding the whole list, and refuses a write whose list passes the row's
    limit (2,704 bytes), so there the list is indexed by the GIN index alone, which serves the
    equality; MongoDB makes it a multikey index as usual."""

    collection: str
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    multikey: bool = False

    @property
    def name(self) -> str:
        return "_".join(f"{f}_{d}" for f, d in self.keys)

    @property
    def lookup_fields(self) -> tuple[str, ...]:
        """The top-level fields of this index, the only ones an equality filter hands to PostgreSQL.

        FerretDB evaluates a dotted key (``state.status``) in its own process and never sends it
        on, so a GIN index on its parent field (the whole ``state``) was written on every change
        and read by no query: 12 MB for 28,000 initiatives."""
        return tuple(dict.fromkeys(f for f, _ in self.keys if "." not in f))


def gin_index_name(table: str, field: str) -> str:
    # PostgreSQL names are at most 63 bytes; FerretDB's table names already carry a hash.
    return f"{table}_{field}_ompath"[:63]


async def is_ferretdb(db: AsyncDatabase) -> bool:
    info = await db.client.admin.command("buildInfo")
    return "ferretdbVersion" in info or "ferretdb" in str(info.get("ferretdbFeatures", "")).lower()


async def _create_collection(db: AsyncDatabase, name: str) -> None:
    if name not in await db.list_collection_names(filter={"name": name}):
        try:
            await db.create_collection(name)
        except Exception:  # created concurrently by another process
            pass


async def ensure_indexes(db: AsyncDatabase, specs: list[IndexSpec], ferretdb_postgresql_url: str | None) -> None:
    ferretdb = await is_ferretdb(db)
    for spec in specs:
        if spec.keys == (("_id", 1),) or (spec.multikey and ferretdb):
            # _id is always indexed (and unique) by the engine; a list on FerretDB is served by its
            # GIN index alone (see ``IndexSpec``): the collection only.
            await _create_collection(db, spec.collection)
            continue
        await db[spec.collection].create_index(list(spec.keys), unique=spec.unique, name=spec.name)
    if ferretdb_postgresql_url and ferretdb:
        await back_indexes_on_postgresql(db.name, specs, ferretdb_postgresql_url)


async def table_of(conn: psycopg.AsyncConnection, database: str, collection: str) -> str | None:
    """FerretDB's PostgreSQL table for a collection, from its metadata table in the database's schema."""
    query = sql.SQL("SELECT _jsonb->>'table' FROM {}.{} WHERE _jsonb->>'_id' = %s").format(
        sql.Identifier(database), sql.Identifier(METADATA_TABLE)
    )
    cur = await conn.execute(query, (collection,))
    row = await cur.fetchone()
    return row[0] if row else None


def backing_indexes(specs: list[IndexSpec]) -> dict[str, set[str]]:
    """Collection → the top-level fields that need a GIN index (always _id)."""
    out: dict[str, set[str]] = {}
    for spec in specs:
        out.setdefault(spec.collection, {"_id"}).update(spec.lookup_fields)
    return out


async def _drop_unwanted(conn: psycopg.AsyncConnection, database: str, table: str, wanted: set[str]) -> None:
    """Drop the GIN indexes this module made on ``table`` for fields no longer declared (or no
    longer backed, as the parent of a dotted key was before): each costs every write."""
    cur = await conn.execute(
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s AND indexname LIKE %s",
        (database, table, f"{table}%_ompath"),
    )
    for (name,) in await cur.fetchall():
        if name not in wanted:
            await conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(database, name)))
            log.info("backing_index_dropped", database=database, index=name)


async def back_indexes_on_postgresql(database: str, specs: list[IndexSpec], url: str) -> None:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, connect_timeout=10) as conn:
        # Replicas starting together make the same indexes: PostgreSQL's CREATE INDEX IF NOT EXISTS
        # is not safe side by side (a unique violation in pg_class), so one database's at a time.
        # The lock is the session's: it goes with the connection.
        await conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"backing-indexes/{database}",))
        for collection, fields in backing_indexes(specs).items():
            table = await table_of(conn, database, collection)
            if table is None:
                raise RuntimeError(f"FerretDB has no table for {database}.{collection}")
            for field in sorted(fields):
                name = gin_index_name(table, field)
                await conn.execute(
                    sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} USING gin ((_jsonb->{}) jsonb_path_ops) WITH (fastupdate = off)").format(
                        sql.Identifier(name),
                        sql.Identifier(database),
                        sql.Identifier(table),
                        sql.Literal(field),
                    )
                )
                index = sql.Identifier(database, name)
                regclass = index.as_string(conn)
                cur = await conn.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", (regclass,))
                if "fastupdate=off" not in ((await cur.fetchone())[0] or []):
                    # Made before fastupdate was turned off here: off now, and the entries
                    # waiting in its pending list merged into the tree.
                    await conn.execute(sql.SQL("ALTER INDEX {} SET (fastupdate = off)").format(index))
                    await conn.execute("SELECT gin_clean_pending_list(%s::regclass)", (regclass,))
            await _drop_unwanted(conn, database, table, {gin_index_name(table, f) for f in fields})
    log.info("indexes_backed_on_postgresql", database=database, collections=len(specs))
