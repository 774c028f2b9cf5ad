"""kill -9 during `retag` and during desk decisions, at seeded random moments (10 trials in all),
then the same commands run to the end: the warehouse must be the one a run without kills leaves.

The crawl's and the load's kills are in test_hostile_crash.py and test_concurrency.py; this file
adds the two writers they do not kill on purpose: the retag (every stored verdict rewritten,
batch by batch, then compaction and the search index) and a reviewer's decision (its row, and
the appearances that follow from it)."""
from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from flows.demo.sampleweb import serving
from flows.steps import LOCAL_SERVER_SETTINGS, crawl
from tests.reliability.test_concurrency import CLI, Desk, catalog_is_sound, kill, spawn
from tests.reliability.test_hostile_crash import SAMPLE, SOURCES, appearances
from warehouse.db import connect as open_warehouse

SEED = 17
RETAG_TRIALS = DESK_TRIALS = 5          # 10 in CI, as issue 17 asks


@pytest.fixture
def crawled(tmp_path) -> Path:
    db = tmp_path / "w.ducklake"
    with serving(SAMPLE / "web") as proxy:
        crawl(SOURCES, db, "2023-01-01", settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy},
              say=lambda m: None)
    return db


def _verdicts(db: Path) -> list[tuple]:
    con = open_warehouse(db, read_only=True)
    try:
        return con.execute("SELECT url, is_appearance, theme, process FROM articles ORDER BY url").fetchall()
    finally:
        con.close()


def _stale(db: Path) -> None:
    """Verdicts as an older knowledge base might have left them: every one wrong."""
    con = open_warehouse(db)
    try:
        con.execute("UPDATE articles SET is_appearance = NOT coalesce(is_appearance, false), theme = 'labour', "
                    "process = NULL, kb_version = 'stale'")
    finally:
        con.close()


def _sound(db: Path, when: str) -> None:
    catalog_is_sound(db)
    con = open_warehouse(db, read_only=True)
    try:
        total, distinct = con.execute("SELECT count(*), count(DISTINCT url_key) FROM articles").fetchone()
        assert total == distinct, f"{when}: {total - distinct} articles stored twice"
        assert con.execute("SELECT count(*) FROM reviews WHERE reviewer IS NULL OR decision IS NULL "
                           "OR article_url IS NULL").fetchone()[0] == 0, f"{when}: a torn decision"
    finally:
        con.close()


def _retag(db: Path, timeout: float = 600) -> float:
    started = time.monotonic()
    proc = spawn(CLI + ["retag", "--db", str(db)], stdout=None, stderr=None)
    assert proc.wait(timeout) == 0
    return time.monotonic() - started


def test_kill_9_during_retag_and_desk_decisions_then_run_again_matches_a_clean_run(crawled, tmp_path):
    rng = random.Random(SEED)
    db, clean = crawled, appearances(crawled)
    clean_verdicts = _verdicts(db)
    assert len(clean) > 10

    # --- retag: the clean run first (it also says how long one takes), then the kills
    _stale(db)
    assert _verdicts(db) != clean_verdicts
    whole = _retag(db)
    assert _verdicts(db) == clean_verdicts and appearances(db) == clean
    _stale(db)
    moments = []
    for trial in range(RETAG_TRIALS):
        proc = spawn(CLI + ["retag", "--db", str(db)])
        moment = rng.uniform(0.2, whole)
        time.sleep(moment)
        moments.append((round(moment, 1), kill(proc)))
        _sound(db, f"retag killed at {moment:.1f} s")
    assert any(running for _, running in moments), moments      # at least one kill found it at work
    _retag(db)
    assert _verdicts(db) == clean_verdicts, moments
    assert appearances(db) == clean, moments

    # --- desk decisions: reject six appearances, the desk killed at random moments meanwhile
    rejected = [row[0] for row in clean[:6]]
    expected = [row for row in clean if row[0] not in rejected]
    desk = Desk(db, SAMPLE / "sources.yaml").start()
    try:
        for trial in range(DESK_TRIALS):
            posted, errors = [], []

            def post_until_dead(proc=desk.proc):
                while proc.poll() is None and len(posted) < 500:
                    try:
                        desk.decide(rejected[len(posted) % len(rejected)], "reject", seen="")
                    except OSError:              # killed under the request
                        return
                    except AssertionError as exc:  # the desk answered 500
                        errors.append(str(exc))
                        return
                    posted.append(1)

            poster = threading.Thread(target=post_until_dead, daemon=True)
            poster.start()
            moment = rng.uniform(0.05, 1.5)
            time.sleep(moment)
            kill(desk.proc)
            poster.join(30)
            assert not errors, errors
            _sound(db, f"desk killed at {moment:.1f} s, after {len(posted)} decisions")
            desk.start()
        for url in rejected:                       # the reviewer does it again where it was lost
            desk.decide(url, "reject", seen="")
    finally:
        desk.stop()
    _sound(db, "after the desk")
    assert appearances(db) == expected
    con = open_warehouse(db, read_only=True)
    try:
        latest = con.execute("SELECT article_url, decision FROM latest_reviews ORDER BY 1").fetchall()
    finally:
        con.close()
    assert latest == sorted((url, "reject") for url in rejected)
