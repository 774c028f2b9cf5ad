"""Full-text search over article text, with DuckDB's own `fts` extension (BM25, Spanish stemming).

The fts extension cannot index lake tables, so the index lives in its own DuckDB file
beside the data (`<warehouse>.search.duckdb`): after every load and retag a copy of the
searchable columns and its index are written to a new file, which is then renamed over
the old one. Renaming is atomic: `search` and analysts never see half an index and never
wait; a reader keeps the index it opened until it reconnects. Two loaders rebuilding at
once each write their own temporary file, whole; each file records the lake snapshot it
copied, and a file never replaces one made from a later snapshot (see `_swap_in`).

The `duckdb-extension-fts` package ships the extension for the pinned DuckDB, loaded by
path (warehouse.lake.engine): DuckDB cannot download it offline.
"""
from __future__ import annotations

import os
import uuid

import duckdb

from warehouse.lake import current_snapshot, extension_path, location_of, sql_string

try:
    import fcntl
except ImportError:                 # not POSIX: no lock, the snapshot check alone
    fcntl = None

SEARCHABLE = "url, title, main_text, published_date, outlet, is_appearance"


def rebuild_index(con) -> None:
    """Write the index of every stored article to a new file and swap it in atomically."""
    from warehouse.db import attach_search

    location = location_of(con)
    final = location.search_path
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_builds(final)
    tmp = final.with_name(f"{final.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        con.execute(f"ATTACH {sql_string(tmp)} AS search_build")
        try:
            # The copy and the snapshot it reads, in one transaction (current_snapshot() is the
            # transaction's own): the file says how recent it is.
            con.execute("BEGIN TRANSACTION")
            try:
                snapshot = current_snapshot(con)
                con.execute(f"CREATE TABLE search_build.articles AS SELECT {SEARCHABLE} FROM lake.articles")
                con.execute("CREATE TABLE search_build.index_snapshot AS SELECT ?::BIGINT AS id", [snapshot])
                con.execute("COMMIT")
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:
                    pass                  # a failed COMMIT has already ended it
                raise
        finally:
            con.execute("DETACH search_build")
        build = duckdb.connect(str(tmp), config={"autoinstall_known_extensions": False,
                                                 "autoload_known_extensions": False})
        try:
            build.load_extension(extension_path("fts"))
            build.execute("PRAGMA create_fts_index('articles', 'url', 'title', 'main_text', stemmer = 'spanish', "
                          "stopwords = 'none', strip_accents = 1, lower = 1, overwrite = 1)")
            build.execute("CHECKPOINT")
        finally:
            build.close()
        _swap_in(tmp, final, snapshot)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    attach_search(con, location)


def index_snapshot(path) -> int:
    """The lake snapshot an index file was copied from (-1: no file, or one from before it said)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return -1
    try:
        return con.execute("SELECT max(id) FROM index_snapshot").fetchone()[0]
    except duckdb.Error:
        return -1
    finally:
        con.close()


def _swap_in(tmp, final, snapshot: int) -> bool:
    """Rename `tmp` over `final` unless `final` was copied from a later snapshot.

    Fixed in issue 14 (two loaders on one PostgreSQL catalog): "the last rename wins" let a
    loader that read the lake before the other's last commit, but renamed after it, put back
    an index missing the other's articles until the next load. The check and the rename hold
    an advisory lock (`<index>.lock`) so that two swaps cannot interleave."""
    with open(final.with_name(final.name + ".lock"), "a") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if index_snapshot(final) > snapshot:
            return False                  # a newer index is already there: keep it
        os.replace(tmp, final)
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:       # someone else's process: alive
        return True
    return True


def _remove_dead_builds(final) -> None:
    """Temporary index files left by a loader killed mid-build (kill -9 skips its `finally`):
    named `<index>.<pid>-<random>.tmp[.wal]`; removed when that process no longer exists."""
    for leftover in final.parent.glob(f"{final.name}.*.tmp*"):
        try:
            pid = int(leftover.name[len(final.name) + 1:].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass


def search(con, text: str, limit: int = 20) -> list[tuple]:
    """Articles best matching `text`: (score, published_date, outlet, title, url, is_appearance)."""
    from warehouse.db import attach_search

    if not con.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'search'").fetchone()[0]:
        if not attach_search(con, location_of(con)):
            return []                 # nothing loaded yet: no index, nothing to find
    # `search.main.articles`, fully qualified: with `search.fts_main_articles` on the search path
    # (warehouse.db._session), DuckDB reads `search.articles` as schema `search` of the lake and
    # finds no such table (fixed in issue 14's PostgreSQL tests, which were the first to search).
    return con.execute("""
        SELECT round(score, 3) AS score, published_date, outlet, title, url, is_appearance
        FROM (SELECT *, search.fts_main_articles.match_bm25(url, ?) AS score FROM search.main.articles)
        WHERE score IS NOT NULL
        ORDER BY score DESC
        LIMIT ?""", [text, limit]).fetchall()


def load_fts(con) -> None:
    """The fts functions, for a connection made outside warehouse.db.connect (they are loaded there)."""
    con.load_extension(extension_path("fts"))
