"""The previous storage (one DuckDB file) and its migration into the lake (`prodesc-monitor migrate`).

Before issue 14 the warehouse was one DuckDB file (`data/monitor.duckdb`) whose schema was
built by the numbered files in `warehouse/legacy/migrations/` (001-005). Its last schema is
what `warehouse/migrations/001_lake.sql` starts from, so moving a file into a lake is a copy
of every table, matched by column name. How:

1. The user's file is never touched: it is copied (with its `.wal`, where the last commits
   may still be) to a temporary folder, and only the copy is opened.
2. The copy is brought up to legacy migration 005 the way the old monitor did it (a
   `schema_migrations` table; each pending file in one transaction; a CHECKPOINT after),
   so a file last opened by an older version is upgraded exactly as that version would have.
3. The copy is attached read-only as `legacy` and every table is inserted into the lake in
   ONE write transaction: a lake commit is one catalog transaction, so a crash or a `kill -9`
   half-way leaves the lake as it was (Parquet files written before the commit are orphans
   no snapshot points at). Before committing, inside the same transaction, the row count of
   every table and the contents of `appearances`, `weekly_counts` and `yearly_tally` are
   compared with the old file's: a difference rolls everything back.
4. Then the stored bylines are parsed into names (lake migration 003) and the full-text
   index is rebuilt beside the lake.

A lake that already holds data is refused: migrating twice would count everything twice.
Columns the lake has and the old file does not (`frozen_tallies.snapshot_id`) stay NULL:
those years were frozen before there were snapshots (`tally --as-frozen` says so).
"""
from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.errors import UserError
from warehouse.lake import LegacyDatabase, is_duckdb_file, locate, sql_string

HERE = Path(__file__).parent
LEGACY_MIGRATIONS = HERE / "migrations"
LEGACY_VERSION = 5                   # the last schema of the previous storage
ALIAS = "legacy"
# The lake's tables that hold the warehouse's data, in the order they are copied. The lake's
# own bookkeeping (schema_migrations, schema_views, writer_turn) is not copied.
TABLES = ("outlets", "outlet_reach_history", "outlet_reviews", "entities", "articles", "mentions", "raw_pages",
          "skipped_pages", "crawl_runs", "feed_checks", "reviews", "manual_appearances", "frozen_tallies",
          "frozen_appearances")
NOT_DATA = ("schema_migrations",)    # the old file's bookkeeping
# The views whose results must be the same before and after (docs/warehouse.md: the contract).
CHECKED_VIEWS = ("appearances", "weekly_counts", "yearly_tally")
VIEWS = HERE.parent / "views"
LAKE_MIGRATIONS = HERE.parent / "migrations"


class MigrationError(UserError):
    """The migration cannot run, or did not copy everything: the lake was left as it was."""


@dataclass
class MigrationReport:
    counts: list[tuple[str, int, int]] = field(default_factory=list)   # table, rows before, rows after
    views: list[tuple[str, int]] = field(default_factory=list)         # view, rows (identical in both)
    upgraded: list[str] = field(default_factory=list)                  # legacy migrations applied to the copy
    skipped_tables: list[str] = field(default_factory=list)            # old tables that are not the monitor's
    frozen_years: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(after for _, _, after in self.counts)


# ------------------------------------------------------------------ the old file, upgraded like the old monitor did

def _legacy_applied(con) -> list[int]:
    con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
    return [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]


def upgrade_legacy(con, *, checkpoint: bool = True) -> list[str]:
    """Apply the pending legacy migrations to an open old-format file (the logic of the old
    warehouse/db.py, commit 8682150): each file in its own transaction, then a CHECKPOINT
    (`checkpoint=False` only to leave a file as a crash before it would have, for tests)."""
    done = set(_legacy_applied(con))
    names = []
    for path in sorted(LEGACY_MIGRATIONS.glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, path.stem])
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        names.append(path.stem)
    if names and checkpoint:
        con.execute("CHECKPOINT")
    return names


def _copy_of(source: Path, folder: Path) -> Path:
    """The old file (and its write-ahead log, if any) copied into `folder`."""
    copy = folder / "legacy.duckdb"
    shutil.copyfile(source, copy)
    wal = Path(str(source) + ".wal")
    if wal.exists():
        shutil.copyfile(wal, Path(str(copy) + ".wal"))
    return copy


