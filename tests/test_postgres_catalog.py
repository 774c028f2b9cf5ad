"""The warehouse on a PostgreSQL catalog (issue 14, several machines): a real server (tests/pgserver.py).

Two loaders in two processes create the warehouse on an empty catalog, then load overlapping
batches at the same moment, as two machines would; the result must be what one loader alone
gives on a SQLite catalog: the same appearances, one row per article, the views and the
search index working. A reader that keeps a transaction open must not stop a writer. The
search index of the loader that read the lake last is the one kept. The crawl steps and the
reading commands take `--db postgres:...` for the warehouse it is (not a missing file).

Run as a script, this file is one loader (the tests start two): see `loader_main`.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
if str(TESTS) not in sys.path:          # the loader processes run this file as a script
    sys.path.insert(0, str(TESTS))
N_ARTICLES = 60
BATCH = 4
# Loader A has articles 0..39, loader B 20..59: 20..39 are loaded by both, B spelling their URLs
# differently (https, trailing slash), which must still make one row each. Both start with the
# shared ones, in the same order: their first batches insert the same new articles at the same
# moment (the race the writers' turn is there for), then each goes on with its own.
SHARED = list(range(20, 40))
SLICES = {"A": SHARED + list(range(0, 20)), "B": SHARED + list(range(40, 60))}
SYNDICATED = (5, 46)          # one story in two outlets, loaded one by each loader
OUTLETS = [("Diario Uno", "www.diariouno.example"), ("Nacional Dos", "nacionaldos.example"),
           ("la-lista.example", "la-lista.example")]
THEMES = ["institutional", "labour", "defenders", "land_territory"]


# ------------------------------------------------------------------ the articles both loaders share

def _fingerprint(seed: str) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()[:16]


def tagged(i: int, spelling: str = "A"):
    """Article i as loader `spelling` sees it (B spells the URL differently; same article)."""
    from test_warehouse import FakeTags, article

    from pipelines.records import FetchedPage, Tagged

    outlet, host = OUTLETS[i % 3]
    text = f"ProDESC acompaña el caso número {i}. " * 12
    if i % 4 == 0:
        text += "La comunidad de Unión Hidalgo exige consulta. " * 3
    fingerprint = _fingerprint(f"article {i}")
    if i in SYNDICATED:
        outlet, host = OUTLETS[SYNDICATED.index(i)]
        text, fingerprint = "Comuneros exigen reconocimiento de sus tierras ante el tribunal agrario. " * 8, \
            _fingerprint("syndicated")
    url = f"http://{host}/nota-{i}"
    if spelling == "B":
        url = f"https://{host}/nota-{i}/"
    a = replace(article(url, outlet=outlet, day=date(2023, 1, 2) + timedelta(days=23 * i), text=text,
                        fingerprint=fingerprint), url_key=f"{host}/nota-{i}")
    tags = FakeTags(is_appearance=i % 7 != 3, theme=THEMES[i % 4] if i % 7 != 3 else None,
                    mentions=(FakeTags().mentions if i % 7 != 3 else ()))
    page = FetchedPage(url=url, final_url=url, status=200, content_type="text/html", body=text.encode(),
                       discovered_via="feed", source_url="f", listed_at=None, listed_title=None,
                       fetched_at="2026-11-28T00:00:00+00:00")
    return Tagged(a, tags), page


def batches(which: str, size: int = BATCH):
    indices = list(SLICES[which])
    for start in range(0, len(indices), size):
        items = [tagged(i, which) for i in indices[start:start + size]]
        yield [t for t, _ in items], {t.article.raw_sha1: p for t, p in items}


def load_all(con, which: str, run_id: str) -> None:
    """One loader's slice in one batch (the result does not depend on the batching; it is faster)."""
    from warehouse.load import load_batch
    for ts, pages in batches(which, size=len(SLICES[which])):
        load_batch(con, ts, pages, [], run_id, "kb1")


# ------------------------------------------------------------------ one loader process

def _signal(sync: Path, name: str) -> None:
    (sync / name).touch()


def _wait_for(sync: Path, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not (sync / name).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"no {name} within {timeout:.0f} s")
        time.sleep(0.005)


