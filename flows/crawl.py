"""The crawl as a Prefect flow: a thin wrapper over `flows.steps`.

Remove the decorators and the code still works (that is `flows.steps.crawl`).
Retries are on the I/O steps only: the fetch (a whole Scrapy run) and the load
(which may find the database locked by an analyst).
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.steps import CrawlResult, fetch, load_staged, new_run_id, record, staging_dir_for
from flows.summary import summary_markdown


@task(name="fetch pages (Scrapy)", retries=1, retry_delay_seconds=30)
def fetch_task(sources: str, db: str, run_id: str, since, until, settings, env, refetch: bool) -> dict:
    return fetch(Path(sources), Path(db), run_id, since, until, settings, env, refetch)


@task(name="extract, tag and load", retries=2, retry_delay_seconds=[10, 60])
def load_task(db: str, sources: str, run_id: str):
    return load_staged(Path(db), Path(sources), run_id, say=get_run_logger().warning)


@flow(name="crawl", log_prints=True)
def crawl_flow(sources: str, db: str, since: str | None = None, until: str | None = None,
               settings: dict | None = None, env: dict | None = None, refetch: bool = False) -> CrawlResult:
    """Fetch every feed (and, with `since`, every sitemap), then extract, tag and load."""
    run_id, started = new_run_id(), datetime.now(timezone.utc)
    staged = staging_dir_for(Path(db)) / f"{run_id}.jsonl"
    stats = fetch_task(sources, db, run_id, since, until, settings, env, refetch)
    loaded = load_task(db, sources, run_id)
    result = CrawlResult(run_id, started, stats, loaded, [str(staged)])
    record(Path(db), result, Path(sources), since, until)
    create_markdown_artifact(summary_markdown(result), key="crawl-summary", description="What this crawl did")
    return result
