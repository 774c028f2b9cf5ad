"""From staged pages to stored appearances: extract, tag, load, in batches.

This is the stage between the crawl (which only fetches) and the warehouse. It
reads the staging file the crawl wrote, has each batch extracted and tagged
(`pipelines.process`, pure, possibly in other processes) and loads each batch in
one short transaction. It is safe to run twice on the same file: loads are
idempotent.
"""
from __future__ import annotations

from pathlib import Path

from pipelines.process import batches, process_batch
from pipelines.records import ProcessSummary
from pipelines.registry import Registry
from pipelines.staging import read_checks, read_staged
from pipelines.urls import host_of
from warehouse.load import load_batch, load_feed_checks, load_outlets


def process_staged(path: Path, registry: Registry, tagger, con, run_id: str, batch_size: int = 200,
                   map_batches=None) -> ProcessSummary:
    """Extract, tag and load one staged file. `map_batches(batches) -> iterable of BatchResult`
    lets a caller fan the pure work out (e.g. Prefect tasks on a Dask cluster); loading
    always happens here, in this one process, which is DuckDB's single writer."""
    summary = ProcessSummary()
    # Outlets once per file, not per batch: their merge re-checks every stored article's outlet.
    # Hosts outside the registry count as 'unclassified' in the views even before their row exists.
    load_outlets(con, registry)
    load_feed_checks(con, read_checks(path), run_id)
    staged = batches(read_staged(path), batch_size)
    if map_batches is None:
        results = (process_batch(batch, registry, tagger) for batch in staged)
    else:
        results = map_batches(staged)
    hosts: set[str] = set()
    for result in results:
        hosts |= {host_of(t.article.url) for t in result.tagged}
        counts = load_batch(con, result.tagged, result.pages, result.skips, run_id, tagger.kb_version)
        summary.merge(result.summary)
        summary.new_articles += counts["new_articles"]
    load_outlets(con, registry, hosts)
    return summary
