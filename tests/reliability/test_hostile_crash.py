"""Crashes and restarts: kill -9 at any point, start again, get the same database.

The crawl stages each page as one flushed JSON line; a torn last line is skipped and
counted; staged files are loaded until marked loaded, and loads are idempotent. So a
crawl or a load killed with SIGKILL and run again must end with exactly the
appearances of an uninterrupted run: none lost, none counted twice.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path


from warehouse.db import connect as open_warehouse
import pytest

from flows.demo.sampleweb import serving
from flows.steps import LOCAL_SERVER_SETTINGS, crawl, fetch, load_staged, pending_staged, staging_dir_for

SAMPLE = Path(__file__).resolve().parents[2] / "flows" / "demo" / "sample_web"
SOURCES = SAMPLE / "sources.yaml"
REPO = Path(__file__).resolve().parents[2]
QUIET = lambda m: None  # noqa: E731


def appearances(db: Path) -> list[tuple]:
    con = open_warehouse(db, read_only=True)
    try:
        return con.execute("SELECT url, theme, reach, published_date FROM appearances ORDER BY ALL").fetchall()
    finally:
        con.close()


def article_count(db: Path) -> tuple[int, int]:
    con = open_warehouse(db, read_only=True)
    try:
        return con.execute("SELECT count(*), count(DISTINCT url_key) FROM articles").fetchone()
    finally:
        con.close()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    db = tmp_path_factory.mktemp("whole") / "w.ducklake"
    with serving(SAMPLE / "web") as proxy:
        crawl(SOURCES, db, "2023-01-01", settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy}, say=QUIET)
    rows = appearances(db)
    assert len(rows) > 10
    return rows


def _spawn(script: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], cwd=REPO, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)   # the flow and its Scrapy child, as a power cut would
    proc.wait(30)


def _lines(staging: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in staging.glob("*.jsonl")) if staging.exists() else 0


@pytest.mark.parametrize("kill_after_lines", [3, 12])
def test_crawl_killed_mid_way_then_run_again_matches_an_uninterrupted_run(tmp_path, uninterrupted, kill_after_lines):
    db = tmp_path / "k.ducklake"
    with serving(SAMPLE / "web") as proxy:
        slow = {**LOCAL_SERVER_SETTINGS, "DOWNLOAD_DELAY": "0.15", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
        proc = _spawn(f"""
            from pathlib import Path
            from flows.steps import crawl
            crawl(Path({str(SOURCES)!r}), Path({str(db)!r}), "2023-01-01", settings={slow!r},
                  env={{"http_proxy": {proxy!r}}}, say=lambda m: None)
        """)
        deadline = time.monotonic() + 120
        while _lines(staging_dir_for(db)) < kill_after_lines:
            assert proc.poll() is None, "the crawl ended before it could be killed: " + proc.stdout.read()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        _kill(proc)
        killed_file = pending_staged(staging_dir_for(db))
        assert killed_file, "the killed crawl left its staged pages"
        crawl(SOURCES, db, "2023-01-01", settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy}, say=QUIET)
    assert appearances(db) == uninterrupted
    total, distinct = article_count(db)
    assert total == distinct
    assert pending_staged(staging_dir_for(db)) == []       # the killed crawl's pages were loaded too


def test_torn_last_line_is_skipped_and_counted(tmp_path, uninterrupted):
    """A kill in the middle of a write leaves half a line: counted, and the page is fetched again."""
    db = tmp_path / "t.ducklake"
    with serving(SAMPLE / "web") as proxy:
        fetch(SOURCES, db, "run1", "2023-01-01", settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy})
        staged = staging_dir_for(db) / "run1.jsonl"
        lines = staged.read_bytes().splitlines(keepends=True)
        pages = [i for i, line in enumerate(lines) if not line.startswith(b'{"kind": "feed_check"')]
        cut = pages[len(pages) // 2]
        staged.write_bytes(b"".join(lines[:cut]) + lines[cut][: len(lines[cut]) // 2])
        first = load_staged(db, SOURCES, say=QUIET)
        assert first.unreadable_lines == 1
        crawl(SOURCES, db, "2023-01-01", settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy}, say=QUIET)
    assert appearances(db) == uninterrupted


LOAD_KILLED_AFTER_COMMIT = """
    import sys, time
    from pathlib import Path
    import warehouse.load as L
    from flows.steps import load_staged
    original = L.load_batch
    def load_batch(*a, **k):
        result = original(*a, **k)
        print("BATCH COMMITTED", flush=True)
        time.sleep(60)           # killed here: committed, not yet marked loaded
        return result
    L.load_batch = load_batch
    load_staged(Path({db!r}), Path({sources!r}), say=lambda m: None)
