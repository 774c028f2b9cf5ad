"""Opening the warehouse (DuckLake, see warehouse/lake.py): migrations, views, and writes that retry.

Schema changes are numbered `.sql` files in `warehouse/migrations/`, applied in order,
each in its own transaction, and recorded in `schema_migrations`, so an older warehouse
upgrades cleanly. Views (`warehouse/views/`) hold no data; they are recreated when their
files change (a digest in `schema_views`), not on every open: on a lake, creating a view is
a catalog write, and every process opening the warehouse would otherwise collide.

Readers never wait: each reads the snapshot that was current when its transaction began.
Writers are optimistic: every write transaction first takes the turn (`writer_turn`), so
two that overlap conflict at commit, and the one that lost is run again from the start on
top of the other's rows (`transactions`). Lake tables have no unique keys; this is what keeps
two loaders from inserting the same article twice.
"""
from __future__ import annotations

import hashlib
import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.errors import DatabaseLocked
from pipelines.vocabulary import TIMEZONE_NAME
from warehouse.contract import CONTRACT, apply_comments
from warehouse.lake import Location, WarehouseMissing, attach, engine, full_disk, locate, location_of, sql_string

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
MIGRATIONS = HERE / "migrations"
VIEWS = HERE / "views"
QUERIES = HERE / "queries"
WRITE_PATIENCE_S = float(os.environ.get("PRODESC_MONITOR_WRITE_PATIENCE", 120))
# What a commit that lost a race (or found the SQLite catalog busy) says: worth running again.
_CONFLICT_WORDS = ("conflict", "database is locked", "failed to commit", "busy", "could not serialize",
                   "deadlock", "lock")
# The migration that added articles.author_names: the bylines stored before it are parsed once.
AUTHOR_NAMES_MIGRATION = "003_author_names_region_null"
SAY_WAIT_AFTER_S = 2.0   # a write retried this long is waiting for another program: say so
TAKE_TURN = "UPDATE writer_turn SET turn = turn + 1, last_by = ?, last_at = now()"


def duration(seconds: float) -> str:
    """A wait as people say it, in Spanish: '45 s', '5 min', '2 min 30 s'."""
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error) and any(w in str(exc).lower() for w in _CONFLICT_WORDS)


def lost_creation_race(exc: BaseException) -> bool:
    """Two processes opened a new PostgreSQL catalog at once and the other created the lake's
    tables first (PostgreSQL: "relation already exists" or a duplicate key in pg_type). Attaching
    again finds the lake the other made. Found by issue 14's tests: one of the two failed."""
    text = str(exc)
    return isinstance(exc, duckdb.Error) and "Failed to initialize DuckLake" in text and \
        ("already exists" in text or "duplicate key value" in text)


