"""Staged files are claimed: a load never takes the file a crawl is still writing, nor the one
another load has (several crawls and loads at once, on one machine or several: issue 14)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from flows.steps import load_staged, mark_loaded, pending_staged, staging_dir_for
from pipelines.records import FetchedPage
from pipelines.staging import StagingPipeline, claim, encode_page

REPO = Path(__file__).resolve().parent.parent
PAGE = FetchedPage(url="http://www.diariouno.example/a", final_url="http://www.diariouno.example/a", status=200,
                   content_type="text/html", body=b"<html><body><p>ProDESC</p></body></html>",
                   discovered_via="feed", source_url="f", listed_at=None, listed_title=None,
                   fetched_at="2026-11-28T00:00:00+00:00")


class Stats:
    def inc_value(self, *a, **k):
        pass


class NoTagger:
    """Nothing gets tagged here: the only staged file must be left alone."""
    kb_version = "kb"

    def entities(self):
        return []

    def tag(self, *a, **k):
        raise AssertionError("a file still being written was loaded")


def test_a_file_being_written_cannot_be_claimed_until_its_writer_closes_it(tmp_path):
    path = tmp_path / "run1.jsonl"
    writer = StagingPipeline(str(path), None, Stats())
    writer.open_spider()
    writer.process_item(PAGE)
    assert claim(path) is None                      # the crawl still writes it
    writer.close_spider()
    first = claim(path)
    assert first is not None
    assert claim(path) is None                      # one load at a time
    mark_loaded(path)
    first.close()
    assert claim(path) is None                      # moved to loaded/ by the load that had it


def test_a_killed_writers_file_is_claimable(tmp_path):
    """The kernel drops the claim of a dead process: a killed crawl's pages are loaded next time."""
    path = tmp_path / "run1.jsonl"
    script = textwrap.dedent(f"""
        import os
        from pipelines.staging import StagingPipeline
        class Stats:
            def inc_value(self, *a, **k): pass
        w = StagingPipeline({str(path)!r}, None, Stats())
        w.open_spider()
        w.fh.write({encode_page(PAGE)!r} + "\\n"); w.fh.flush()
        os._exit(9)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 9, out.stderr
    claimed = claim(path)
    assert claimed is not None
    claimed.close()


def test_a_load_leaves_the_file_a_crawl_is_writing_for_later(tmp_path, registry_file):
    db = tmp_path / "w.ducklake"
    path = staging_dir_for(db) / "run1.jsonl"
    writer = StagingPipeline(str(path), None, Stats())
    writer.open_spider()
    writer.process_item(PAGE)
    said: list[str] = []
    try:
        summary = load_staged(db, registry_file, tagger=NoTagger(), say=said.append)
    finally:
        writer.close_spider()
    assert summary.pages == 0
    assert pending_staged(staging_dir_for(db)) == [path]        # still pending, not moved to loaded/
    assert any("run1.jsonl" in m for m in said)
