"""The Prefect flows: thin wrappers over plain functions in `flows.steps` and elsewhere.

Remove the decorators and the code still works (`flows.steps.crawl`, `flows.steps.retag`,
`warehouse.tally`...). Retries with backoff are on I/O steps only: the fetch, when it
failed for a passing reason (a `TransientFetchError`: network, timeout, 5xx), and the
report files. CPU work (extraction and tagging) is fanned out as tasks, one per batch of
pages, on the flow's task runner: one thread by default, a Dask cluster of processes with
`workers=N` (prefect-dask). Loading stays in the flow's own process: DuckDB has a
single writer.
"""
from __future__ import annotations

import logging
from collections import deque
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from flows.steps import CrawlResult, fetch, load_staged, new_run_id, record, staging_dir_for
from flows.summary import summary_markdown
from pipelines.errors import TransientFetchError
from pipelines.vocabulary import last_year, today_mexico

FETCH_TIMEOUT_S = 6 * 3600      # a whole backfill of every outlet; a daily run takes minutes


@lru_cache(maxsize=4)
def _tools(sources: str):
    """Registry and tagger, built once per worker process (spaCy pipelines take seconds to build)."""
    from nlp.tagger import Tagger
    from pipelines.registry import load_registry
    return load_registry(sources), Tagger.load()


def only_transient_failures(task, task_run, state) -> bool:
    """Prefect's `retry_condition_fn`: retry a fetch that failed for a passing reason (the
    network, a timeout, a 5xx); a bug or a wrong configuration fails at once."""
    try:
        state.result()
    except TransientFetchError:
        return True
    except Exception:  # noqa: BLE001 - anything else is not worth a retry
        return False
    return False


@task(name="fetch pages (Scrapy)", retries=2, retry_delay_seconds=[60, 300], timeout_seconds=FETCH_TIMEOUT_S,
      retry_condition_fn=only_transient_failures)
def fetch_task(sources: str, db: str, run_id: str, since, until, settings, env, refetch: bool,
               outlets: list[str] | None = None) -> dict:
    return fetch(Path(sources), Path(db), run_id, since, until, settings, env, refetch, outlets=outlets)


@task(name="extract and tag a batch")
def extract_and_tag(batch: list, sources: str):
    from pipelines.process import process_batch
    registry, tagger = _tools(sources)
    return process_batch(batch, registry, tagger)


def fan_out(sources: str, window: int = 4):
    """map_batches for `load_staged`: submit batches as tasks, keep at most `window` in flight
    (memory stays flat however large the backfill), and hand back results in order."""
    def map_batches(batches):
        pending = deque()
        for batch in batches:
            pending.append(extract_and_tag.submit(batch, sources))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    return map_batches


def task_runner_for(workers: int | None):
    """One thread (default), or a local Dask cluster of `workers` processes."""
    if not workers or workers <= 1:
        return ThreadPoolTaskRunner(max_workers=1)
    from prefect_dask import DaskTaskRunner
    logging.getLogger("distributed").setLevel(logging.WARNING)   # its start/stop chatter is not for users
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None})


def _load_and_report(sources: str, db: str, run_id: str, started, stats: dict, since, until, workers) -> CrawlResult:
    logger = get_run_logger()
    loaded = load_staged(Path(db), Path(sources), tagger=_tools(sources)[1], say=logger.warning,
                         map_batches=fan_out(sources, window=2 * max(workers or 1, 1)))
    result = CrawlResult(run_id, started, stats, loaded, [str(staging_dir_for(Path(db)) / f"{run_id}.jsonl")])
    record(Path(db), result, Path(sources), since, until)
    markdown = summary_markdown(result)
    create_markdown_artifact(markdown, key="crawl-summary", description="What this crawl did")
    logger.info("%d pages, %d articles, %d appearances", loaded.pages, loaded.articles, loaded.appearances)
    warn_silent_outlets(db)
    return result


