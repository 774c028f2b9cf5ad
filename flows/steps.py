"""The monitor's work as plain functions: crawl (fetch, then load), retag, the tally files,
the weekly report.

Why plain: the Prefect flows (`flows/flows.py`) only call these, so everything here runs
and is tested without a Prefect server, and a flow and a test run the same code. Nothing
here imports Prefect; where a flow wants Prefect's help (retries on the fetch, fanning
extraction out to processes) it passes it in (`crawl(fetcher=..., map_batches=...)`, see
`flows/tasks.py`). Every query is a function of `warehouse/`.

Scrapy runs as a child process because Twisted's reactor cannot be restarted inside a
long-lived flow runner. The crawl stages pages on disk next to the database; loading
reads them afterwards. Staged files that were never loaded (a crash, a locked database)
are loaded by the next run too, so nothing fetched is ever lost.

Several crawls may run on one warehouse at once (issue 14). Each one owns its staged file while
it runs (`owning`: a lock other loaders respect), loads it itself and counts only it: before
issue 17, a second crawl's pages could be loaded by the first one's loader, the first reported
them as its own and the second reported "0 páginas descargadas". What a crawl loads besides its
own pages (files left by a killed run or a locked database) is counted apart, per run
(`CrawlResult.leftovers`), and said apart in its summary.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flows.commands.language import Words, artifact_lang
from pipelines.errors import FetchFailed, TransientFetchError
from pipelines.records import ProcessSummary
from pipelines.registry import Registry, RegistryError, load_registry, nothing_to_read
from pipelines.vocabulary import last_year, today_mexico

# Settings that make sense only against a server on this machine (the demo, tests).
LOCAL_SERVER_SETTINGS = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}
BACKFILL_DAYS = 14   # the weekly backfill's window: what feeds dropped before a daily run saw it
# Staged pages per warehouse batch (one transaction, one set of Parquet files). Measured with
# bench/batch_size.py (docs/performance.md section 7): 200 -> 500 saves 0.4 ms of CPU per article,
# 500 -> 1,000 only 0.13 ms (1-2%) for twice the pages in memory and in a lost commit race's redo.
BATCH_SIZE = 500


@dataclass
class CrawlResult:
    run_id: str
    started_at: datetime
    crawl_stats: dict
    loaded: ProcessSummary                  # this run's own staged pages, as stored
    staged_files: list[str] = field(default_factory=list)
    # Pages other runs staged and left (a killed crawl, a locked database), loaded by this one: run id -> counts.
    leftovers: dict[str, ProcessSummary] = field(default_factory=dict)


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def partition_run_id(outlets: list[str]) -> str:
    """A run id that tells apart the partitions started in the same second."""
    return new_run_id() + "-" + str(abs(hash(tuple(sorted(outlets)))) % 10_000)


def _home_of(db) -> Path:
    """The folder beside the warehouse for staged pages and the HTTP cache (with a PostgreSQL
    catalog, beside its Parquet folder)."""
    from warehouse.lake import POSTGRES_PREFIX, locate

    if not str(db).startswith(POSTGRES_PREFIX):
        # Not locate(): it reads the catalog's first bytes, and this runs while the loader has the
        # catalog open (see warehouse.lake._HEADER_FDS).
        return Path(db).resolve().parent
    return locate(db).data_path.parent


def staging_dir_for(db: Path) -> Path:
    return _home_of(db) / "staging"


def cache_dir_for(db: Path) -> Path:
    return _home_of(db) / "httpcache"


# ------------------------------------------------------------------ the crawl: fetch, then load

def crawl(sources: Path, db: Path, since: str | None = None, until: str | None = None,
          settings: dict[str, str] | None = None, env: dict[str, str] | None = None, say=print,
          refetch: bool = False, *, fetcher=None, map_batches=None, tagger=None) -> CrawlResult:
    """The one crawl: fetch (Scrapy, staging pages on disk), load everything staged, record the run.

    The `crawl` flow runs exactly this, passing Prefect's versions of the parts it wants
    retried or fanned out: `fetcher` (same signature as `fetch`), `map_batches` (see
    `process_staged`) and a `tagger` built once per process."""
    sources, db = Path(sources), Path(db)
    problem = nothing_to_read(load_registry(sources), sources, backfill=bool(since))
    if problem:   # scheduled runs too: a registry with nothing to read is a mistake, not an empty day
        raise RegistryError(problem)
    run_id, started = new_run_id(), datetime.now(timezone.utc)
    with owning(staging_dir_for(db), run_id):
        stats = (fetcher or fetch)(sources, db, run_id, since, until, settings, env, refetch)
        return load_and_record(sources, db, run_id, started, stats, since, until, say=say, map_batches=map_batches,
                               tagger=tagger)


def load_pending(sources: Path, db: Path, say=print, *, map_batches=None, tagger=None) -> CrawlResult:
    """Load what other runs staged and nobody loaded (partitioned crawls, a locked database), as a run:
    a loader of its own, it counts everything it stored as its `loaded`."""
    run_id = new_run_id()
    by_run = load_staged_by_run(Path(db), Path(sources), tagger=tagger, say=say, map_batches=map_batches)
    loaded = ProcessSummary()
    for summary in by_run.values():
        loaded.merge(summary)
    result = CrawlResult(run_id, datetime.now(timezone.utc), {}, loaded, [])
    record(Path(db), result, Path(sources), None, None)
    return result


def load_and_record(sources: Path, db: Path, run_id: str, started: datetime, stats: dict, since, until, *,
                    say=print, map_batches=None, tagger=None) -> CrawlResult:
    """Load this run's staged pages (and whatever other runs left), record the run; the result
    counts this run's pages as `loaded` and the others' apart."""
    others = running_crawls(staging_dir_for(db), but=run_id)
    if others:
        say(Words(artifact_lang())("others_running", runs=", ".join(others)))
    by_run = load_staged_by_run(db, sources, tagger=tagger, say=say, map_batches=map_batches, own=run_id)
    loaded = by_run.pop(run_id, ProcessSummary())
    result = CrawlResult(run_id, started, stats, loaded, [str(staging_dir_for(db) / f"{run_id}.jsonl")],
                         leftovers=by_run)
    record(db, result, sources, since, until)
    return result


OWNER_SUFFIX = ".owner"


@contextmanager
def owning(staging: Path, run_id: str):
    """While a crawl runs, its staged file is its own: `<run_id>.owner` beside it, locked (`flock`)
    by this process from before Scrapy starts until the crawl has loaded the file. Other loaders
    (another crawl, `load`) leave a file alone while its owner holds the lock (`owned_by_a_live_run`).
    The kernel drops the lock when the process dies (killed, power cut): the file becomes a leftover
    that the next run loads, as before."""
    from pipelines.staging import try_lock

    staging.mkdir(parents=True, exist_ok=True)
    path = staging / f"{run_id}{OWNER_SUFFIX}"
    fh = open(path, "w", encoding="utf-8")
    try:
        try_lock(fh)
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield path
    finally:
        path.unlink(missing_ok=True)
        fh.close()


def owned_by_a_live_run(staged: Path) -> bool:
    """Another process's crawl owns this staged file and is still running (see `owning`)."""
    from pipelines.staging import try_lock

    try:
        fh = open(staged.with_suffix(OWNER_SUFFIX), "rb")
    except FileNotFoundError:
        return False
    with fh:
        return not try_lock(fh)     # our lock, if we got it, goes with the file's closing


