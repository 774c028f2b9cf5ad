"""Issue 17: every crawl's summary counts what that crawl fetched and stored, and nothing else.

Several crawls may run on one warehouse at once (issue 14 made that safe for the data). What
issue 17 found is what people were told: a second crawl, whose 30 staged pages the first one's
loader had picked up, reported "0 páginas descargadas … 0 apariciones" and exited 0, and the
first one counted those pages as its own. Now a crawl owns its staged file while it runs (a lock
beside it, `flows.steps.owning`): no other loader takes it, the crawl loads and counts it itself,
and pages other runs left behind (a killed crawl) are counted apart and said apart.

The real command (`python -m flows.cli crawl` / `load`) in subprocesses against the demo's sample
web over real HTTP (tests/reliability/test_child_processes.py has the helpers). The moment that
went wrong, another loader running while a crawl's Scrapy has finished but before its own loader
started, is made certain instead of hoped for: the crawl's process is paused (SIGSTOP) while its
Scrapy child runs on and finishes, `load` runs, then the crawl resumes (SIGCONT), as a busy
machine would schedule it. Every loop is bounded.
"""
from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.reliability.test_child_processes import (
    CLI, REPO, SOURCES, alive, descendants, env_for, kill_all, readable_page, stat, staged_pages, start_crawl,
    wait_for_children, web,  # noqa: F401 - `web` is the fixture
)
from warehouse.db import connect


def command_process(proc: subprocess.Popen) -> int:
    """The process running the crawl itself: the command's own `flows.cli` process under its
    watcher (flows/children.py), or the started process itself when there is none."""
    inner = [pid for (pid, _), line in descendants(proc.pid).items()
             if "flows.cli crawl" in line and "flows.children" not in line]
    return inner[0] if inner else proc.pid


def scrapy_pids(proc: subprocess.Popen) -> list[int]:
    return [pid for (pid, _), line in descendants(proc.pid).items() if "scrapy crawl monitor" in line]


def headline_pages(output: str) -> int:
    found = re.search(r"Recorrido \S+: (\d+) páginas? descargadas?", output)
    assert found, output[-3000:]
    return int(found.group(1))


def finish(proc: subprocess.Popen, log: Path, timeout: float = 300) -> str:
    proc.wait(timeout)
    out = log.read_text()
    assert proc.returncode == 0, out[-3000:]
    return out


def recorded_load(db: Path, run_id: str) -> dict:
    """What `crawl_runs` holds for the run: its stats, as the crawl recorded them."""
    con = connect(db, read_only=True)
    try:
        (details,) = con.execute("SELECT stats FROM crawl_runs WHERE run_id = ?", [run_id]).fetchone()
    finally:
        con.close()
    return json.loads(details) if isinstance(details, str) else details


def test_a_crawls_pages_are_loaded_and_counted_by_that_crawl(tmp_path, web):  # noqa: F811
    """`load` runs while a crawl's Scrapy has finished staging but its own loader has not begun.
    Before issue 17, `load` stored the crawl's pages and the crawl then said "0 páginas
    descargadas". Now `load` leaves them (their crawl is alive) and the crawl stores and counts them."""
    db, log = tmp_path / "m.ducklake", tmp_path / "crawl.log"
    staging = db.parent / "staging"
    proc = start_crawl(db, web, log=log)
    recorded, paused = {}, None
    try:
        recorded = wait_for_children(proc, log, ("scrapy crawl monitor",))
        paused = command_process(proc)
        scrapy = scrapy_pids(proc)
        assert scrapy
        os.kill(paused, signal.SIGSTOP)           # the crawl waits on its Scrapy child: pause it there
        deadline = time.monotonic() + 180
        while any((st := stat(pid)) and st[0] != "Z" for pid in scrapy):   # Scrapy runs on and ends
            assert time.monotonic() < deadline, "Scrapy did not finish within 180 s"
            time.sleep(0.1)
        (staged,) = staging.glob("*.jsonl")
        run_id, pages = staged.stem, staged_pages(staging)
        assert pages > 0
        other = subprocess.run(CLI + ["load", "--sources", str(SOURCES), "--db", str(db)], cwd=REPO,
                               env=env_for(web), capture_output=True, text=True, timeout=300)
        assert other.returncode == 0, other.stdout + other.stderr
        os.kill(paused, signal.SIGCONT)
        paused = None
        out = finish(proc, log)
    finally:
        if paused:
            os.kill(paused, signal.SIGCONT)
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        kill_all(recorded)
    assert "Páginas pendientes guardadas: 0 páginas" in other.stdout, other.stdout
    assert f"Recolecciones en curso en este almacén ({run_id}): cada una guardará" in other.stdout, other.stdout
    assert headline_pages(out) == pages, out
    assert f"Recorrido {run_id}:" in out
    assert recorded_load(db, run_id)["load"]["pages"] == pages
    assert staged_pages(staging / "loaded") == pages
    assert not list(staging.glob("*.jsonl")) and not list(staging.glob("*.owner"))


