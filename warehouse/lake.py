"""Where the warehouse lives and how a process opens it: DuckLake, a catalog plus Parquet files.

One DuckDB file lets one process write and blocks every other opener meanwhile (the
desk, the crawl and analysts locked each other out; docs/scaling.md has the measurements).
DuckLake keeps the tables as Parquet files under a data folder and their catalog in a
database made for many clients:

- `data/monitor.ducklake` (any path): a **SQLite** catalog in WAL mode, for the processes
  of one machine. WAL matters: in SQLite's default journal mode a reader that keeps a
  transaction open stops every writer (measured: nothing committed for 90 s).
- `postgres:dbname=prodesc host=...` (a libpq connection string): a **PostgreSQL**
  catalog, for several machines. The Parquet files then go to `PRODESC_MONITOR_DATA_PATH`
  (a folder every machine sees), by default `data/monitor.files`.

Every process opens its own in-memory DuckDB with the lake attached as `lake` and made
the default catalog, so `SELECT * FROM appearances` works as before. The extensions come
from PyPI packages and are loaded by path: DuckDB would otherwise try to download them.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.errors import ConfigError, DiskFull, UserError, no_space_left

EXTENSION_VERSION = f"v{duckdb.__version__}"
DEFAULT_DATA_PATH = "data/monitor.files"
DATA_PATH_ENV = "PRODESC_MONITOR_DATA_PATH"
POSTGRES_PREFIX = "postgres:"
DUCKDB_MAGIC = b"DUCK"          # bytes 8-12 of a DuckDB database file


class LegacyDatabase(UserError):
    """The path is a database file of the previous storage (one DuckDB file)."""


class WarehouseMissing(UserError):
    """Nothing to read yet: no crawl or load has created the warehouse."""


# Below this many free bytes an I/O error of DuckDB or SQLite is taken for a full disk: SQLite
# says only "disk I/O error" when it cannot grow its WAL (seen with issue 17's tmpfs test).
LOW_SPACE_BYTES = 1 << 20


def full_disk(exc: BaseException, location: "Location | None") -> DiskFull | None:
    """The one-line stop for an error that a full disk caused, or None if the disk is not the cause."""
    folders = []
    if location is not None:
        folders = [f for f in (location.sqlite_file and location.sqlite_file.parent, location.data_path) if f]
    free = {}
    for folder in folders:
        try:
            free[folder] = shutil.disk_usage(folder).free
        except OSError:
            continue
    if not no_space_left(exc) and not (free and min(free.values()) < LOW_SPACE_BYTES):
        return None
    where = min(free, key=free.get) if free else Path(getattr(exc, "filename", None) or ".").absolute().parent
    label = location.label if location is not None else "el almacén"
    return DiskFull(f"El disco de {where} está lleno y el cambio en {label} no se guardó; lo guardado antes sigue "
                    f"intacto. Libere espacio y vuelva a correr el comando: nada se contará dos veces.")


class FolderUnusable(UserError):
    """The warehouse's folder does not exist or cannot be written (issue 17: a mistyped `--db`
    made a crawl create a tree of folders; a read-only one failed inside DuckDB with a traceback)."""


def check_folder(db: str | Path) -> None:
    """Before writing to the warehouse named by `--db`: the catalog's folder exists (only the
    default `data/` of the current directory is created, as on a fresh checkout) and can be written,
    with the data folder. Not through locate(), which reads the catalog's first bytes."""
    if str(db).startswith(POSTGRES_PREFIX):
        return
    path = Path(db).absolute()
    data_path, label = path.with_name(path.name + ".files"), str(db)
    folder = path.parent
    if not folder.is_dir():
        if folder.exists():
            raise FolderUnusable(f"{folder} no es una carpeta: indique otra base de datos con --db ARCHIVO.")
        if folder != Path(DEFAULT_DATA_PATH).parent.absolute():
            raise FolderUnusable(f"No existe la carpeta {folder} de la base de datos {label}: créela, o "
                                 f"indique otra con --db ARCHIVO.")
        return
    for place in (folder, data_path):
        if place.exists() and not os.access(place, os.W_OK | os.X_OK):
            raise FolderUnusable(f"No se puede escribir en {place} (solo lectura) y la base de datos "
                                 f"{label} debe escribirse ahí: indique otra con --db ARCHIVO.")


@dataclass(frozen=True)
class Location:
    """The three things a warehouse is: its catalog, its Parquet folder, its search index."""

    catalog: str              # DuckLake's form: 'sqlite:/abs/monitor.ducklake' or 'postgres:dbname=...'
    data_path: Path           # the Parquet files
    search_path: Path         # the full-text index (a DuckDB file rebuilt beside the data)
    label: str                # how messages name it

    @property
    def is_postgres(self) -> bool:
        return self.catalog.startswith(POSTGRES_PREFIX)

    @property
    def sqlite_file(self) -> Path | None:
        return None if self.is_postgres else Path(self.catalog.removeprefix("sqlite:"))

    def exists(self) -> bool:
        return self.is_postgres or self.sqlite_file.exists()


# Descriptors of catalog files whose first bytes this process has read, kept open for good.
# Closing any descriptor of a file drops every POSIX lock this process holds on it, and SQLite
# keeps a shared lock on the catalog for as long as a connection has it open: that lock is how
# another process closing the last connection knows it may checkpoint and delete the WAL and its
# index. Dropped, that process deletes them under the readers and writers still using them
# ("database disk image is malformed", "disk I/O error", seen by the desk while a crawl loaded).
_HEADER_FDS: dict[tuple[int, int], int] = {}


