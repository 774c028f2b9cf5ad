"""The Prefect flows: what runs on a schedule (`flows/deploy.py`) and behind `prodesc-monitor crawl`.

Each flow only calls steps: the plain functions of `flows/steps.py` (the same ones the
tests and the other commands run) and their Prefect wrappers in `flows/tasks.py`
(retries, fan-out, artifacts, events). No rule and no query lives here, so remove the
decorators and the monitor still works; Prefect adds the schedule, the retries, the
processes and the record of every run.
"""
from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.steps import (
    CrawlResult, backfill_since, crawl, load_pending, partition_run_id, refresh_search_index, retag_if_changed,
    tally_year,
)
from flows.tasks import (
    fan_out, fetch_task, inform, publish_crawl, publish_tally, tagger_for, tally_files_task, task_runner_for, warn,
    weekly_report_task,
)


@flow(name="crawl", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def crawl_flow(sources: str, db: str, since: str | None = None, until: str | None = None,
               settings: dict | None = None, env: dict | None = None, refetch: bool = False,
               workers: int | None = None, fetch_retries: int = 2) -> CrawlResult:
    """Fetch every feed (and, with `since`, every sitemap), then extract, tag and load.
    `fetch_retries`: scheduled runs retry a failed fetch later; a person at the terminal
    (`prodesc-monitor crawl`) is told at once instead."""
    result = crawl(Path(sources), Path(db), since, until, settings, env, say=warn, refetch=refetch,
                   fetcher=fetch_task.with_options(retries=fetch_retries), map_batches=fan_out(sources, workers),
                   tagger=tagger_for(sources))
    publish_crawl(result, db)
    return result


def run_crawl(sources: str, db: str, *, workers: int | None = None, **kwargs) -> CrawlResult:
    """Run `crawl_flow` on the right task runner (one thread; with `workers` > 1 the extraction and tagging go to processes)."""
    return crawl_flow.with_options(task_runner=task_runner_for(workers))(sources, db, workers=workers, **kwargs)


@flow(name="daily monitoring", log_prints=True)
def daily_flow(sources: str, db: str, workers: int | None = None, settings: dict | None = None,
               env: dict | None = None) -> dict:
    """Feeds and news-search feeds: what was published since the last run."""
    return run_crawl(sources, db, workers=workers, settings=settings, env=env).loaded.as_dict()


@flow(name="backfill", log_prints=True)
def backfill_flow(sources: str, db: str, since: str | None = None, until: str | None = None,
                  days_back: int | None = 14, workers: int | None = None, settings: dict | None = None,
                  env: dict | None = None) -> dict:
    """Sitemaps over a date window: history, and what feeds dropped before we saw it."""
    return run_crawl(sources, db, since=backfill_since(since, days_back), until=until, workers=workers,
                     settings=settings, env=env).loaded.as_dict()


@flow(name="crawl partition", log_prints=True)
def crawl_partition_flow(sources: str, db: str, outlets: list[str], since: str | None = None,
                         until: str | None = None, settings: dict | None = None, env: dict | None = None) -> dict:
    """Fetch only some outlets and stage the pages (no load): run by several workers of one
    work pool in parallel; `load_flow` then loads what they staged, as the single writer."""
    return fetch_task(sources, db, partition_run_id(outlets), since, until, settings, env, outlets=outlets)


@flow(name="load staged pages", log_prints=True)
def load_flow(sources: str, db: str, workers: int | None = None) -> dict:
    """Load whatever crawls staged and nobody loaded yet (partitioned crawls, a locked database)."""
    return _load_only.with_options(task_runner=task_runner_for(workers))(sources, db, workers)


@flow(name="load (runner)")
def _load_only(sources: str, db: str, workers: int | None) -> dict:
    result = load_pending(Path(sources), Path(db), say=warn, map_batches=fan_out(sources, workers),
                          tagger=tagger_for(sources))
    publish_crawl(result, db)
    return result.loaded.as_dict()


@flow(name="retag", log_prints=True)
def retag_flow(db: str, only_if_changed: bool = True) -> dict:
    """Tag stored articles again when the knowledge base changed (checked by its version)."""
    return retag_if_changed(Path(db), only_if_changed, say=warn, tell=inform)


@flow(name="search index", log_prints=True)
def search_index_flow(db: str) -> dict:
    """The full-text index rebuilt with every stored article (nightly): loads rebuild it only past a
    threshold of new articles (`warehouse.search.rebuild_due`), since its cost grows with the warehouse."""
    return refresh_search_index(Path(db), force=True)


@flow(name="year-end tally", log_prints=True)
def year_tally_flow(db: str, out_dir: str, year: int | None = None) -> list[str]:
    """The annual-report table for last year (or `year`), as CSV, XLSX and Markdown files.
    Freezing stays a person's decision (`prodesc-monitor tally --freeze`)."""
    year = tally_year(year)
    files = tally_files_task(db, year, out_dir)
    publish_tally(db, year)
    return files


@flow(name="weekly report", log_prints=True)
def weekly_report_flow(db: str, out_dir: str, week: str | None = None, lang: str = "es") -> list[str]:
    """Monday's report of last week's appearances (HTML, CSV, XLSX)."""
    return weekly_report_task(db, out_dir, week, lang)
