"""The steps of a crawl run as plain functions: fetch with Scrapy (in its own
process), then extract, tag and load.

`flows/crawl.py` wraps these in a Prefect flow; nothing here imports Prefect, so
everything stays testable (and usable) without a Prefect server. Scrapy runs as a
child process because Twisted's reactor cannot be restarted inside a long-lived
flow runner. The crawl stages pages on disk next to the database; loading reads
them afterwards. Staged files that were never loaded (a crash, a locked database)
are loaded by the next run first, so nothing fetched is ever lost.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipelines.errors import TransientFetchError
from pipelines.records import ProcessSummary
from pipelines.registry import load_registry

# Settings that make sense only against a server on this machine (the demo, tests).
LOCAL_SERVER_SETTINGS = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}


@dataclass
class CrawlResult:
    run_id: str
    started_at: datetime
    crawl_stats: dict
    loaded: ProcessSummary
    staged_files: list[str] = field(default_factory=list)


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def staging_dir_for(db: Path) -> Path:
    return Path(db).resolve().parent / "staging"


def write_known(db: Path, path: Path) -> Path | None:
    """Write the URL keys already stored (one per line) for the spider to skip; None if no database yet."""
    from pipelines.urls import url_key
    from warehouse.db import connect, query

    if not Path(db).exists():
        return None
    con = connect(db, read_only=True)
    try:
        keys = {url_key(u) for (u,) in con.execute(query("known_urls")).fetchall()}
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
    log_path.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0 or not stats_file.exists():
        raise RuntimeError(f"The crawler stopped with an error (exit {proc.returncode}); its log is in {log_path}:\n"
                           + "\n".join((proc.stderr or "").strip().splitlines()[-15:]))
    return json.loads(stats_file.read_text())


def pending_staged(staging_dir: Path) -> list[Path]:
    return sorted(p for p in staging_dir.glob("*.jsonl"))


def mark_loaded(path: Path) -> None:
    done = path.parent / "loaded"
    done.mkdir(exist_ok=True)
    for p in (path, path.with_suffix(".stats.json"), path.with_suffix(".log"), path.with_suffix(".known.txt")):
        if p.exists():
            p.replace(done / p.name)


def load_staged(db: Path, sources: Path, tagger=None, say=print, map_batches=None) -> ProcessSummary:
    """Load every staged file not yet loaded into the database (idempotent). Each file keeps the
    run id of the crawl that fetched it (its name).

    `map_batches` fans extraction and tagging out (see `flows.process.process_staged`)."""
    from flows.process import process_staged   # DuckDB loads only when there is something to load
    from warehouse.db import connect
    from warehouse.load import load_entities
    from warehouse.search import rebuild_index

    registry = load_registry(sources)
    if tagger is None:
        from nlp.tagger import Tagger  # spaCy loads only when there is something to tag
        tagger = Tagger.load()
    total = ProcessSummary()
    con = connect(db, say=say)
    try:
        load_entities(con, tagger.entities())
        for path in pending_staged(staging_dir_for(db)):
            summary = process_staged(path, registry, tagger, con, path.stem,  # the crawl that fetched it
                                     map_batches=map_batches)
            total.merge(summary)
            mark_loaded(path)
        rebuild_index(con)
    finally:
        con.close()
    return total


def cache_dir_for(db: Path) -> Path:
    return Path(db).resolve().parent / "httpcache"


def fetch(sources: Path, db: Path, run_id: str, since=None, until=None, settings=None, env=None,
          refetch: bool = False, outlets: list[str] | None = None) -> dict:
    """The fetching step: known articles skipped (unless `refetch`), listings revalidated."""
    staging = staging_dir_for(db)
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / f"{run_id}.jsonl"
    known = None if refetch else write_known(db, staged.with_suffix(".known.txt"))
    stats = run_scrapy(sources, staged, staged.with_suffix(".stats.json"), since, until, settings, env,
                       known=known, cache_dir=cache_dir_for(db), outlets=outlets)
    read = stats.get("prodesc/feed_feeds", 0) + stats.get("prodesc/discovery_feeds", 0) + stats.get(
        "prodesc/listed/sitemap", 0)
    if not read and stats.get("prodesc/failed/listing", 0):
        message = (f"No feed or sitemap could be read ({stats['prodesc/failed/listing']} failed): is the network or "
                   f"the proxy down? The crawl's log is {staged.with_suffix('.log')}.")
        if stats.get("prodesc/failed/listing/transient", 0):   # timeouts, refused connections, 5xx
            raise TransientFetchError(message)
        raise RuntimeError(message)
    return stats


def crawl(sources: Path, db: Path, since: str | None = None, until: str | None = None,
          settings: dict[str, str] | None = None, env: dict[str, str] | None = None, say=print,
          refetch: bool = False) -> CrawlResult:
    """The whole run as plain function calls (the Prefect flow runs the same steps as tasks)."""
    run_id, started = new_run_id(), datetime.now(timezone.utc)
    staged = staging_dir_for(db) / f"{run_id}.jsonl"
    stats = fetch(sources, db, run_id, since, until, settings, env, refetch)
    loaded = load_staged(db, sources, say=say)
    result = CrawlResult(run_id, started, stats, loaded, [str(staged)])
    record(db, result, sources, since, until)
    return result


def record(db: Path, result: CrawlResult, sources: Path, since, until) -> None:
    from warehouse.db import connect
    from warehouse.load import record_run

    con = connect(db)
    try:
        record_run(con, result.run_id, result.started_at, str(sources), since, until, "ok",
                   {"crawl": result.crawl_stats, "load": result.loaded.as_dict()})
    finally:
        con.close()


def retag(db: Path, tagger=None, batch_size: int = 500, say=print) -> dict:
    """Tag every stored article again (after the knowledge base changed). Fetches nothing."""
    from warehouse.db import connect
    from warehouse.load import apply_tags, load_entities
    from warehouse.search import rebuild_index

    if tagger is None:
        from nlp.tagger import Tagger
        tagger = Tagger.load()
    con = connect(db, say=say)
    try:
        load_entities(con, tagger.entities())
        urls = [r[0] for r in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]
        changed = 0
        for i in range(0, len(urls), batch_size):
            chunk = urls[i:i + batch_size]
            rows = con.execute("SELECT url, coalesce(title, ''), coalesce(main_text, ''), author FROM articles "
                               "WHERE url IN (SELECT unnest(?))", [chunk]).fetchall()
            changed += apply_tags(con, [(u, tagger.tag(t, x, author=a)) for u, t, x, a in rows], tagger.kb_version)
        rebuild_index(con)
    finally:
        con.close()
    return {"articles": len(urls), "changed": changed, "kb_version": tagger.kb_version}


def stored_kb_versions(db: Path) -> set[str]:
    """Knowledge-base versions the stored verdicts were made with (empty for a new database)."""
    from warehouse.db import connect

    if not Path(db).exists():
        return set()
    con = connect(db, read_only=True)
    try:
        return {v for (v,) in con.execute("SELECT DISTINCT kb_version FROM articles WHERE kb_version IS NOT NULL").fetchall()}
    finally:
        con.close()