@flow(name="crawl", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def crawl_flow(sources: str, db: str, since: str | None = None, until: str | None = None,
               settings: dict | None = None, env: dict | None = None, refetch: bool = False,
               workers: int | None = None, fetch_retries: int = 2) -> CrawlResult:
    """Fetch every feed (and, with `since`, every sitemap), then extract, tag and load.
    `fetch_retries`: scheduled runs retry a failed fetch later; a person at the terminal
    (`prodesc-monitor crawl`) is told at once instead."""
    run_id, started = new_run_id(), datetime.now(timezone.utc)
    fetch_now = fetch_task.with_options(retries=fetch_retries)
    stats = fetch_now(sources, db, run_id, since, until, settings, env, refetch)
    return _load_and_report(sources, db, run_id, started, stats, since, until, workers)


def run_crawl(sources: str, db: str, *, workers: int | None = None, **kwargs) -> CrawlResult:
    """Run `crawl_flow` on the right task runner (threads, or Dask with `workers` > 1)."""
    return crawl_flow.with_options(task_runner=task_runner_for(workers))(sources, db, workers=workers, **kwargs)


@flow(name="daily monitoring", log_prints=True)
def daily_flow(sources: str, db: str, workers: int | None = None, settings: dict | None = None,
               env: dict | None = None) -> dict:
    """Feeds and news-search feeds: what was published since the last run."""
    result = run_crawl(sources, db, workers=workers, settings=settings, env=env)
    return result.loaded.as_dict()


@flow(name="backfill", log_prints=True)
def backfill_flow(sources: str, db: str, since: str | None = None, until: str | None = None,
                  days_back: int | None = 14, workers: int | None = None, settings: dict | None = None,
                  env: dict | None = None) -> dict:
    """Sitemaps over a date window: history, and what feeds dropped before we saw it."""
    if since is None:
        since = (today_mexico() - timedelta(days=days_back or 14)).isoformat()
    result = run_crawl(sources, db, since=since, until=until, workers=workers, settings=settings, env=env)
    return result.loaded.as_dict()


@flow(name="crawl partition", log_prints=True)
def crawl_partition_flow(sources: str, db: str, outlets: list[str], since: str | None = None,
                         until: str | None = None, settings: dict | None = None, env: dict | None = None) -> dict:
    """Fetch only some outlets and stage the pages (no load): run by several workers of one
    work pool in parallel; `load_flow` then loads what they staged, as the single writer."""
    run_id = new_run_id() + "-" + str(abs(hash(tuple(sorted(outlets)))) % 10_000)
    return fetch_task(sources, db, run_id, since, until, settings, env, False, outlets)


@flow(name="load staged pages", log_prints=True)
def load_flow(sources: str, db: str, workers: int | None = None) -> dict:
    """Load whatever crawls staged and nobody loaded yet (partitioned crawls, a locked database)."""
    runner_flow = _load_only.with_options(task_runner=task_runner_for(workers))
    return runner_flow(sources, db, workers)


@flow(name="load (runner)")
def _load_only(sources: str, db: str, workers: int | None) -> dict:
    run_id, started = new_run_id(), datetime.now(timezone.utc)
    return _load_and_report(sources, db, run_id, started, {}, None, None, workers).loaded.as_dict()


@flow(name="retag", log_prints=True)
def retag_flow(db: str, only_if_changed: bool = True) -> dict:
    """Tag stored articles again when the knowledge base changed (checked by its version)."""
    from flows.steps import retag, stored_kb_versions
    from nlp.tagger import Tagger

    tagger = Tagger.load()
    if only_if_changed and stored_kb_versions(Path(db)) <= {tagger.kb_version}:
        get_run_logger().info("Knowledge base %s unchanged: nothing to retag", tagger.kb_version)
        return {"articles": 0, "changed": 0, "kb_version": tagger.kb_version}
    return retag(Path(db), tagger=tagger, say=get_run_logger().warning)


@task(name="write tally files", retries=2, retry_delay_seconds=30)
def tally_files_task(db: str, year: int, out_dir: str) -> list[str]:
    from warehouse.db import connect
    from warehouse.tally import frozen_years, tally, write_outputs

    con = connect(db)
    try:
        frozen = any(y[0] == year for y in frozen_years(con))
        return [str(p) for p in write_outputs(tally(con, year, frozen=frozen), year, out_dir,
                                              "-frozen" if frozen else "")]
    finally:
        con.close()


@flow(name="year-end tally", log_prints=True)
def year_tally_flow(db: str, out_dir: str, year: int | None = None) -> list[str]:
    """The annual-report table for last year (or `year`), as CSV, XLSX and Markdown files.
    Freezing stays a person's decision (`prodesc-monitor tally --freeze`)."""
    from warehouse.db import connect
    from warehouse.tally import format_table, tally

    year = year or last_year()
    files = tally_files_task(db, year, out_dir)
    con = connect(db, read_only=True)
    try:
        create_markdown_artifact("```\n" + format_table(tally(con, year), year) + "\n```", key="year-end-tally",
                                 description=f"Media appearances {year}")
    finally:
        con.close()
    return files


@task(name="write weekly report", retries=2, retry_delay_seconds=30)
def weekly_report_task(db: str, out_dir: str, week: str | None, lang: str) -> list[str]:
    from flows.report import write_weekly_report
    return [str(p) for p in write_weekly_report(Path(db), Path(out_dir), week=week, lang=lang)]


@flow(name="weekly report", log_prints=True)
def weekly_report_flow(db: str, out_dir: str, week: str | None = None, lang: str = "es") -> list[str]:
    """Monday's report of last week's appearances (HTML, CSV, XLSX)."""
    from flows.report import last_full_week
    return weekly_report_task(db, out_dir, week or last_full_week(), lang)


def warn_silent_outlets(db: str) -> list[str]:
    """Log and emit an event for every silent outlet; an automation turns it into a notice."""
    from prefect.events import emit_event
    from warehouse.db import connect

    con = connect(db, read_only=True)
    try:
        silent = con.execute("SELECT outlet, silent_runs, last_problem FROM silent_outlets ORDER BY outlet").fetchall()
    finally:
        con.close()
    for outlet, runs, problem in silent:
        get_run_logger().warning("Outlet %s gave no items in its last %d runs (%s)", outlet, runs, problem or "empty")
        emit_event(event="prodesc.outlet.silent",
                   resource={"prefect.resource.id": f"prodesc.outlet.{outlet}", "prefect.resource.name": outlet},
                   payload={"runs": runs, "problem": problem})
    return [s[0] for s in silent]
