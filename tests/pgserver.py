"""A real, throwaway PostgreSQL server for the tests of the PostgreSQL catalog (issue 14).

`postgres_server()` finds the server binaries (`pg_config --bindir`, else Debian's
`/usr/lib/postgresql/<version>/bin`), runs `initdb -A trust` into a new temporary folder,
starts `postgres` on 127.0.0.1 on a free port (its unix socket in the same folder, never
/var/run/postgresql), yields the server and stops it (`pg_ctl stop -m immediate`) and
removes the folder afterwards, also when the test failed. A server whose test process was
killed before that is stopped by the next run (`reap_orphans`).

PostgreSQL refuses to run as root: as root, the commands run as the `postgres` user
(which Debian's `postgresql` package creates) through `runuser`, and the folder, made
outside pytest's private /tmp/pytest-of-root, is given to that user.

Without the binaries the tests skip with the reason; with `PRODESC_REQUIRE_POSTGRES=1`
(set by .ci/run, which installs the package) the same reason is a failure instead.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_ENV = "PRODESC_REQUIRE_POSTGRES"
RUN_AS = "postgres"                     # Debian's package creates this user


class PostgresUnavailable(Exception):
    """PostgreSQL is not there to run (no binaries, no user to run them as); the message says why."""


class PostgresFailed(Exception):
    """PostgreSQL is installed but did not start or answer: an error, never a skip."""


def unavailable(reason: str):
    """Skip with the reason, or fail with it where PostgreSQL is required (CI)."""
    message = f"PostgreSQL is not installed (Debian package postgresql): {reason}"
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
        pytest.fail(f"{message} (and {REQUIRE_ENV} is set: this test must run)", pytrace=False)
    pytest.skip(message)


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres, or PostgresUnavailable."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.TimeoutExpired):
            pass
    # Debian: /usr/lib/postgresql/<major>/bin, newest first (pg_config may come from libpq-dev alone)
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                    key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    candidates += debian
    for directory in candidates:
        if all((directory / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    looked = ", ".join(str(c) for c in candidates) or "no pg_config, no /usr/lib/postgresql/*/bin"
    raise PostgresUnavailable(f"no initdb/pg_ctl/postgres found (looked in: {looked})")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    root: Path                  # the temporary folder: data/, the socket, the log
    port: int = 0
    as_root: bool = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def dsn(self, dbname: str = "postgres") -> str:
        """The libpq connection string (TCP on loopback, as another machine would connect)."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def db(self, dbname: str) -> str:
        """What `--db` takes for a warehouse whose catalog is this server's database `dbname`."""
        return "postgres:" + self.dsn(dbname)

    def _command(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bindir / tool), *args]
        return ["runuser", "-u", RUN_AS, "--", *command] if self.as_root else command

    def run(self, tool: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        out = subprocess.run(self._command(tool, *args), capture_output=True, text=True, timeout=timeout,
                             cwd=self.root)
        if out.returncode != 0:
            raise PostgresFailed(f"{tool} {' '.join(args)} failed ({out.returncode}): "
                                      f"{(out.stderr or out.stdout).strip()[-2000:]}{self._log_tail()}")
        return out

    def _log_tail(self) -> str:
        try:
            return "\nserver log:\n" + self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def initdb(self) -> None:
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--locale=C", "--no-sync", timeout=120)

    def start(self, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.port = free_port()     # another process may take it meanwhile: then try another
            options = (f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c synchronous_commit=off "
                       f"-c full_page_writes=off -c max_connections=40")
            try:
                self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30",
                         "start", timeout=60)
                return
            except PostgresFailed:
                self.stop()
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        subprocess.run(self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop"),
                       capture_output=True, text=True, timeout=60, cwd=self.root)

    def createdb(self, name: str) -> str:
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.db(name)

    def psql(self, dbname: str, sql: str) -> str:
        return self.run("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", "postgres", "-d", dbname, "-c", sql).stdout.strip()


OWNER_FILE = "owner.pid"         # the test process that started the server in this folder
PREFIX = "prodesc-pg-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans(bindir: Path, as_root: bool) -> list[Path]:
    """Stop and remove the servers of earlier test runs that were killed before their cleanup
    (SIGKILL, a lost CI job): their folder names a test process that no longer exists."""
    reaped = []
    for root in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue                      # being set up right now, or not ours
        if _alive(owner):
            continue
        PostgresServer(bindir, root, as_root=as_root).stop()
        shutil.rmtree(root, ignore_errors=True)
        reaped.append(root)
    return reaped


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a throwaway server. PostgresUnavailable (with the reason) when PostgreSQL is not
    installed here; PostgresFailed when it is but did not start."""
    bindir = find_bindir()
    as_root = os.geteuid() == 0
    if as_root:
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root and there is no runuser to start the server as postgres")
        try:
            import pwd
            user = pwd.getpwnam(RUN_AS)
        except KeyError:
            raise PostgresUnavailable(f"running as root and there is no '{RUN_AS}' user "
                                      f"(Debian's postgresql package creates it)") from None
    reap_orphans(bindir, as_root)
    # Not under tmp_path: pytest's /tmp/pytest-of-root is 0700, the postgres user could not enter it.
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    server = PostgresServer(bindir, root, as_root=as_root)
    try:
        (root / OWNER_FILE).write_text(str(os.getpid()))
        if as_root:
            os.chown(root, user.pw_uid, user.pw_gid)
        server.initdb()
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
