"""`prodesc-monitor migrate`: a database of the previous storage (one DuckDB file) into the lake.

The old files are made the way the old monitor made them: with the legacy migrations
(warehouse/legacy/migrations), and, for the end-to-end test, by the previous storage's own code
(commit 8682150, taken with `git archive`) crawling the sample web and doing a desk's work."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from pipelines.vocabulary import TIMEZONE_NAME
from warehouse.db import connect
from warehouse.legacy import LEGACY_MIGRATIONS, TABLES, MigrationError, migrate_legacy

REPO = Path(__file__).resolve().parents[1]
OLD_STORAGE = "8682150"          # the last commit of the one-file storage
HERE = Path(__file__).parent

# Reasons as the tagger wrote them before they had a code, and the code legacy migration 005 gives them.
OLD_REASONS = [
    ("unambiguous name", True, "unambiguous_name"),
    ("acronym (exact capitals)", True, "acronym"),
    ("signed by (byline)", True, "byline"),
    ("same process named unambiguously (Unión Hidalgo)", True, "same_entity"),
    ("context: EDF, parque eólico; ProDESC named (score 6 >= 2)", True, "context"),
    ("look-alike: tourism", False, "lookalike_name"),
    ("look-alike: other person (Juan Ancheita)", False, "other_person"),
    ("look-alike: other person in the article (Juan Ancheita)", False, "other_person"),
    ("missing required context: one of sindicato, jornaleros", False, "missing_required"),
    ("look-alike: tourism (turistas, Tren Maya); context: ejido (score -1 < 2)", False, "lookalike_context"),
    ("named only in passing; context: ejido (model 0.12; score 1 < 2)", False, "passing_mention"),
    ("no context cue (score 0 < 2)", False, "insufficient_context"),
    ("something else entirely", False, None),
    (None, False, None),
]


def _digest(path: Path) -> dict[str, str]:
    """The old file and its log, byte for byte: migrating must never change them."""
    files = [path, Path(str(path) + ".wal")]
    return {f.name: hashlib.sha1(f.read_bytes()).hexdigest() for f in files if f.exists()}


def _database_before_005(path: Path) -> None:
    """A database file as a monitor without migration 005 left it, with old-style mentions."""
    c = duckdb.connect(str(path))
    c.execute("""CREATE TABLE schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
    for mig in sorted(LEGACY_MIGRATIONS.glob("*.sql")):
        version = int(mig.name.split("_", 1)[0])
        if version < 5:
            c.execute(mig.read_text(encoding="utf-8"))
            c.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, mig.stem])
    c.executemany("INSERT INTO mentions VALUES ('http://x.example/a', ?, 'prodesc', 'organisation', 'institutional', "
                  "'text', 0, 7, 'ProDESC', 'ProDESC dijo', ?, ?)",
                  [(i, accepted, reason) for i, (reason, accepted, _) in enumerate(OLD_REASONS)])
    c.close()


def _assert_migrated_mentions(c) -> None:
    rows = c.execute("SELECT reason, accepted, reason_code, reason_es FROM mentions ORDER BY seq").fetchall()
    assert rows == [(reason, accepted, code, None) for reason, accepted, code in OLD_REASONS]
    cols = [r[0] for r in c.execute("DESCRIBE mentions").fetchall()]
    assert cols[-3:] == ["reason", "reason_code", "reason_es"]


def test_migrating_a_file_before_005_derives_the_reason_codes(tmp_path):
    from nlp.reasons import ReasonCode

    old = tmp_path / "monitor.duckdb"
    _database_before_005(old)
    before = _digest(old)
    report = migrate_legacy(old, tmp_path / "monitor.ducklake", say=lambda _: None)
    assert report.upgraded == ["005_mention_reason_code"]        # the copy was brought up to 005 first
    assert ("mentions", len(OLD_REASONS), len(OLD_REASONS)) in report.counts
    assert _digest(old) == before                                 # the user's file is untouched
    assert not list(tmp_path.glob(".prodesc-migrate-*"))         # the copy is gone
    c = connect(tmp_path / "monitor.ducklake", read_only=True)
    try:
        _assert_migrated_mentions(c)
        assert {code for *_, code in OLD_REASONS if code} <= {rc.value for rc in ReasonCode}
    finally:
        c.close()


CRASH_AFTER_005 = """
import os, sys, duckdb
from warehouse.legacy import upgrade_legacy
c = duckdb.connect(sys.argv[1])
c.execute("PRAGMA disable_checkpoint_on_shutdown")
c.execute("SET checkpoint_threshold = '10GB'")
assert upgrade_legacy(c, checkpoint=False) == ["005_mention_reason_code"]
os._exit(0)   # killed after 005 committed, before the CHECKPOINT: the change is only in the .wal
"""