def running_crawls(staging: Path, but: str) -> list[str]:
    """The run ids of the other crawls running on this warehouse now."""
    return sorted(p.name[: -len(OWNER_SUFFIX)] for p in staging.glob("*" + OWNER_SUFFIX)
                  if p.name != but + OWNER_SUFFIX and owned_by_a_live_run(p.with_suffix(".jsonl")))


def backfill_since(since: str | None, days_back: int | None = BACKFILL_DAYS) -> str:
    """The backfill's first day: `since`, or `days_back` days before today (Mexico City)."""
    return since or (today_mexico() - timedelta(days=days_back or BACKFILL_DAYS)).isoformat()


def fetch(sources: Path, db: Path, run_id: str, since=None, until=None, settings=None, env=None,
          refetch: bool = False, outlets: list[str] | None = None) -> dict:
    """The fetching step: known articles skipped (unless `refetch`), listings revalidated."""
    from warehouse.lake import check_folder

    check_folder(db)   # before staging anything beside a database that cannot be written
    staging = staging_dir_for(db)
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / f"{run_id}.jsonl"
    known = None if refetch else write_known(db, staged.with_suffix(".known.txt"))
    stats = run_scrapy(sources, staged, staged.with_suffix(".stats.json"), since, until, settings, env,
                       known=known, cache_dir=cache_dir_for(db), outlets=outlets)
    read = stats.get("prodesc/feed_feeds", 0) + stats.get("prodesc/discovery_feeds", 0) + stats.get(
        "prodesc/listed/sitemap", 0)
    if not read and stats.get("prodesc/failed/listing", 0):
        message = (f"No se pudo leer ningún feed ni sitemap ({stats['prodesc/failed/listing']} fallaron): ¿está caída "
                   f"la red o el proxy? El registro del recorrido está en {staged.with_suffix('.log')}.")
        if stats.get("prodesc/failed/listing/transient", 0):   # timeouts, refused connections, 5xx
            raise TransientFetchError(message)
        raise FetchFailed(message)
    return stats