"""

LOAD_PLAIN = """
    from pathlib import Path
    from flows.steps import load_staged
    print("START", flush=True)
    load_staged(Path({db!r}), Path({sources!r}), say=lambda m: None)
"""


def test_load_killed_then_run_again_matches_an_uninterrupted_run(tmp_path, uninterrupted):
    db = tmp_path / "l.ducklake"
    with serving(SAMPLE / "web") as proxy:
        fetch(SOURCES, db, "run1", "2023-01-01", settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy})
    # 1. killed after a batch was committed but before its file was marked loaded: loaded again, once
    proc = _spawn(LOAD_KILLED_AFTER_COMMIT.format(db=str(db), sources=str(SOURCES)))
    for line in proc.stdout:
        if "BATCH COMMITTED" in line:
            break
    _kill(proc)
    assert pending_staged(staging_dir_for(db))
    # 2. killed at an arbitrary moment (opening, migrating, tagging or loading)
    for delay in (0.5, 2.5):
        proc = _spawn(LOAD_PLAIN.format(db=str(db), sources=str(SOURCES)))
        proc.stdout.readline()
        time.sleep(delay)
        if proc.poll() is None:
            _kill(proc)
    load_staged(db, SOURCES, say=QUIET)
    assert appearances(db) == uninterrupted
    total, distinct = article_count(db)
    assert total == distinct
    assert pending_staged(staging_dir_for(db)) == []


def test_locked_database_keeps_staged_pages_and_explains(tmp_path, uninterrupted, monkeypatch):
    import multiprocessing

    from warehouse.db import DatabaseLocked, connect
    db = tmp_path / "locked.ducklake"
    with serving(SAMPLE / "web") as proxy:
        fetch(SOURCES, db, "run1", "2023-01-01", settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy})
    connect(db).close()
    import warehouse.db
    from holders import hold_catalog
    monkeypatch.setattr(warehouse.db, "WRITE_PATIENCE_S", 2)          # not 2 minutes in a test
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=hold_catalog, args=(str(db), ready, release))
    holder.start()
    said = []
    try:
        assert ready.wait(30)
        with pytest.raises(DatabaseLocked, match="sigue en espera"):
            load_staged(db, SOURCES, say=said.append)
    finally:
        release.set()
        holder.join(30)
    assert [p.name for p in pending_staged(staging_dir_for(db))] == ["run1.jsonl"]   # kept
    load_staged(db, SOURCES, say=QUIET)              # `prodesc-monitor load`, or the next run
    assert appearances(db) == uninterrupted


def test_a_crawl_killed_before_naming_its_staged_file_loses_nothing(tmp_path):
    """Killed between creating `.<name>.<pid>.new` and renaming it, a crawl leaves a hidden file:
    the next load names it (its pages are then loaded) or removes it if empty; a file whose crawl
    still holds it is left alone."""
    import fcntl

    from pipelines.staging import recover_unnamed
    (tmp_path / ".run1.jsonl.999999.new").write_text('{"kind": "page"}\n', encoding="utf-8")
    (tmp_path / ".run2.jsonl.999998.new").write_text("", encoding="utf-8")
    held = tmp_path / f".run3.jsonl.{os.getpid()}.new"
    held.write_text("", encoding="utf-8")
    with open(held, "rb") as writer:
        fcntl.flock(writer.fileno(), fcntl.LOCK_EX)
        assert recover_unnamed(tmp_path) == [tmp_path / "run1.jsonl"]
    assert (tmp_path / "run1.jsonl").read_text(encoding="utf-8") == '{"kind": "page"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == [held.name, "run1.jsonl"]