def test_a_file_whose_last_commits_are_only_in_its_log_is_migrated_whole(tmp_path):
    """The old monitor killed between 005's COMMIT and its CHECKPOINT: the .wal holds the change.
    The migration copies the log with the file, so the mentions arrive with their codes."""
    old = tmp_path / "monitor.duckdb"
    _database_before_005(old)
    out = subprocess.run([sys.executable, "-c", CRASH_AFTER_005, str(old)], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert Path(str(old) + ".wal").exists()
    before = _digest(old)
    report = migrate_legacy(old, tmp_path / "monitor.ducklake", say=lambda _: None)
    assert report.upgraded == []                                  # 005 was replayed from the log, not run again
    assert _digest(old) == before
    c = connect(tmp_path / "monitor.ducklake", read_only=True)
    try:
        _assert_migrated_mentions(c)
    finally:
        c.close()


KILLED_MID_WAY = """
import os, signal, sys
import warehouse.legacy as legacy
def killed(con, view):           # every table is inserted, nothing committed yet
    os.kill(os.getpid(), signal.SIGKILL)
legacy._view_difference = killed
legacy.migrate_legacy(sys.argv[1], sys.argv[2], say=lambda _: None)
"""


def test_killed_mid_way_leaves_the_lake_as_it_was_and_refuses_a_lake_with_data(tmp_path, capsys):
    old, lake = tmp_path / "monitor.duckdb", tmp_path / "monitor.ducklake"
    _database_before_005(old)
    out = subprocess.run([sys.executable, "-c", KILLED_MID_WAY, str(old), str(lake)], cwd=REPO,
                         capture_output=True, text=True)
    assert out.returncode == -9, out.stderr
    c = connect(lake, read_only=True)
    try:
        assert all(c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0 for t in TABLES)
    finally:
        c.close()
    assert main(["migrate", "--from", str(old), "--db", str(lake)]) == 0       # runs again from the start
    assert "mentions" in capsys.readouterr().out
    assert main(["migrate", "--from", str(old), "--db", str(lake)]) == 2       # never twice
    err = capsys.readouterr().err
    assert "ya tiene datos" in err and len(err.strip().splitlines()) == 1
    c = connect(lake, read_only=True)
    try:
        assert c.execute("SELECT count(*) FROM mentions").fetchone()[0] == len(OLD_REASONS)
    finally:
        c.close()


def test_migrate_says_what_is_wrong_in_one_line(tmp_path, capsys):
    old = tmp_path / "monitor.duckdb"
    _database_before_005(old)
    assert main(["migrate", "--from", str(tmp_path / "nada.duckdb"), "--db", str(tmp_path / "x.ducklake")]) == 2
    assert "No existe el archivo" in capsys.readouterr().err
    assert main(["migrate", "--from", str(old), "--db", str(old)]) == 2
    assert "también es una base de la versión anterior" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("hola")
    assert main(["migrate", "--from", str(tmp_path / "notes.txt"), "--db", str(tmp_path / "x.ducklake")]) == 2
    assert "no es una base de la versión anterior" in capsys.readouterr().err
    with pytest.raises(MigrationError):
        migrate_legacy(tmp_path / "notes.txt", tmp_path / "x.ducklake")


HOLD_OPEN = """
import sys, duckdb
c = duckdb.connect(sys.argv[1])              # the old monitor, still running
print("open", flush=True)
sys.stdin.read()
"""


def test_a_file_still_open_in_the_old_monitor_is_not_copied(tmp_path, capsys):
    old = tmp_path / "monitor.duckdb"
    _database_before_005(old)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(old)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert main(["migrate", "--from", str(old), "--db", str(tmp_path / "monitor.ducklake")]) == 2
        assert "está abierto en otro programa" in capsys.readouterr().err
    finally:
        holder.stdin.close()
        holder.wait(30)
    assert not (tmp_path / "monitor.ducklake").exists()


# ------------------------------------------------------------------ end to end, with the old code itself

def _old_code(tmp_path: Path) -> Path:
    """The previous storage's source tree (`git archive`), to run in a subprocess."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to take the previous storage's code")
    tree = tmp_path / "old-code"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", OLD_STORAGE], cwd=REPO, capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"commit {OLD_STORAGE} is not in this clone")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def _run_old(tree: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    return out.stdout


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


def _region_as_today(con, sql: str) -> list[tuple]:
    """The old file's rows as the lake holds them since migration 003: "no region" ('' in the
    old file, as sources.yaml writes it) is NULL; every other value is unchanged."""
    cur = con.execute(sql)
    at = [i for i, d in enumerate(cur.description) if d[0] == "region"]
    return sorted((tuple(None if i in at and v == "" else v for i, v in enumerate(r)) for r in cur.fetchall()),
                  key=repr)


def test_a_crawled_database_with_reviews_and_a_frozen_year_survives_whole(tmp_path, capsys):
    """The old monitor crawls the sample web, the desk reviews, gives a reach, adds print and radio,
    freezes 2023 and reviews again; then migrate: every row of every table, and appearances,
    weekly_counts and yearly_tally, come out as the old monitor's own views gave them (but for
    "no region", NULL since lake migration 003 where the old file held '')."""
    tree = _old_code(tmp_path)
    old = tmp_path / "monitor.duckdb"
    _run_old(tree, "-m", "flows.cli", "demo", "--db", str(old))          # a real crawl, ~30 s
    sources = tmp_path / "sources.yaml"
    shutil.copyfile(tree / "flows" / "demo" / "sample_web" / "sources.yaml", sources)
    desk = json.loads(_run_old(tree, str(HERE / "legacy_desk_work.py"), str(old), str(sources), "2023"))
    assert desk["frozen"] != desk["live"]                # a review after the freeze moved the live count
    before = _digest(old)

    lake = tmp_path / "monitor.ducklake"
    assert main(["migrate", "--from", str(old), "--db", str(lake)]) == 0
    out = capsys.readouterr().out
    assert "Filas por tabla" in out and "Años congelados migrados: 2023" in out
    assert _digest(old) == before

    was = duckdb.connect(str(old), read_only=True)
    was.execute(f"SET TimeZone = '{TIMEZONE_NAME}'")
    now = connect(lake, read_only=True)
    try:
        for table in TABLES:
            cols = [r[0] for r in was.execute(f"DESCRIBE {table}").fetchall()]
            old_rows = _region_as_today(was, f"SELECT {', '.join(cols)} FROM {table}")
            assert f"  {table} " in out
            if table == "entities":   # copied whole, then named from today's knowledge base (Spanish first)
                from nlp.kb import entity_rows, load_kb
                today = {e["id"]: (e["name"], e["name_en"]) for e in entity_rows(load_kb())}
                assert {r[0] for r in old_rows} <= set(today)
                assert dict((i, (n, en)) for i, n, en in now.execute(
                    "SELECT id, name, name_en FROM entities").fetchall()) == today
                continue
            assert _rows(now, f"SELECT {', '.join(cols)} FROM {table}") == old_rows, table
        for table in ("articles", "mentions", "raw_pages", "reviews", "manual_appearances", "frozen_appearances",
                      "outlet_reviews", "feed_checks", "crawl_runs", "outlet_reach_history"):
            assert was.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        for view in ("appearances", "weekly_counts", "yearly_tally"):
            assert _rows(now, f"SELECT * FROM {view}") == _region_as_today(was, f"SELECT * FROM {view}"), view
        # the copied bylines were parsed into names (migration 003 was applied to the empty lake)
        assert now.execute("SELECT count(*) FROM articles WHERE author IS NOT NULL").fetchone()[0] > 0
        assert now.execute("SELECT count(*) FROM articles WHERE author IS NOT NULL AND author_names IS NULL"
                           ).fetchone()[0] == 0
        assert now.execute("SELECT snapshot_id FROM frozen_tallies").fetchall() == [(None,)]
        assert was.execute("SELECT total FROM frozen_tallies WHERE year = 2023").fetchone()[0] == desk["frozen"]
    finally:
        was.close()
        now.close()

    # The frozen year prints its frozen number; --as-frozen says it cannot be counted again.
    assert main(["tally", "--year", "2023", "--db", str(lake), "--lang", "es"]) == 0
    assert f"{desk['frozen']} apariciones en medios, 2023 (congelado)" in capsys.readouterr().out
    assert main(["tally", "--year", "2023", "--as-frozen", "--db", str(lake), "--lang", "es"]) == 0
    assert "se congeló antes de que el almacén guardara sus versiones" in capsys.readouterr().out
    index = duckdb.connect(str(tmp_path / "monitor.ducklake.search.duckdb"), read_only=True)   # rebuilt
    try:
        assert index.execute("SELECT count(*) FROM articles").fetchone()[0] == len(old_rows_of_articles(old))
    finally:
        index.close()


def old_rows_of_articles(old: Path) -> list[tuple]:
    con = duckdb.connect(str(old), read_only=True)
    try:
        return con.execute("SELECT url FROM articles").fetchall()
    finally:
        con.close()