def test_pages_left_by_a_killed_crawl_are_stored_by_the_next_and_counted_apart(tmp_path, web):  # noqa: F811
    """A crawl killed with -9 (with all its processes, as a power cut) left staged pages; the next
    crawl stores them and says so on a line of their own, but its headline and its table count
    only the pages it fetched itself. Before issue 17 the headline added the two."""
    db = tmp_path / "m.ducklake"
    staging = db.parent / "staging"
    first_log = tmp_path / "first.log"
    first = start_crawl(db, web, log=first_log)
    recorded = {}
    try:
        recorded = wait_for_children(first, first_log, ("scrapy crawl monitor",))
        deadline = time.monotonic() + 120
        while staged_pages(staging) < 3:
            assert first.poll() is None, first_log.read_text()[-3000:]
            assert time.monotonic() < deadline, "nothing staged within 120 s"
            time.sleep(0.1)
        recorded.update(descendants(first.pid))
        first.kill()
        kill_all(recorded)
        first.wait(10)
        deadline = time.monotonic() + 10
        while alive(recorded) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
        kill_all(recorded)
    (left,) = staging.glob("*.jsonl")
    left_pages = staged_pages(staging)
    second_log = tmp_path / "second.log"
    out = finish(start_crawl(db, web, log=second_log), second_log)
    own = [p for p in (staging / "loaded").glob("*.jsonl") if p.stem != left.stem]
    assert len(own) == 1
    own_pages = sum(1 for line in own[0].read_bytes().splitlines() if readable_page(line))
    assert headline_pages(out) == own_pages, out
    assert (f"Además se guardaron {left_pages} páginas que otras corridas habían dejado pendientes ({left.stem})"
            in out), out
    details = recorded_load(db, own[0].stem)
    assert details["load"]["pages"] == own_pages
    assert details["leftovers"][left.stem]["pages"] == left_pages
    table_pages = sum(int(m.group(1)) for m in re.finditer(r"^\S.*?\s{2,}(\d+)\s+\d+\s+\d+", out, re.M))
    assert table_pages == own_pages, out


# ---------------------------------------------------------------------------- a catalog held by another program

HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":        # no reader gets in either (a program in SQLite's exclusive locking mode)
    db.execute("PRAGMA locking_mode=EXCLUSIVE")