def loader_main(db: str, which: str, sources: str, sync: str) -> None:
    """One machine's loader, in steps the test starts all at once in both loaders: open the
    (new, empty) warehouse, which creates it; load the registry's outlets and this loader's
    batches (the outlets first, as `flows.steps.process_staged` does); rebuild the search index.
    Writes what it measured to <sync>/<which>.json."""
    import logging

    from pipelines.registry import load_registry
    from warehouse.db import connect
    from warehouse.load import load_batch, load_outlets
    from warehouse.search import rebuild_index

    sync = Path(sync)
    conflicts, waits = [], []

    class Count(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            if message.startswith("write conflict"):
                conflicts.append(message)
            elif "ocupado" in message:
                waits.append(message)

    db_log = logging.getLogger("warehouse.db")
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(Count())
    registry = load_registry(Path(sources))
    work = list(batches(which))                   # built beforehand: only the warehouse work is timed
    _signal(sync, f"{which}.up")
    _wait_for(sync, "open")
    opening = time.time()
    con = connect(db, say=waits.append)
    opened = time.time()
    _signal(sync, f"{which}.open")
    _wait_for(sync, "load")
    started = time.time()
    load_outlets(con, registry, {"la-lista.example"})
    for ts, pages in work:
        load_batch(con, ts, pages, [], f"run-{which}", "kb1")
    loaded = time.time()
    rebuild_index(con)
    con.close()
    (sync / f"{which}.json").write_text(json.dumps({
        "loader": which, "open_s": opened - opening, "waited_to_open": len(waits), "started": started,
        "loaded": loaded, "finished": time.time(), "batches": len(work), "conflicts": len(conflicts)}))


# ------------------------------------------------------------------ what is compared

# Appearances keyed by url_key: which spelling of an article shared by both loaders is kept
# depends on which committed first; everything else must be identical.
APPEARANCES = """
    SELECT ar.url_key, ap.* EXCLUDE (url, syndication_group), sg.url_key AS syndication_key
    FROM appearances AS ap JOIN articles AS ar ON ar.url = ap.url
    LEFT JOIN articles AS sg ON sg.url = ap.syndication_group
    ORDER BY ALL"""


def snapshot_of(con) -> dict:
    from warehouse.search import search
    keys = dict(con.execute("SELECT url, url_key FROM articles").fetchall())
    return {
        "appearances": con.execute(APPEARANCES).fetchall(),
        "weekly": con.execute("SELECT * FROM weekly_counts ORDER BY ALL").fetchall(),
        "yearly": con.execute("SELECT * FROM yearly_tally ORDER BY ALL").fetchall(),
        "hidalgo": sorted(keys[row[4]] for row in search(con, "Hidalgo", limit=100)),
    }


def _child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def _wait_all(procs, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            raise


# ------------------------------------------------------------------ the tests

def test_two_loaders_at_once_on_postgres_equal_one_loader_on_sqlite(pg_warehouse, tmp_path, registry,
                                                                   registry_file):
    from warehouse.db import MIGRATIONS, connect
    from warehouse.load import load_outlets
    from warehouse.search import rebuild_index
    from warehouse.tally import tally

    # Two machines start on an empty catalog at the same moment: both create the warehouse, then
    # (each waiting for the other to be open) both load at the same moment.
    sync = tmp_path / "sync"
    sync.mkdir()
    procs = {w: subprocess.Popen([sys.executable, __file__, pg_warehouse, w, str(registry_file), str(sync)],
                                 cwd=REPO, env=_child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for w in SLICES}
    try:
        for step, then in (("up", "open"), ("open", "load")):
            deadline = time.monotonic() + 60
            while not all((sync / f"{w}.{step}").exists() for w in SLICES):
                dead = [w for w, p in procs.items() if p.poll() is not None]
                assert not dead, f"loader {dead[0]} ended before '{step}':\n{procs[dead[0]].stdout.read()}"
                assert time.monotonic() < deadline, f"loaders not '{step}' within 60 s"
                time.sleep(0.01)
            _signal(sync, then)
        _wait_all(list(procs.values()), 120)
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
    for w, p in procs.items():
        assert p.returncode == 0, f"loader {w} failed:\n{p.stdout.read()}"
    report = {w: json.loads((sync / f"{w}.json").read_text()) for w in SLICES}
    # The loads really overlapped in time (otherwise this test proves nothing about concurrency).
    assert report["A"]["started"] < report["B"]["loaded"] and report["B"]["started"] < report["A"]["loaded"], report
    for w, r in report.items():
        print(f"loader {w}: opened the new warehouse in {r['open_s']:.2f} s (waited: {r['waited_to_open']}), "
              f"{r['batches']} batches in {r['loaded'] - r['started']:.2f} s, {r['conflicts']} commit conflicts "
              f"retried, index rebuilt in {r['finished'] - r['loaded']:.2f} s")

    # One loader alone, the same batches, on a SQLite catalog: the reference.
    ref = connect(tmp_path / "reference.ducklake")
    try:
        load_outlets(ref, registry, {"la-lista.example"})
        for which in SLICES:
            load_all(ref, which, f"run-{which}")
        rebuild_index(ref)
        expected = snapshot_of(ref)
        expected_tally = tally(ref, 2024)
    finally:
        ref.close()

    con = connect(pg_warehouse, read_only=True)
    try:
        # Both created the warehouse: each migration once, each outlet once.
        migrations = len(list(MIGRATIONS.glob("*.sql")))
        assert con.execute("SELECT count(*), count(DISTINCT version) FROM schema_migrations").fetchone() == \
            (migrations, migrations)
        assert con.execute("SELECT count(*) = count(DISTINCT name) FROM outlets").fetchone()[0]
        # One row per article, although both loaders inserted 20 of them (in two spellings).
        assert con.execute("SELECT count(*), count(DISTINCT url_key), count(DISTINCT url) FROM articles").fetchone() \
            == (N_ARTICLES, N_ARTICLES, N_ARTICLES)
        assert con.execute("SELECT count(*) = count(DISTINCT (article_url, seq)) FROM mentions").fetchone()[0]
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == \
            sum(1 for i in range(N_ARTICLES) if i % 7 != 3)
        assert con.execute("SELECT count(*) = count(DISTINCT sha1) FROM raw_pages").fetchone()[0]
        got = snapshot_of(con)
        assert len(got["appearances"]) == sum(1 for i in range(N_ARTICLES) if i % 7 != 3)
        assert got["appearances"] == expected["appearances"]
        assert got["weekly"] == expected["weekly"] and got["weekly"]
        assert got["yearly"] == expected["yearly"] and got["yearly"]
        assert tally(con, 2024) == expected_tally
        # The story loaded half by each loader is linked across them.
        assert {row[-1] for row in got["appearances"] if row[0].endswith(("nota-5", "nota-46"))} == \
            {"www.diariouno.example/nota-5"}
        # The search index (rebuilt by both loaders at the end) has every article.
        hidalgo = sorted(f"{OUTLETS[i % 3][1]}/nota-{i}" for i in range(N_ARTICLES) if i % 4 == 0
                         and i not in SYNDICATED)
        assert got["hidalgo"] == expected["hidalgo"] == hidalgo
    finally:
        con.close()


WRITER = """
import sys, time
sys.path.insert(0, sys.argv[2])
from test_postgres_catalog import tagged
from warehouse.db import connect
from warehouse.load import load_batch
con = connect(sys.argv[1])
t, page = tagged(7)
started = time.monotonic()
load_batch(con, [t], {t.article.raw_sha1: page}, [], "writer", "kb1")
print(f"{time.monotonic() - started:.3f}")
"""


def test_a_reader_with_an_open_transaction_does_not_stop_a_writer(pg_warehouse):
    from warehouse.db import connect

    connect(pg_warehouse).close()
    reader = connect(pg_warehouse, read_only=True)
    try:
        reader.execute("BEGIN TRANSACTION")
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        # Another process writes while the reader's transaction stays open; were it blocked, it
        # would hang: the timeout turns that into a failure.
        out = subprocess.run([sys.executable, "-c", WRITER, pg_warehouse, str(TESTS)], cwd=REPO, env=_child_env(),
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        print(f"writer committed in {float(out.stdout.split()[-1]):.2f} s beside an open reader")
        assert float(out.stdout.split()[-1]) < 20
        # The reader keeps its snapshot until its transaction ends, then sees the new row.
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    finally:
        reader.close()


def test_an_index_copied_before_another_loaders_commit_never_replaces_its_newer_index(pg_warehouse, monkeypatch):
    """Loader A copies the lake for its index; before A renames its file, loader B commits one more
    article and swaps in its own index. A's older file must not then replace B's."""
    from warehouse import search as search_module
    from warehouse.db import connect
    from warehouse.load import load_batch

    a, b = connect(pg_warehouse), connect(pg_warehouse)
    try:
        (t0, p0), (t4, p4) = tagged(0), tagged(4)            # both speak of Unión Hidalgo
        load_batch(a, [t0], {t0.article.raw_sha1: p0}, [], "a", "kb1")
        real_swap = search_module._swap_in

        def b_gets_there_first(tmp, final, snapshot):
            monkeypatch.setattr(search_module, "_swap_in", real_swap)
            load_batch(b, [t4], {t4.article.raw_sha1: p4}, [], "b", "kb1")
            search_module.rebuild_index(b)
            return real_swap(tmp, final, snapshot)

        monkeypatch.setattr(search_module, "_swap_in", b_gets_there_first)
        search_module.rebuild_index(a)
        assert sorted(row[4] for row in search_module.search(a, "Hidalgo")) == sorted([t0.article.url, t4.article.url])
    finally:
        a.close()
        b.close()


def test_the_crawl_steps_know_a_postgres_warehouse_is_there(pg_warehouse, tmp_path):
    """A `postgres:` catalog is no file: the steps must not take it for a warehouse not created yet
    (the spider would refetch every stored URL, the daily retag would always run)."""
    from flows.steps import stored_kb_versions, write_known
    from warehouse.db import connect
    from warehouse.lake import WarehouseMissing
    from warehouse.load import load_batch

    with pytest.raises(WarehouseMissing):                 # an empty database: said as for SQLite
        connect(pg_warehouse, read_only=True)
    assert write_known(pg_warehouse, tmp_path / "known.txt") is None
    assert stored_kb_versions(pg_warehouse) == set()
    con = connect(pg_warehouse)
    t, page = tagged(3)
    load_batch(con, [t], {t.article.raw_sha1: page}, [], "r", "kb7")
    con.close()
    assert stored_kb_versions(pg_warehouse) == {"kb7"}
    assert write_known(pg_warehouse, tmp_path / "known.txt").read_text().split() == [t.article.url_key]


def test_the_analysts_commands_read_a_postgres_warehouse(pg_warehouse, capsys, tmp_path):
    """`--db postgres:...` works for the reading commands (they checked for a file and refused it)."""
    from flows.cli import main
    from warehouse.db import connect
    from warehouse.load import load_batch
    from warehouse.search import rebuild_index

    con = connect(pg_warehouse)
    items = [tagged(i) for i in (0, 1, 4)]
    load_batch(con, [t for t, _ in items], {t.article.raw_sha1: p for t, p in items}, [], "r", "kb1")
    rebuild_index(con)
    con.close()
    capsys.readouterr()
    assert main(["sql", "--db", pg_warehouse, "-c", "SELECT count(*) AS n FROM appearances", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": 3}]
    assert main(["search", "--db", pg_warehouse, "Hidalgo"]) == 0
    out = capsys.readouterr().out
    assert "nota-0" in out and "nota-4" in out and "nota-1" not in out
    # The weekly report names the warehouse without its connection string (it may hold a password).
    from flows.report.weekly import write_weekly_report
    html = write_weekly_report(pg_warehouse + " password=not-in-reports", tmp_path, week="2023-W01")[0]
    text = Path(html).read_text(encoding="utf-8")
    assert "PostgreSQL" in text and "not-in-reports" not in text and "127.0.0.1" not in text


def test_without_postgresql_the_tests_skip_or_fail_when_required(monkeypatch):
    """The skip says why, and under PRODESC_REQUIRE_POSTGRES=1 (CI) it is a failure instead."""
    from pgserver import unavailable

    monkeypatch.delenv("PRODESC_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Debian package postgresql"):
        unavailable("no initdb")
    monkeypatch.setenv("PRODESC_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="must run"):
        unavailable("no initdb")


if __name__ == "__main__":
    loader_main(*sys.argv[1:5])