def _header(path: Path, size: int) -> bytes:
    """The first `size` bytes of a file, read without ever closing a descriptor of it (see above)."""
    try:
        st = os.stat(path)
    except OSError:
        return b""
    fd = _HEADER_FDS.get((st.st_dev, st.st_ino))
    if fd is None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return b""
        opened = os.fstat(fd)
        key = (opened.st_dev, opened.st_ino)
        if key in _HEADER_FDS:                 # replaced between stat and open: keep both open
            fd = _HEADER_FDS[key]
        else:
            _HEADER_FDS[key] = fd
    try:
        return os.pread(fd, size, 0)
    except OSError:
        return b""


def is_duckdb_file(path: Path) -> bool:
    return _header(path, 12)[8:12] == DUCKDB_MAGIC


def locate(db: str | Path) -> Location:
    """The warehouse named by `--db`: a catalog file path, or `postgres:<libpq string>`."""
    text = str(db)
    if text.startswith(POSTGRES_PREFIX):
        data = Path(os.environ.get(DATA_PATH_ENV) or DEFAULT_DATA_PATH).absolute()
        return Location(text, data, data.with_name(data.name + ".search.duckdb"), "PostgreSQL")
    path = Path(text).absolute()
    if is_duckdb_file(path):
        raise LegacyDatabase(
            f"{db} es una base de la versión anterior (un solo archivo DuckDB). Pásela al almacén nuevo con: "
            f"prodesc-monitor migrate --from {db} --db {Path(text).with_suffix('.ducklake')}")
    return Location(f"sqlite:{path}", path.with_name(path.name + ".files"),
                    path.with_name(path.name + ".search.duckdb"), str(db))


def extension_path(name: str) -> str:
    """The extension file shipped by the `duckdb-extension-<name>` package for this DuckDB."""
    package = "duckdb_extension_" + name
    path = Path(sysconfig.get_paths()["purelib"]) / package / "extensions" / EXTENSION_VERSION / f"{name}.duckdb_extension"
    if not path.exists():
        try:
            module = __import__(package)
        except ImportError:
            raise ConfigError(f"Falta la extensión {name} de DuckDB (paquete {package.replace('_', '-')}): "
                              f"reinstale con pip install -e .") from None
        path = Path(module.__file__).parent / "extensions" / EXTENSION_VERSION / f"{name}.duckdb_extension"
    return str(path)


def engine(location: Location | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake's extensions loaded, never downloading anything
    (the PostgreSQL client, 40 MB, only for a PostgreSQL catalog)."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    catalog = "postgres_scanner" if location is not None and location.is_postgres else "sqlite_scanner"
    for name in (catalog, "ducklake", "fts"):
        con.load_extension(extension_path(name))
    return con


def sql_string(value: str | Path) -> str:
    """A SQL string literal (quotes doubled): for paths in ATTACH and COPY, which take no parameters."""
    return "'" + str(value).replace("'", "''") + "'"


def _is_wal(path: Path) -> bool:
    """Whether a SQLite file is in WAL mode, read from its header (bytes 18-19 are 2), not through SQLite."""
    header = _header(path, 20)
    return len(header) == 20 and header[:16] == b"SQLite format 3\0" and header[18:20] == b"\x02\x02"


def prepare_catalog(location: Location) -> None:
    """Create the SQLite catalog file in WAL mode (once; WAL is a property of the file).

    Python's sqlite3 opens the file only when it is new or not yet in WAL mode, never on every
    connect: it is a second SQLite library in the process beside DuckDB's own, and closing its
    connection drops DuckDB's locks on the file (see _HEADER_FDS). Measured with a writer that
    reopened the catalog this way between its DuckDB commits: 23 of 294 commits failed with
    "database disk image is malformed"."""
    path = location.sqlite_file
    if path is None or _is_wal(path):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30)
    try:
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode=WAL")
    finally:
        db.close()


def attach_sql(location: Location, *, alias: str = "lake", read_only: bool = False,
               snapshot: int | None = None) -> str:
    """The ATTACH statement for this warehouse (also what docs/warehouse.md shows analysts)."""
    # The data folder is given on every attach, and allowed to differ from the one recorded at
    # creation: a warehouse copied elsewhere (its three parts together), or a shared folder
    # mounted at another path on another machine, still finds its files (stored relative to it).
    options = [f"DATA_PATH {sql_string(str(location.data_path) + os.sep)}", "OVERRIDE_DATA_PATH TRUE"]
    if snapshot is not None:
        options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
    if read_only or snapshot is not None:
        options.append("READ_ONLY")
    return f"ATTACH {sql_string('ducklake:' + location.catalog)} AS {alias} ({', '.join(options)})"


def attach(con, location: Location, *, alias: str = "lake", read_only: bool = False,
           snapshot: int | None = None) -> None:
    if not read_only:
        if location.sqlite_file is not None:
            check_folder(location.sqlite_file)
        prepare_catalog(location)
        location.data_path.mkdir(parents=True, exist_ok=True)
    con.execute(attach_sql(location, alias=alias, read_only=read_only, snapshot=snapshot))


def current_snapshot(con, alias: str = "lake") -> int:
    return con.execute(f"SELECT id FROM {alias}.current_snapshot()").fetchone()[0]


def location_of(con, alias: str = "lake") -> Location:
    """The Location a connection opened (from DuckDB's own record of what is attached)."""
    catalog = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = ?", [alias]).fetchone()[0]
    data = Path(con.execute(f"SELECT value FROM {alias}.options() WHERE option_name = 'data_path'").fetchone()[0])
    if catalog.startswith(POSTGRES_PREFIX):
        return Location(catalog, data, data.with_name(data.name + ".search.duckdb"), "PostgreSQL")
    path = Path(catalog.removeprefix("sqlite:"))
    return Location(catalog, data, path.with_name(path.name + ".search.duckdb"), str(path))