def in_use(path: Path) -> bool:
    """Whether another program has the file open for writing (DuckDB holds a POSIX write lock on
    it): a copy taken meanwhile could miss commits still being written. Checked with a shared
    lock on a read-only handle, which changes nothing in the file."""
    try:
        import fcntl
    except ImportError:          # Windows: DuckDB's own lock stops the copy's reader instead
        return False
    with open(path, "rb") as fh:
        try:
            fcntl.lockf(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(fh, fcntl.LOCK_UN)
    return False


def prepare_copy(source: Path, folder: Path) -> tuple[Path, list[str]]:
    """A copy of the old file at legacy schema 005, with the monitor's views as they are now
    (the same view files the old storage had), to compare results before and after."""
    from warehouse.lake import engine

    copy = _copy_of(source, folder)
    con = engine()          # fts loaded: the old file holds the full-text index's macros
    try:
        con.execute(f"ATTACH {sql_string(copy)} AS old_file")
        con.execute("USE old_file")
        upgraded = upgrade_legacy(con)
        # The lake's migrations after its first schema (001) are plain DuckDB SQL that add to
        # it (002: entities.name_en); the copy takes them too, so today's views bind on it.
        for path in sorted(LAKE_MIGRATIONS.glob("*.sql")):
            if int(path.name.split("_", 1)[0]) > 1:
                con.execute(path.read_text(encoding="utf-8"))
        for path in sorted(VIEWS.glob("*.sql")):
            con.execute(path.read_text(encoding="utf-8"))
        con.execute("CHECKPOINT old_file")
    finally:
        con.close()
    return copy, upgraded



# ------------------------------------------------------------------ the copy into the lake

def _columns(con, database: str, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index", [database, table]).fetchall()]


def _tables(con, database: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name",
        [database]).fetchall()]


def _count(con, database: str, table: str) -> int:
    return con.execute(f'SELECT count(*) FROM {database}.main."{table}"').fetchone()[0]


def lake_holds_data(con) -> list[tuple[str, int]]:
    """The lake's data tables that already have rows."""
    found = [(t, _count(con, "lake", t)) for t in TABLES]
    return [(t, n) for t, n in found if n]


def _plan(con) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Per table, the columns to copy (by name); and the old file's tables that are not the monitor's."""
    old_tables = set(_tables(con, ALIAS))
    plan = []
    for table in TABLES:
        if table not in old_tables:
            raise MigrationError(f"A la base anterior le falta la tabla {table}: no parece una base del monitor. "
                                 f"No se copió nada.")
        new_cols = _columns(con, "lake", table)
        old_cols = _columns(con, ALIAS, table)
        lost = [c for c in old_cols if c not in new_cols]
        if lost:
            raise MigrationError(f"La tabla {table} de la base anterior tiene columnas que el almacén nuevo no tiene "
                                 f"({', '.join(lost)}): se perderían. No se copió nada.")
        plan.append((table, [c for c in new_cols if c in old_cols]))
    unknown = sorted(old_tables - set(TABLES) - set(NOT_DATA))
    return plan, unknown


def _view_difference(con, view: str) -> tuple[int, int]:
    """Rows of the view only in the old file, and only in the lake (0, 0 when identical)."""
    only_old = con.execute(f"SELECT count(*) FROM (SELECT * FROM {ALIAS}.main.{view} EXCEPT ALL "
                           f"SELECT * FROM lake.main.{view})").fetchone()[0]
    only_new = con.execute(f"SELECT count(*) FROM (SELECT * FROM lake.main.{view} EXCEPT ALL "
                           f"SELECT * FROM {ALIAS}.main.{view})").fetchone()[0]
    return only_old, only_new


def copy_into_lake(con, report: MigrationReport, who: str = "migrate") -> None:
    """Copy every table of the attached `legacy` file into the lake, in one transaction, and
    check counts and views before committing. Refuses a lake that already holds data."""
    from warehouse.db import transactions

    plan, report.skipped_tables = _plan(con)
    for txn in transactions(con, who=who):
        with txn:
            held = lake_holds_data(con)
            if held:
                raise MigrationError(
                    f"El almacén de destino ya tiene datos ({', '.join(f'{t}: {n} filas' for t, n in held[:3])}"
                    f"{'...' if len(held) > 3 else ''}): no se migra encima para no contar nada dos veces. "
                    f"Indique un --db nuevo.")
            counts = []
            for table, cols in plan:
                names = ", ".join(f'"{c}"' for c in cols)
                con.execute(f'INSERT INTO lake.main."{table}" ({names}) SELECT {names} FROM {ALIAS}.main."{table}"')
                counts.append((table, _count(con, ALIAS, table), _count(con, "lake", table)))
            wrong = [(t, a, b) for t, a, b in counts if a != b]
            if wrong:
                raise MigrationError("No coinciden las filas copiadas: " + "; ".join(
                    f"{t}: {a} antes, {b} después" for t, a, b in wrong) + ". No se copió nada.")
            views = []
            for view in CHECKED_VIEWS:
                only_old, only_new = _view_difference(con, view)
                if only_old or only_new:
                    raise MigrationError(f"La vista {view} no da lo mismo que en la base anterior ({only_old} filas "
                                         f"solo antes, {only_new} solo después). No se copió nada.")
                views.append((view, _count(con, "lake", view)))
            report.counts, report.views = counts, views
            report.frozen_years = [r[0] for r in con.execute(
                "SELECT year FROM lake.main.frozen_tallies ORDER BY year").fetchall()]


def migrate_legacy(source: str | Path, db: str | Path, *, say: Callable[[str], None] = print,
                   work_dir: Path | None = None) -> MigrationReport:
    """Move an old-format DuckDB file into the lake named by `db` (see the module's docstring)."""
    from warehouse.db import connect
    from warehouse.load import fill_author_names
    from warehouse.search import rebuild_index

    source = Path(source)
    if not source.is_file():
        raise MigrationError(f"No existe el archivo {source}.")
    if not is_duckdb_file(source):
        raise MigrationError(f"{source} no es una base de la versión anterior (un archivo DuckDB): no hay nada que "
                             f"migrar.")
    try:
        location = locate(db)
    except LegacyDatabase:
        raise MigrationError(f"El destino {db} también es una base de la versión anterior. Indique un catálogo "
                             f"nuevo, p. ej. --db {Path(str(db)).with_suffix('.ducklake')}") from None
    if location.sqlite_file is not None and location.sqlite_file.resolve() == source.resolve():
        raise MigrationError("El origen y el destino son el mismo archivo.")
    if in_use(source):
        raise MigrationError(f"{source} está abierto en otro programa (¿la versión anterior del monitor, o una "
                             f"sesión de DuckDB?): ciérrelo y vuelva a correr prodesc-monitor migrate.")
    report = MigrationReport()
    started = time.monotonic()
    folder = work_dir or location.data_path.parent
    folder.mkdir(parents=True, exist_ok=True)
    con = connect(db)
    try:
        held = lake_holds_data(con)
        if held:     # said before the long copy; checked again inside the transaction
            raise MigrationError(
                f"El almacén de destino {location.label} ya tiene datos ({held[0][0]}: {held[0][1]} filas): no se "
                f"migra encima para no contar nada dos veces. Indique un --db nuevo.")
        with tempfile.TemporaryDirectory(prefix=".prodesc-migrate-", dir=folder) as tmp:
            say(f"Copiando {source} a una carpeta temporal (el archivo original no se modifica)...")
            t0 = time.monotonic()
            try:
                copy, report.upgraded = prepare_copy(source, Path(tmp))
            except duckdb.Error as exc:
                raise MigrationError(f"No se pudo abrir la copia de {source} (¿está dañado?): "
                                     f"{str(exc).splitlines()[0]}. No se copió nada.") from exc
            report.seconds["copia"] = time.monotonic() - t0
            con.execute(f"ATTACH {sql_string(copy)} AS {ALIAS} (READ_ONLY)")
            try:
                say(f"Copiando las tablas a {location.label} en una sola transacción...")
                t0 = time.monotonic()
                copy_into_lake(con, report)
                report.seconds["tablas"] = time.monotonic() - t0
            finally:
                con.execute(f"DETACH {ALIAS}")
        # The lake took migration 003 while empty: the copied bylines are parsed now, as an
        # upgraded lake's are (warehouse.db.connect). Outside the copy's transaction: the copy is
        # whole either way, and the names can be parsed again from `author` at any time.
        fill_author_names(con)
        say("Reconstruyendo el índice de búsqueda...")
        t0 = time.monotonic()
        rebuild_index(con)
        report.seconds["índice"] = time.monotonic() - t0
    finally:
        con.close()
    report.seconds["total"] = time.monotonic() - started
    return report