def connect(path: str | Path, *, read_only: bool = False, wait_seconds: float = 300,
            say: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating and upgrading if needed) the warehouse named by `path` (see warehouse.lake.locate)."""
    location = locate(path)
    try:
        return _connect(location, read_only, wait_seconds, say)
    except (duckdb.Error, OSError) as exc:   # a full disk is a one-line stop, not a bug
        raise full_disk(exc, location) or exc


def _connect(location: Location, read_only: bool, wait_seconds: float,
             say: Callable[[str], None] | None) -> duckdb.DuckDBPyConnection:
    missing = WarehouseMissing(f"Todavía no hay datos en {location.label}: corra primero prodesc-monitor crawl "
                               f"(o prodesc-monitor load).")
    if read_only and not location.exists():
        raise missing
    con = engine(location)
    deadline, delay, told = time.monotonic() + wait_seconds, 0.2, False
    while True:
        try:
            attach(con, location, read_only=read_only)
            break
        except duckdb.Error as exc:
            # A PostgreSQL database with no lake in it yet (location.exists() cannot tell, it is no
            # file): DuckLake refuses to create one read-only. The same message as for a missing
            # SQLite catalog, not DuckDB's (found with issue 14's PostgreSQL tests).
            if read_only and "creating a new DuckLake is explicitly disabled" in str(exc):
                con.close()
                raise missing from None
            if not (is_conflict(exc) or lost_creation_race(exc)):
                raise
            if time.monotonic() > deadline:
                raise DatabaseLocked(
                    f"El catálogo de {location.label} siguió ocupado {wait_seconds:.0f} s. No se perdió nada: "
                    f"lo recolectado queda en espera y lo carga la próxima corrida o prodesc-monitor load.") from exc
            if not told:   # at once, and with its limit: a person must not wonder for five minutes
                (say or log.warning)(f"El catálogo de {location.label} está ocupado por otro programa: se espera a "
                                     f"que lo libere, {duration(wait_seconds)} como máximo...")
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 5)
    _session(con, search=False)
    # DuckDB would take up to 80% of the machine's memory for big operations; capped, it
    # spills to disk instead. Analysts' own sessions are not affected.
    con.execute("SET memory_limit = ?", [os.environ.get("PRODESC_MONITOR_DB_MEMORY", "1GB")])
    if not read_only:
        applied_now = migrate(con)
        if applied_now:
            try:
                prime_statistics(con)
            except (DatabaseLocked, duckdb.Error) as exc:   # only a speed-up: never stop an open for it
                log.warning("No se prepararon las estadísticas de las tablas vacías: %s", str(exc).splitlines()[0])
        if AUTHOR_NAMES_MIGRATION in applied_now:
            from warehouse.load import fill_author_names   # load imports this module
            fill_author_names(con)
        # After a migration, again even if no view changed: a new or altered table needs its comments.
        create_views(con, force=bool(applied_now))
    attach_search(con, location)
    return con


def _session(con, *, search: bool) -> None:
    """What every connection and cursor needs: the lake as default catalog, Mexico City time."""
    con.execute("USE lake")
    con.execute(f"SET TimeZone = '{TIMEZONE_NAME}'")
    if search:
        # The fts extension's functions name their tables `fts_main_articles.*` (one such schema
        # per language index, `fts_main_articles_en`...: warehouse.search): let them resolve.
        schemas = [r[0] for r in con.execute(
            "SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'search' "
            "AND regexp_full_match(schema_name, 'fts_main_articles(_[a-z]{2})?') ORDER BY schema_name").fetchall()]
        path = ",".join(["lake.main", *(f"search.{s}" for s in schemas or ["fts_main_articles"])])
        con.execute(f"SET search_path = {sql_string(path)}")


def cursor(con) -> duckdb.DuckDBPyConnection:
    """A cursor of its own (DuckDB: one per thread), set up like `connect`'s connection.

    DuckDB keeps the default catalog and settings such as the time zone per connection, and a
    cursor is a new connection to the same database: without this it would not find `articles`."""
    cur = con.cursor()
    attached = cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'search'").fetchone()[0]
    _session(cur, search=bool(attached))
    return cur


def attach_search(con, location: Location) -> bool:
    """Attach the full-text index (a DuckDB file beside the data) as `search`, read-only, if built.

    The index is rebuilt into a new file and renamed over the old one (warehouse.search):
    a reader keeps the index it attached, whole, until it reconnects."""
    if not location.search_path.exists():
        return False
    try:
        con.execute("DETACH DATABASE IF EXISTS search")
        con.execute(f"ATTACH {sql_string(location.search_path)} AS search (READ_ONLY)")
    except duckdb.Error as exc:      # a half-written file cannot be here (rename is atomic); say so, go on
        log.warning("El índice de búsqueda %s no se pudo abrir: %s", location.search_path, str(exc).splitlines()[0])
        return False
    _session(con, search=True)
    return True


class Attempt:
    """One try of a write transaction (see `transactions`)."""

    def __init__(self, con, who: str, take_turn: bool):
        self.con, self.who, self.take_turn = con, who, take_turn
        self.committed, self.conflict = False, None

    def __enter__(self):
        self.con.execute("BEGIN TRANSACTION")
        if self.take_turn:
            self.con.execute(TAKE_TURN, [self.who])
        return self.con

    def _rollback(self) -> None:
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            pass                                  # a failed COMMIT has already ended the transaction

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            try:
                self.con.execute("COMMIT")
                self.committed = True
                return False
            except duckdb.Error as commit_error:
                exc = commit_error
        self._rollback()
        if is_conflict(exc):
            self.conflict = exc
            return True                           # swallowed: `transactions` runs the block again
        if isinstance(exc, (duckdb.Error, OSError)):
            stop = full_disk(exc, self._location())
            if stop is not None:                  # rolled back: what was committed before is intact
                raise stop from exc
        return False

    def _location(self) -> Location | None:
        try:
            return location_of(self.con)
        except duckdb.Error:
            return None


def transactions(con, *, who: str = "", take_turn: bool = True,
                 patience: float | None = None) -> Iterator[Attempt]:
    """Every write goes through here, as `for txn in transactions(con): with txn: ...`.

    The block runs in one transaction; if its commit loses a race with another writer, it is
    rolled back and the block runs again (so it must compute what it writes inside). Any
    other error rolls back and propagates. Gives up after `patience` seconds."""
    patience = WRITE_PATIENCE_S if patience is None else patience
    started = time.monotonic()
    deadline = started + patience
    delay, tries, told = 0.05, 0, False
    who = who or f"pid {os.getpid()}"
    while True:
        attempt = Attempt(con, who, take_turn)
        yield attempt
        if attempt.committed or attempt.conflict is None:
            return
        tries += 1
        if not told and time.monotonic() - started > SAY_WAIT_AFTER_S:
            # Two writers racing retry within a second and say nothing; past that, another program
            # holds the catalog: the person is told what the command waits for and until when.
            log.warning("El almacén está ocupado por otro programa que escribe en él: este cambio espera su turno, "
                        "%s como máximo...", duration(patience))
            told = True
        if time.monotonic() > deadline:
            raise DatabaseLocked(f"El almacén siguió ocupado por otros programas durante {patience:.0f} s y este "
                                 f"cambio no se guardó ({tries} intentos); lo ya guardado sigue intacto y lo "
                                 f"recolectado sigue en espera. Vuelva a intentarlo.") from attempt.conflict
        log.debug("write conflict (%s), retry %d", str(attempt.conflict).splitlines()[0], tries)
        time.sleep(delay * (1 + random.random()))
        delay = min(delay * 2, 2.0)


@contextmanager
def transaction(con) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction, no retry: for work that cannot simply run again (tests, one-off repairs)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")


def _table_exists(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' AND table_name = ?",
                            [name]).fetchone()[0])


def applied(con) -> list[int]:
    if not _table_exists(con, "schema_migrations"):
        return []
    return [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]


def pending(con) -> list[Path]:
    done = set(applied(con))
    return [p for p in sorted(MIGRATIONS.glob("*.sql")) if int(p.name.split("_", 1)[0]) not in done]


def migrate(con) -> list[str]:
    """Apply pending migrations; two processes opening a new warehouse at once apply each once."""
    names = []
    for path in pending(con):
        version = int(path.name.split("_", 1)[0])
        for txn in transactions(con, take_turn=False):
            with txn:
                if version in applied(con):       # another process got there first
                    continue
                con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
                con.execute(path.read_text(encoding="utf-8"))
                con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, path.stem])
                names.append(path.stem)
    return names


def _placeholder(column_type: str) -> str:
    """A literal of `column_type` that satisfies NOT NULL (for `prime_statistics`' invisible row)."""
    t = column_type.upper()
    if t.endswith("]"):
        return f"[]::{column_type}"
    if t == "JSON":
        return "'{}'"
    if t.startswith("VARCHAR"):
        return "''"
    if t == "BOOLEAN":
        return "false"
    if t == "DATE":
        return "DATE '2000-01-01'"
    if t.startswith("TIMESTAMP"):
        return f"CAST(TIMESTAMP '2000-01-01' AS {column_type})"
    if t == "BLOB":
        return "''::BLOB"
    return f"CAST(0 AS {column_type})"


def prime_statistics(con) -> list[str]:
    """Give every empty lake table its statistics row, so reading it costs what reading a full one does.

    DuckLake (the extension shipped for DuckDB 1.5.5) keeps a row of statistics per table from
    its first write on. A table never written has none, and the extension does not remember
    that: every query that reads it asks the catalog again, once per column it plans with.
    Measured: ~40-70 ms per empty table per query, against ~6 ms for a table with rows, and
    `appearances` reads two tables that stay empty until someone uses the desk
    (`reviews`, `manual_appearances`): the contract views took 3-4 times longer on a new
    warehouse. Inserting a row and deleting it in the same transaction writes the statistics
    row (0 rows) and nothing else: no reader, no snapshot ever sees the row. Done once, when
    a warehouse is created or migrated. Returns the tables primed."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = 'main' "
        "ORDER BY table_name").fetchall()]
    primed: list[str] = []
    for txn in transactions(con, take_turn=False):
        with txn:
            primed = []
            for table in tables:
                if con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]:
                    continue
                columns = con.execute(f'DESCRIBE "{table}"').fetchall()
                names = ", ".join(f'"{c[0]}"' for c in columns)
                values = ", ".join(_placeholder(c[1]) for c in columns)
                con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({values})')
                con.execute(f'DELETE FROM "{table}"')    # the table was empty: only our row goes
                primed.append(table)
    return primed


def compact(con, *, flush: bool = False, patience: float = 60,
            say: Callable[[str], None] | None = None) -> dict[str, int] | None:
    """DuckLake's own maintenance after a load: small writes become few, larger Parquet files.

    Every batch of a load writes a Parquet file per table it touches (200 articles: one for
    `articles`, one for `mentions`, one for `raw_pages`); readers then open hundreds of files
    and the catalog lists them on every query. This merges adjacent small files up to the
    lake's target file size (`ducklake_merge_adjacent_files`), which keeps every snapshot
    readable: time travel (`AT (VERSION => n)`, which frozen tallies use) still returns the
    same rows, and a connection other programs hold open keeps reading. Snapshots are never
    expired here, for that reason.

    Small writes (the desk's clicks, up to 10 rows) stay inlined in the catalog. Moving them
    to Parquet (`flush=True`: `ducklake_flush_inlined_data`) drops the inlined tables, and
    every connection another process opened before then fails on its next read ("Failed to
    read inlined data", checked with DuckDB 1.5.5's ducklake): an analyst's open `sql`
    session, the desk. So the routine compaction after a load never flushes; `flush=True`
    is for a moment nobody else is connected.

    Each step is its own transaction, retried when it loses a race with another writer
    (`is_conflict`) for up to `patience` seconds; if it still loses, the data stays as it
    was (correct, just in more files) and the next load compacts. Never raises for that.
    Returns how many inlined rows were flushed and files merged, or None if it gave up."""
    done = {"rows_flushed": 0, "files_merged": 0, "files_written": 0}
    steps = ((("rows_flushed", "CALL ducklake_flush_inlined_data('lake')"),) if flush else ()) + \
        (("files_merged", "CALL ducklake_merge_adjacent_files('lake')"),)
    for key, sql in steps:
        try:
            for txn in transactions(con, who="compaction", take_turn=False, patience=patience):
                with txn:
                    result = con.execute(sql)
                    cols = [d[0] for d in result.description]
                    rows = [dict(zip(cols, r)) for r in result.fetchall()]
            if key == "rows_flushed":
                done[key] = sum(int(r.get("rows_flushed") or 0) for r in rows)
            else:
                done[key] = sum(int(r.get("files_processed") or 0) for r in rows)
                done["files_written"] = sum(int(r.get("files_created") or 0) for r in rows)
        except (DatabaseLocked, duckdb.Error) as exc:   # the load is committed: never fail it here
            (say or log.warning)(f"La compactación del almacén no se completó ({str(exc).splitlines()[0]}); "
                                 f"los datos están completos y la próxima carga la intenta de nuevo.")
            return None
    return done


def views_digest() -> str:
    """The views' files and the contract's descriptions: an edited description is a change too."""
    h = hashlib.sha1()
    for path in [*sorted(VIEWS.glob("*.sql")), CONTRACT]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def create_views(con, *, force: bool = False) -> bool:
    """(Re)create the views, and write the contract's comments (warehouse.contract), when their
    files changed since the last time. Returns whether it did.

    The comments go in the same transaction: a view created anew has none, so they are written
    whenever views are, and readers never see the views without their descriptions."""
    digest = views_digest()
    if not force and _table_exists(con, "schema_views") and \
            con.execute("SELECT max(digest) FROM schema_views").fetchone()[0] == digest:
        return False
    for txn in transactions(con, take_turn=False):
        with txn:
            con.execute("CREATE TABLE IF NOT EXISTS schema_views (digest VARCHAR NOT NULL, created_at TIMESTAMPTZ)")
            for path in sorted(VIEWS.glob("*.sql")):
                con.execute(path.read_text(encoding="utf-8"))
            apply_comments(con)
            con.execute("DELETE FROM schema_views")
            con.execute("INSERT INTO schema_views VALUES (?, now())", [digest])
    return True


_QUERY_CACHE: dict[str, str] = {}


def query(name: str) -> str:
    """The text of `warehouse/queries/<name>.sql` (read once per process)."""
    text = _QUERY_CACHE.get(name)
    if text is None:
        text = _QUERY_CACHE[name] = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    return text


Params = Mapping[str, object] | Sequence[object] | None


def run(con, name: str, params: Params = None):
    """Run the named query file and return the DuckDB cursor (the one query runner).

    Named parameters (`$week`) take a mapping; keys the query does not use are dropped,
    so callers can pass one dict of filters to queries that use some of them.
    """
    sql = query(name)
    if isinstance(params, Mapping):
        params = {k: v for k, v in params.items() if f"${k}" in sql}
    return con.execute(sql, params) if params else con.execute(sql)


def rows(con, name: str, params: Params = None) -> list[tuple]:
    """All rows of the named query."""
    return run(con, name, params).fetchall()


def records(con, name: str, params: Params = None) -> list[dict]:
    """All rows of the named query as dicts keyed by column name."""
    cur = run(con, name, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def scalar(con, name: str, params: Params = None):
    """The first column of the first row of the named query, or None."""
    row = run(con, name, params).fetchone()
    return row[0] if row else None