def write_known(db: Path, path: Path) -> Path | None:
    """Write the URL keys already stored (one per line) for the spider to skip; None if no database yet."""
    from warehouse.articles import known_url_keys
    from warehouse.db import connect
    from warehouse.lake import WarehouseMissing

    # Not `if not Path(db).exists()`: a PostgreSQL catalog (`postgres:host=...`) is no file and
    # was taken for a warehouse not created yet, so the spider never learnt the stored URLs
    # (fixed with issue 14's tests). connect() says WarehouseMissing for both kinds of catalog.
    try:
        con = connect(db, read_only=True)
    except WarehouseMissing:
        return None
    try:
        keys = known_url_keys(con)
    finally:
        con.close()
    path.write_text("\n".join(sorted(keys)) + "\n", encoding="utf-8")
    return path


def run_scrapy(sources: Path, staging_file: Path, stats_file: Path, since: str | None = None,
               until: str | None = None, settings: dict[str, str] | None = None,
               env: dict[str, str] | None = None, known: Path | None = None,
               cache_dir: Path | None = None, outlets: list[str] | None = None) -> dict:
    """Run `scrapy crawl monitor` in a child process and return its stats."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "monitor", "-a", f"sources={Path(sources).resolve()}",
           "-s", f"STAGING_FILE={staging_file}", "-s", f"STATS_FILE={stats_file}"]
    if known:
        cmd += ["-a", f"known={known}"]
    if outlets:
        cmd += ["-a", "outlets=" + json.dumps(outlets)]
    if cache_dir:
        cmd += ["-s", f"HTTPCACHE_DIR={Path(cache_dir).resolve()}"]
    else:  # no database to keep a cache beside: fetch everything
        cmd += ["-s", "HTTPCACHE_ENABLED=False"]
    if since:
        cmd += ["-a", f"since={since}"]
    if until:
        cmd += ["-a", f"until={until}"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    child_env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings", **(env or {})}
    proc = subprocess.run(cmd, env=child_env, capture_output=True, text=True)
    log_path = staging_file.with_suffix(".log")
    if not staging_file.exists() and (staging_file.parent / "loaded" / staging_file.name).exists():
        log_path = staging_file.parent / "loaded" / log_path.name   # another process loaded it already
    log_path.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0 or not stats_file.exists():
        raise RuntimeError(f"El recolector (Scrapy) se detuvo con un error (código {proc.returncode}); su registro está "
                           f"en {log_path}:\n"
                           + "\n".join((proc.stderr or "").strip().splitlines()[-15:]))
    return json.loads(stats_file.read_text())


def pending_staged(staging_dir: Path) -> list[Path]:
    return sorted(p for p in staging_dir.glob("*.jsonl"))


SIDECARS = (".stats.json", ".log", ".known.txt")


def mark_loaded(path: Path) -> None:
    """Move a loaded staged file and its sidecars to `loaded/`. Another loader may have moved
    some of them already (two crawls on one warehouse): a file that is gone is not an error."""
    done = path.parent / "loaded"
    done.mkdir(exist_ok=True)
    for p in (path, *(path.with_suffix(s) for s in SIDECARS)):
        try:
            p.replace(done / p.name)
        except FileNotFoundError:
            pass


def sweep_sidecars(staging_dir: Path) -> None:
    """Sidecars written after their staged file was loaded (the crawl's log is written when Scrapy
    exits, and another process may have loaded that crawl's pages by then) go to `loaded/` too."""
    done = staging_dir / "loaded"
    for suffix in (".stats.json", ".log"):
        for p in staging_dir.glob("*" + suffix):
            if (done / (p.name[: -len(suffix)] + ".jsonl")).exists():
                try:
                    p.replace(done / p.name)
                except FileNotFoundError:
                    pass


@contextmanager
def claimed(path: Path, own: bool = False):
    """The staged file, locked for this loader (see pipelines.staging.try_lock), or None: still being
    written by a crawl, owned by a crawl still running (unless `own`: this loader's crawl), being
    loaded by another process, or already moved to `loaded/` by one."""
    from pipelines.staging import try_lock

    if not own and owned_by_a_live_run(path):
        yield None
        return
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        yield None
        return
    try:
        try:
            same = os.stat(path).st_ino == os.fstat(fh.fileno()).st_ino
        except FileNotFoundError:
            same = False
        # Locked, then looked at again: a loader that finished between our open and our lock has moved it.
        if not try_lock(fh) or not same or not path.exists() or os.stat(path).st_ino != os.fstat(fh.fileno()).st_ino:
            yield None
        else:
            yield path
    finally:
        fh.close()


def load_staged(db: Path, sources: Path, tagger=None, say=print, map_batches=None,
                batch_size: int | None = None) -> ProcessSummary:
    """Load every staged file not yet loaded into the database (idempotent), as one loader: the
    summary counts all it stored (`load`). See `load_staged_by_run`."""
    total = ProcessSummary()
    for summary in load_staged_by_run(db, sources, tagger=tagger, say=say, map_batches=map_batches,
                                      batch_size=batch_size).values():
        total.merge(summary)
    return total


def load_staged_by_run(db: Path, sources: Path, tagger=None, say=print, map_batches=None,
                       own: str | None = None, batch_size: int | None = None) -> dict[str, ProcessSummary]:
    """Load every staged file not yet loaded into the database (idempotent), except those of crawls
    still running (each loads its own); what was stored, per run id that staged it. Each file
    keeps the run id of the crawl that fetched it (its name). `own`: the run id of the crawl
    loading, whose file comes first and is counted apart (an article also in a leftover file counts
    in both). `map_batches`, `batch_size`: see `process_staged`."""
    from pipelines.staging import recover_unnamed
    from pipelines.teasers import phrases
    from warehouse.db import compact, connect   # DuckDB loads only when there is something to load
    from warehouse.load import load_entities
    from warehouse.search import refresh_index

    db, sources = Path(db), Path(sources)
    registry = load_registry(sources)
    phrases()   # a broken teasers.yaml stops here, in one line, not in every page's extraction
    if tagger is None:
        from nlp.tagger import Tagger  # spaCy loads only when there is something to tag
        tagger = Tagger.load()
    by_run: dict[str, ProcessSummary] = {}
    con = connect(db, say=say)
    try:
        load_entities(con, tagger.entities())
        staging = staging_dir_for(db)
        recover_unnamed(staging)
        loaded = 0
        # URL keys counted by this load, across its staged files: this run's, and the others'
        stored_keys: dict[bool, set[str]] = {True: set(), False: set()}
        files = pending_staged(staging)
        files.sort(key=lambda p: p.stem != own)          # this crawl's own pages first
        for pending in files:
            mine = pending.stem == own
            with claimed(pending, own=mine) as path:
                if path is None:
                    continue
                summary = process_staged(path, registry, tagger, con, path.stem,  # the crawl that fetched it
                                         batch_size=batch_size or BATCH_SIZE, map_batches=map_batches,
                                         stored_keys=stored_keys[mine])
                by_run.setdefault(path.stem, ProcessSummary()).merge(summary)
                mark_loaded(path)
                if not mine:      # a dead crawl's: its lock went with it
                    pending.with_suffix(OWNER_SUFFIX).unlink(missing_ok=True)
                loaded += 1
        sweep_sidecars(staging)
        if loaded:   # every batch wrote its own small Parquet files: merge them (never fails the load)
            compact(con, say=say)
        # Rebuilt only past a threshold of new articles (and every night under `serve`): its cost
        # grows with the whole warehouse; `search` finds the articles not indexed yet without it.
        refresh_index(con)
    finally:
        con.close()
    return by_run


def process_staged(path: Path, registry: Registry, tagger, con, run_id: str, batch_size: int = BATCH_SIZE,
                   map_batches=None, stored_keys: set[str] | None = None) -> ProcessSummary:
    """Extract, tag and load one staged file, in batches; safe to run twice (loads are idempotent).

    `map_batches(batches) -> iterable of BatchResult` lets a caller fan the pure work
    (`pipelines.process`) out, e.g. to worker processes (`flows.processes`); loading always happens
    here, in this one process, which is DuckDB's single writer, one short transaction a batch.

    The summary counts articles and appearances as the loader stored them: one row per URL key.
    The same article staged twice (an AMP copy and its original, two crawls or two partitions
    staging it before one load) is one row, so it counts once; `stored_keys` carries the keys
    already counted across the staged files of one load."""
    from pipelines.process import batches, process_batch
    from pipelines.staging import read_checks, read_staged
    from pipelines.urls import host_of
    from warehouse.load import load_batch, load_feed_checks, load_outlets

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
        _count_once(result.summary, result.tagged, stored_keys if stored_keys is not None else set())
        summary.merge(result.summary)
        summary.new_articles += counts["new_articles"]
    load_outlets(con, registry, hosts)
    return summary


def _count_once(summary: ProcessSummary, tagged, seen: set[str]) -> None:
    """Take back the articles and appearances of a batch whose URL key was counted already (in
    this batch or an earlier one of the same load): the warehouse holds them once."""
    for t in tagged:
        key = t.article.url_key
        if key not in seen:
            seen.add(key)
            continue
        summary.articles -= 1
        summary.count(t.article.outlet, "articles", -1)
        if t.tags.is_appearance:
            summary.appearances -= 1
            summary.count(t.article.outlet, "appearances", -1)


def record(db: Path, result: CrawlResult, sources: Path, since, until) -> None:
    """The run in `crawl_runs`: what it fetched and loaded, for `prodesc-monitor` and analysts."""
    from warehouse.db import connect, transactions
    from warehouse.load import record_run

    con = connect(db)
    try:
        for txn in transactions(con, who="crawl"):
            with txn:
                record_run(con, result.run_id, result.started_at, str(sources), since, until, "ok",
                           {"crawl": result.crawl_stats, "load": result.loaded.as_dict(),
                            "leftovers": {run: summary.as_dict() for run, summary in result.leftovers.items()}})
    finally:
        con.close()


def refresh_search_index(db: Path, force: bool = True) -> dict:
    """The full-text index rebuilt (the nightly run under `serve`); with `force=False`, only when
    `warehouse.search.rebuild_due` says so. Searches go on meanwhile (the file is swapped whole)."""
    from warehouse.db import connect
    from warehouse.lake import locate
    from warehouse.search import index_state, refresh_index

    if not locate(db).exists():        # nothing loaded yet: nothing to index (and nothing created)
        return {"rebuilt": False, "indexed": 0, "behind": 0, "added": 0}
    con = connect(Path(db))
    try:
        before = refresh_index(con, force=force)
        state = index_state(con)
    finally:
        con.close()
    return {"rebuilt": before is not None, "indexed": state.indexed, "behind": state.behind,
            "added": before.behind if before else 0}


# ------------------------------------------------------------------ retag: the stored articles again

def retag(db: Path, tagger=None, batch_size: int = 500, say=print) -> dict:
    """Tag every stored article again (after the knowledge base changed). Fetches nothing."""
    from warehouse.articles import article_texts, article_urls
    from warehouse.db import compact, connect
    from warehouse.load import apply_tags, load_entities
    from warehouse.search import rebuild_index

    if tagger is None:
        from nlp.tagger import Tagger
        tagger = Tagger.load()
    con = connect(db, say=say)
    try:
        load_entities(con, tagger.entities())
        urls = article_urls(con)
        changed = 0
        for i in range(0, len(urls), batch_size):
            rows = article_texts(con, urls[i:i + batch_size])
            changed += apply_tags(con, [(u, tagger.tag(t, x, author=a)) for u, t, x, a in rows], tagger.kb_version)
        compact(con, say=say)   # a retag rewrites rows batch by batch: merge the files it left
        rebuild_index(con)
    finally:
        con.close()
    return {"articles": len(urls), "changed": changed, "kb_version": tagger.kb_version}


def retag_if_changed(db: Path, only_if_changed: bool = True, say=print, tell=print) -> dict:
    """Retag only when the stored verdicts were made with another knowledge base (the daily
    schedule): an unchanged knowledge base would give the same verdicts. `say` gets warnings
    (a locked database), `tell` what was decided."""
    from nlp.tagger import Tagger

    tagger = Tagger.load()
    if only_if_changed and stored_kb_versions(Path(db)) <= {tagger.kb_version}:
        tell(Words(artifact_lang())("kb_unchanged", kb_version=tagger.kb_version))
        return {"articles": 0, "changed": 0, "kb_version": tagger.kb_version}
    return retag(Path(db), tagger=tagger, say=say)


def stored_kb_versions(db: Path) -> set[str]:
    """Knowledge-base versions the stored verdicts were made with (empty for a new database)."""
    from warehouse.articles import kb_versions
    from warehouse.db import connect
    from warehouse.lake import WarehouseMissing

    try:                                  # not Path(db).exists(): see write_known
        con = connect(db, read_only=True)
    except WarehouseMissing:
        return set()
    try:
        return kb_versions(con)
    finally:
        con.close()


# ------------------------------------------------------------------ the files people read

def tally_year(year: int | None) -> int:
    """The year-end tally's year: the one asked for, or last year (it runs in January)."""
    return year or last_year()


def write_tally_files(db: Path, year: int, out_dir: Path) -> list[str]:
    """The annual-report table as CSV, XLSX and Markdown; a frozen year's is its frozen snapshot
    (the number already published), marked `-frozen` in the file names."""
    from warehouse.db import connect
    from flows.report.annual import year_paragraph
    from warehouse.tally import frozen_years, tally, write_outputs

    con = connect(db)
    try:
        frozen = any(y[0] == year for y in frozen_years(con))
        table = tally(con, year, frozen=frozen)
        paragraphs = {lang: year_paragraph(table, year, lang) for lang in ("es", "en")}
        return [str(p) for p in write_outputs(table, year, out_dir, "-frozen" if frozen else "",
                                              paragraphs=paragraphs)]
    finally:
        con.close()


def tally_text(db: Path, year: int) -> str:
    """The year's live tally as a plain-text table (attached to the scheduled run)."""
    from warehouse.db import connect
    from warehouse.tally import format_table, tally

    con = connect(db, read_only=True)
    try:
        return format_table(tally(con, year), year)
    finally:
        con.close()


def write_weekly_report(db: Path, out_dir: Path, week: str | None = None, lang: str = "es") -> list[str]:
    """Monday's report files (HTML, CSV, XLSX) for `week`, by default the last full week."""
    from flows.report import write_weekly_report as write

    return [str(p) for p in write(Path(db), Path(out_dir), week=week, lang=lang)]
