"""A consistent copy of a warehouse while everyone keeps working (`prodesc-monitor backup`).

Why not a file copy: the catalog is a SQLite database in WAL mode, and what was committed lately
(the desk's decisions, the last load's snapshot) may live only in `monitor.ducklake-wal` until
SQLite checkpoints it. Copying `monitor.ducklake` alone while a process has it open loses those
commits (issue 17); copying the three files one after the other can catch them torn. SQLite's own
backup (`sqlite3.Connection.backup`, what the `sqlite3` shell's `.backup` does) reads through
the library: the WAL's commits included, as one snapshot, without stopping anyone.

Then the Parquet folder: DuckLake only ever adds files (a merge writes new ones and leaves the
old ones, snapshots are never expired: warehouse.db.compact), so every file the copied catalog
names exists when the folder is copied after it; files it does not name yet are ignored. Files
already in the destination (an earlier backup) are kept, not copied again. The search index is
left out: it is rebuilt by the next load.

This process never attaches the lake, so opening and closing the catalog with Python's sqlite3
here cannot drop another connection's lock in this process (see warehouse.lake._HEADER_FDS).
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import DatabaseLocked, UserError
from warehouse.db import duration
from warehouse.lake import locate

log = logging.getLogger(__name__)


@dataclass
class BackupReport:
    catalog: Path
    files_copied: int
    files_kept: int
    bytes_copied: int


BUSY = {getattr(sqlite3, "SQLITE_BUSY", 5), getattr(sqlite3, "SQLITE_LOCKED", 6)}


def _copy_catalog(source: Path, target: Path, patience: float, say, label) -> None:
    """SQLite's backup, in one step. Python retries a busy catalog without end: the progress
    callback says at once that it waits (and the most it will), and gives up past `patience`."""
    deadline = None

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal deadline
        if status not in BUSY:
            return
        if deadline is None:
            say(f"El catálogo de {label} está ocupado por otro programa: se espera a que lo libere, "
                f"{duration(patience)} como máximo...")
            deadline = time.monotonic() + patience
        elif time.monotonic() > deadline:
            raise DatabaseLocked(f"El catálogo de {label} siguió ocupado por otro programa {duration(patience)} y no "
                                 f"se respaldó; vuelva a intentarlo.")

    src = sqlite3.connect(source, timeout=0)         # only read
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, progress=progress, sleep=0.2)    # one step: one snapshot, the WAL's commits included
        finally:
            dst.close()
    finally:
        src.close()


def backup(db: str | Path, to: Path, busy_timeout_s: float = 60, say=log.warning) -> BackupReport:
    """Copy the warehouse `db` into the folder `to` (catalog first, then the Parquet files)."""
    location = locate(db)
    if location.is_postgres:
        raise UserError("Con el catálogo en PostgreSQL, respalde la base con pg_dump y copie la carpeta de datos "
                        f"({location.data_path}) después.")
    source = location.sqlite_file
    if not source.exists():
        raise UserError(f"No existe la base de datos {db}. Indique otra con --db ARCHIVO.")
    to = Path(to)
    target = to / source.name
    if target.resolve() == source.resolve():
        raise UserError(f"La carpeta del respaldo ({to}) es la del almacén: indique otra con --to CARPETA.")
    to.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        _copy_catalog(source, partial, busy_timeout_s, say, db)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)            # a backup interrupted half-way never looks whole
    copied = kept = size = 0
    files = location.data_path
    for path in sorted(files.rglob("*")) if files.exists() else []:
        if not path.is_file():
            continue
        dest = to / files.name / path.relative_to(files)
        if dest.exists() and dest.stat().st_size == path.stat().st_size:
            kept += 1
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        copied, size = copied + 1, size + path.stat().st_size
    return BackupReport(target, copied, kept, size)
