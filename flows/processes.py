"""Extraction and tagging on local worker processes (`--workers N`), the load staying here.

Why a plain process pool (`concurrent.futures.ProcessPoolExecutor`) and not Prefect tasks on a
Dask cluster, which `--workers` used until issue 18: on this project's 2-core machine a
50,000-article backfill loaded no faster with two Dask workers than in one process (165 against
161 articles/s) for 11.2 ms of CPU per article instead of 6.5. Each Dask worker started a
temporary Prefect server of its own and ran every batch through Prefect's task engine, and that
overhead took the second core. Prefect's own `ProcessPoolTaskRunner` was slower still (it runs
the same engine in each process). A batch here is pure CPU work with no state to report
(`pipelines.process.process_batch`), so a worker only imports the extractor and the tagger,
builds them once, and returns the results. The flow run stays one Prefect run, with its
summary, logs and artifacts; the batches are not Prefect tasks of their own.

Workers are started with `spawn`, not `fork`: the loading process holds DuckDB's threads and
connection, which a forked child must never inherit. No child outlives the command: workers
stay in its process group, which `flows.children` ends (issue 17).
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_tools = None   # (registry, tagger) of this worker process, built by `_start`


def _start(sources: str) -> None:
    """Run once in each worker: read the registry and build the tagger (spaCy: a few seconds)."""
    global _tools
    from nlp.tagger import Tagger
    from pipelines.registry import load_registry
    _tools = (load_registry(Path(sources)), Tagger.load())


def _extract_and_tag(batch: list):
    from pipelines.process import process_batch
    registry, tagger = _tools
    return process_batch(batch, registry, tagger)


def in_order(submit: Callable, items: Iterable, window: int) -> Iterator:
    """`submit(item)` for each item (a future back), at most `window` in flight, results handed
    back in the items' order: memory stays flat however large the backfill. Both fan-outs use it
    (Prefect tasks on the flow's thread, `flows.tasks.fan_out`; this module's process pool)."""
    pending = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def process_pool(sources, workers: int) -> Callable[[Iterable[list]], Iterator]:
    """`map_batches` for `steps.load_staged`: batches extracted and tagged by `workers` processes,
    at most two per worker in flight, results handed back in order. The pool starts with the
    first batch and ends with the last."""
    sources = str(sources)

    def map_batches(batches: Iterable[list]) -> Iterator:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=(sources,))
        try:
            yield from in_order(lambda batch: pool.submit(_extract_and_tag, batch), batches, 2 * workers)
        finally:   # stopped early (an error while loading): drop what is queued, wait only for what runs
            pool.shutdown(cancel_futures=True)
    return map_batches
