"""Opening the DuckDB file: migrations, views, and waiting politely for a lock.

Schema changes are numbered `.sql` files in `warehouse/migrations/`, applied in
order, each in its own transaction, and recorded in `schema_migrations`, so an
old database file upgrades cleanly. Views are recreated from `warehouse/views/`
on every open: they hold no data, and this keeps them in step with the code.

DuckDB lets one process write at a time; an analyst's open session blocks the
pipeline. `connect` waits and retries, telling the user what it is waiting for,
instead of failing (the pipeline's results stay staged on disk meanwhile).
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.errors import DatabaseLocked
from pipelines.vocabulary import TIMEZONE_NAME

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
MIGRATIONS = HERE / "migrations"
VIEWS = HERE / "views"
QUERIES = HERE / "queries"


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "being used by another process" in text


def connect(path: str | Path, *, read_only: bool = False, wait_seconds: float = 300,
            say: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating and upgrading if needed) the database; wait while another program holds it."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline, delay, told = time.monotonic() + wait_seconds, 1.0, False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                if _is_lock_error(exc):
                    raise DatabaseLocked(
                        f"The database {path} is in use by another program (an analyst's session?) "
                        f"and stayed locked for {wait_seconds:.0f} s. Nothing was lost: the crawl's "
                        f"results are staged and will be loaded by the next run or by `prodesc-monitor load`."
                    ) from exc
                raise
            if not told:
                (say or log.warning)(f"The database {path} is in use by another program; waiting for it to be free...")
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 15)
    con.execute(f"SET TimeZone = '{TIMEZONE_NAME}'")
    # DuckDB would take up to 80% of the machine's memory for big operations (the full-text
    # index over every article); capped, it spills to disk instead. Analysts' own sessions
    # are not affected.
    con.execute("SET memory_limit = ?", [os.environ.get("PRODESC_MONITOR_DB_MEMORY", "1GB")])
    if not read_only:
        if migrate(con):
            # DuckDB 1.5 cannot always replay some DDL from its write-ahead log after a crash:
            # write schema changes into the file itself at once.
            con.execute("CHECKPOINT")
        create_views(con)
    return con


def applied(con) -> list[int]:
    con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
    return [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]


def pending(con) -> list[Path]:
    done = set(applied(con))
    return [p for p in sorted(MIGRATIONS.glob("*.sql")) if int(p.name.split("_", 1)[0]) not in done]


def migrate(con) -> list[str]:
    names = []
    for path in pending(con):
        version = int(path.name.split("_", 1)[0])
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, path.stem])
        names.append(path.stem)
    return names


def create_views(con) -> None:
    for path in sorted(VIEWS.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


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


@contextmanager
def transaction(con) -> Iterator[duckdb.DuckDBPyConnection]:
    """Every write goes through here: commit on success, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
