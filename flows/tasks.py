"""Prefect's side of the steps: tasks, the task runner, and what a run shows in Prefect's UI.

The flows (`flows/flows.py`) call plain steps (`flows/steps.py`); this module holds only
what Prefect adds to them. Retries with backoff are on I/O steps only: the fetch, when it
failed for a passing reason (a `TransientFetchError`: network, timeout, 5xx), and the
report files. CPU work (extraction and tagging) runs as tasks, one per batch of pages, on the
flow's task runner (one thread), or with `workers=N` on N local processes (`flows.processes`:
a plain process pool, measured faster than Dask on this machine). Loading stays in the flow's
own process: DuckDB has a single writer. Artifacts (the crawl summary, the tally) and events
(a silent outlet, which an automation of `flows/deploy.py` turns into a notice) are published
here, and a user-facing stop raised in a run (a locked database...) is logged as its one line
(`OneLineStops`).
"""
from __future__ import annotations

import logging
from collections import deque
from functools import lru_cache
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from flows import steps
from flows.processes import in_order, process_pool
from flows.commands.common import debugging, user_stop
from flows.commands.language import Words, artifact_lang
from flows.summary import summary_markdown, summary_text
from pipelines.errors import TransientFetchError

FETCH_TIMEOUT_S = 6 * 3600      # a whole backfill of every outlet; a daily run takes minutes
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")   # Prefect's engines log a run's failure here


class OneLineStops(logging.Filter):
    """Prefect's engines log a failed run's exception with its traceback ("Encountered exception
    during execution", "Task run failed with exception"), in the terminal and in the run's log on
    the server: some thirty lines before the one a person can act on. For a user-facing stop
    (`flows.commands.common.user_stop`: a locked database, a wrong sources.yaml...) this keeps the
    record, its one line, and drops the traceback, unless PRODESC_MONITOR_DEBUG is set. The record
    is marked `user_stop` for `StopsSaidByTheCommand`, and so is the same run's "Finished in state
    Failed(...)" that follows it (it repeated the stop as a second line on the terminal: issue 17).
    A bug keeps its traceback."""

    stopped_runs: deque = deque(maxlen=64)   # runs whose failure was a user-facing stop

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        run = getattr(record, "task_run_id", None) or getattr(record, "flow_run_id", None)
        if exc is not None and user_stop(exc):
            record.user_stop = True
            if run is not None:
                self.stopped_runs.append(run)
            if not debugging():
                record.exc_info, record.exc_text = None, None
        elif run is not None and run in self.stopped_runs and str(record.msg).startswith("Finished in state"):
            record.user_stop = True
        return True


class StopsSaidByTheCommand(logging.Filter):
    """On the terminal of a command (`prodesc-monitor crawl`), the CLI prints the stop itself, as
    its one line (flows/cli.py): Prefect's console leaves it out, so it is not said twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "user_stop", False)


def _install(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


for _name in RUN_LOGGERS:   # in every process that runs flows or tasks (served runs)
    _install(logging.getLogger(_name), OneLineStops)


def leave_stops_to_the_command() -> None:
    """Called by the commands a person runs (`quiet_prefect`): Prefect's console handlers drop
    the stops the CLI will print (filters on a handler see records of every logger)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and not any(
                isinstance(f, StopsSaidByTheCommand) for f in handler.filters):
            handler.addFilter(StopsSaidByTheCommand())


@lru_cache(maxsize=4)
def _tools(sources: str):
    """Registry and tagger, built once per worker process (spaCy pipelines take seconds to build)."""
    from nlp.tagger import Tagger
    from pipelines.registry import load_registry
    return load_registry(sources), Tagger.load()


def tagger_for(sources) -> object:
    """The tagger this process already built for `sources` (the load reuses the fan-out's)."""
    return _tools(str(sources))[1]


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
def fetch_task(sources, db, run_id: str, since=None, until=None, settings=None, env=None, refetch: bool = False,
               outlets: list[str] | None = None) -> dict:
    """`steps.fetch` with retries: a crawl's `fetcher`, or a partition's whole work."""
    return steps.fetch(Path(sources), Path(db), run_id, since, until, settings, env, refetch, outlets=outlets)


@task(name="extract and tag a batch")
def extract_and_tag(batch: list, sources: str):
    from pipelines.process import process_batch
    registry, tagger = _tools(sources)
    return process_batch(batch, registry, tagger)


def fan_out(sources, workers: int | None = None):
    """map_batches for `steps.load_staged`: with one worker, submit batches as tasks on the flow's
    thread, keep at most two in flight, and hand back results in order; with more, a pool of
    local processes (`flows.processes`)."""
    if workers and workers > 1:
        return process_pool(sources, workers)
    sources = str(sources)

    def map_batches(batches):
        return in_order(lambda batch: extract_and_tag.submit(batch, sources), batches, 2)
    return map_batches


def task_runner_for(workers: int | None):
    """One thread: the fetch, the load and the reports are I/O or the single writer's; with
    `workers` > 1 the extraction and tagging go to processes of their own (`fan_out`)."""
    return ThreadPoolTaskRunner(max_workers=1)


@task(name="write tally files", retries=2, retry_delay_seconds=30)
def tally_files_task(db: str, year: int, out_dir: str) -> list[str]:
    return steps.write_tally_files(Path(db), year, Path(out_dir))


@task(name="write weekly report", retries=2, retry_delay_seconds=30)
def weekly_report_task(db: str, out_dir: str, week: str | None, lang: str) -> list[str]:
    return steps.write_weekly_report(Path(db), Path(out_dir), week=week, lang=lang)


def warn(message: str) -> None:
    """A warning in the flow run's log (a plain step's `say`)."""
    get_run_logger().warning(message)


def inform(message: str) -> None:
    """A line in the flow run's log (a plain step's `tell`)."""
    get_run_logger().info(message)


def publish_crawl(result: steps.CrawlResult, db) -> None:
    """The crawl's summary as an artifact of the run, its totals in the log, and an event for
    every outlet gone silent."""
    words = Words(artifact_lang())
    create_markdown_artifact(summary_markdown(result, words.lang), key="crawl-summary",
                             description=words["artifact_description"])
    inform(summary_text(result, words.lang).split("\n", 1)[0])
    warn_silent_outlets(db)


def publish_tally(db, year: int) -> None:
    """The year's tally as an artifact of the run (the files are `tally_files_task`'s)."""
    create_markdown_artifact("```\n" + steps.tally_text(Path(db), year) + "\n```", key="year-end-tally",
                             description=f"Media appearances {year}")


def warn_silent_outlets(db) -> list[str]:
    """Log and emit an event for every silent outlet; an automation turns it into a notice."""
    from prefect.events import emit_event
    from warehouse.db import connect
    from warehouse.reports import silent_outlets

    con = connect(db, read_only=True)
    try:
        silent = silent_outlets(con)
    finally:
        con.close()
    for s in silent:
        outlet, runs, problem = s["outlet"], s["silent_runs"], s["last_problem"]
        warn(f"Outlet {outlet} gave no items in its last {runs} runs ({problem or 'empty'})")
        emit_event(event="prodesc.outlet.silent",
                   resource={"prefect.resource.id": f"prodesc.outlet.{outlet}", "prefect.resource.name": outlet},
                   payload={"runs": runs, "problem": problem})
    return [s["outlet"] for s in silent]