# "reader": a reading transaction (an analyst's session, the desk), which keeps later commits in the -wal file
db.execute("BEGIN" if sys.argv[2] == "reader" else "BEGIN EXCLUSIVE")
db.execute("SELECT count(*) FROM sqlite_master").fetchone()
print("held", flush=True)
sys.stdin.read()                      # until the test closes our stdin
db.execute("ROLLBACK")
"""


def hold(db: Path, how: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), how], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def release(holder: subprocess.Popen) -> None:
    if holder.poll() is None:
        holder.stdin.close()
        holder.wait(30)


def first_line(stream, timeout: float) -> str:
    """The first line on a pipe, waiting at most `timeout` seconds."""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        assert sel.select(timeout), f"nothing said within {timeout} s"
    return stream.readline()


def test_a_command_waiting_for_the_catalog_says_at_once_what_for_and_how_long_at_most(tmp_path):
    """`tally` while another program holds the catalog exclusively: before issue 17 it said
    "está ocupado; esperando..." and nothing about how long (up to five minutes). Now its first
    line, at once, says what it waits for and the most it will wait; it goes on when released."""
    db = tmp_path / "m.ducklake"
    connect(db).close()
    holder = hold(db, "exclusive")
    try:
        tally = subprocess.Popen(CLI + ["tally", "--year", "2026", "--db", str(db)], cwd=REPO, env=env_for(""),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = first_line(tally.stderr, 30)
        release(holder)
        out, rest = tally.communicate(timeout=120)
    finally:
        release(holder)
    assert said.strip() == (f"El catálogo de {db} está ocupado por otro programa: se espera a que lo libere, "
                            "5 min como máximo..."), said
    assert tally.returncode == 0, said + rest
    assert "apariciones en medios" in out


def test_a_crawl_stopped_by_a_held_catalog_says_one_line_and_keeps_its_pages(tmp_path, web):  # noqa: F811
    """Issue 17 (4): a crawl that stops because another program keeps the catalog says one line
    (no Prefect traceback before it) on Prefect's temporary server, the default, exits 3, and its
    staged pages wait for the next run."""
    db = tmp_path / "m.ducklake"
    connect(db).close()
    holder = hold(db, "writers")
    log = tmp_path / "crawl.log"
    try:
        env = {k: v for k, v in env_for(web).items() if k not in ("PREFECT_API_URL", "PRODESC_MONITOR_DEBUG")}
        env["PRODESC_MONITOR_WRITE_PATIENCE"] = "1"        # not two minutes in a test
        with open(log, "w") as out:
            crawl = subprocess.run(CLI + ["crawl", "--sources", str(SOURCES), "--db", str(db)], cwd=REPO, env=env,
                                   stdout=out, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        release(holder)
    lines = [line for line in crawl.stderr.splitlines() if line.strip()]
    assert crawl.returncode == 3, crawl.stderr
    assert len(lines) == 1 and "ocupado" in lines[0] and "sigue en espera" in lines[0], crawl.stderr
    assert staged_pages(db.parent / "staging") > 0


def test_backup_keeps_what_was_committed_a_moment_ago_while_the_catalog_is_open(tmp_path):
    """docs/operations.md: never copy the catalog file by hand. A run recorded a moment ago, while
    another program reads the catalog, lives in the catalog's -wal file: a copy of the catalog file
    (and its data folder) lacks it; `prodesc-monitor backup` has it, and the copy opens on its own."""
    import shutil
    from datetime import datetime, timezone

    from warehouse.db import transactions
    from warehouse.load import record_run

    db = tmp_path / "m.ducklake"
    connect(db).close()
    reader = hold(db, "reader")
    writer = connect(db)
    try:
        for txn in transactions(writer, who="test"):
            with txn:
                record_run(writer, "recorded-a-moment-ago", datetime.now(timezone.utc), "sources.yaml", None, None,
                           "ok", {})
        wal = db.with_name(db.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        by_hand = tmp_path / "by-hand"
        by_hand.mkdir()
        shutil.copy2(db, by_hand / db.name)
        shutil.copytree(db.with_name(db.name + ".files"), by_hand / (db.name + ".files"))
        done = subprocess.run(CLI + ["backup", "--db", str(db), "--to", str(tmp_path / "backup")], cwd=REPO,
                              env=env_for(""), capture_output=True, text=True, timeout=120)
    finally:
        writer.close()
        release(reader)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Respaldo hecho: el catálogo en "), done.stdout

    def runs(path: Path) -> list:
        con = connect(path, read_only=True)
        try:
            return [r[0] for r in con.execute("SELECT run_id FROM crawl_runs").fetchall()]
        finally:
            con.close()

    assert runs(tmp_path / "backup" / db.name) == ["recorded-a-moment-ago"]
    assert runs(by_hand / db.name) == []      # what a copy of the file loses
