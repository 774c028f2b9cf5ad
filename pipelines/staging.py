"""Scrapy item pipeline: stage every fetched page durably on disk.

The crawl writes here, never to the warehouse: fetching and storing stay apart, so
staged pages survive a busy catalog or a crash and are loaded (idempotently) by the
next load step. One JSON line per
page, the body gzip-compressed and base64-encoded, flushed as it is written, so a
crawl killed mid-way leaves at worst one torn last line, which the reader skips.

A staged file is locked (an exclusive `flock`, `try_lock`) by the crawl writing it and by
the load reading it: another load, on this machine or another one sharing the folder
(several machines on one PostgreSQL catalog), leaves it alone meanwhile. The kernel drops
a lock when its process dies, so a killed crawl's pages are loaded by the next load.
"""
from __future__ import annotations

import base64
import gzip
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from pipelines.records import FeedCheck, FetchedPage

logger = logging.getLogger(__name__)


def encode_page(page: FetchedPage) -> str:
    record = page.to_json()
    record["body_gz"] = base64.b64encode(gzip.compress(page.body, compresslevel=5)).decode("ascii")
    return json.dumps(record, ensure_ascii=False)


def decode_page(line: str) -> FetchedPage:
    record = json.loads(line)
    body_gz = base64.b64decode(record.pop("body_gz"))
    return FetchedPage.from_json(record, gzip.decompress(body_gz), body_gz)


def encode_check(check: FeedCheck) -> str:
    return json.dumps({"kind": "feed_check", **asdict(check)}, ensure_ascii=False)


def try_lock(fh) -> bool:
    """Take the staged file's exclusive lock without waiting; False if another process holds it.

    The crawl that writes a staged file holds this lock until the file is whole, and so does a
    loader while it loads it: a loader skips a file it cannot lock. The kernel drops the lock when
    its holder dies, so a killed crawl's file is loaded by the next run."""
    try:
        import fcntl
    except ImportError:          # not POSIX: no advisory locks, the old behaviour
        return True
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def recover_unnamed(staging_dir: Path) -> list[Path]:
    """Staged files a crawl was killed with before it could give them their name.

    A crawl creates its file as `.<name>.<pid>.new`, locks it and renames it at once
    (`StagingPipeline.open_spider`); killed in between, it leaves the hidden file behind. One
    nobody holds is given its name (or removed if empty), so its pages are loaded like any other.
    Returns the files named."""
    named = []
    for hidden in Path(staging_dir).glob(".*.new"):
        target = hidden.with_name(hidden.name[1:].rsplit(".", 2)[0])
        try:
            fh = open(hidden, "rb")
        except FileNotFoundError:
            continue
        with fh:
            if not try_lock(fh):
                continue                      # its crawl is alive and about to rename it
            try:
                if os.fstat(fh.fileno()).st_size == 0:
                    hidden.unlink()
                elif not target.exists():
                    os.replace(hidden, target)
                    named.append(target)
            except FileNotFoundError:
                pass
    return named


def read_staged(path: Path):
    """Yield (page, None) or (None, error) per page line: a torn line is reported, never fatal."""
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith('{"kind": "feed_check"'):
                continue
            try:
                yield decode_page(line), None
            except Exception as exc:  # a line cut by a crash: count it and go on
                yield None, f"{path.name}:{n}: unreadable staged line ({exc.__class__.__name__})"


def read_checks(path: Path) -> list[FeedCheck]:
    checks = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith('{"kind": "feed_check"'):
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                record.pop("kind")
                checks.append(FeedCheck(**record))
    return checks


class StagingPipeline:
    def __init__(self, path: str, stats_path: str | None, stats):
        self.path = Path(path)
        self.stats_path = Path(stats_path) if stats_path else None
        self.stats = stats
        self.fh = None

    @classmethod
    def from_crawler(cls, crawler):
        """Staging needs a file per run, which only `prodesc-monitor crawl` names (and then loads).
        A plain `scrapy crawl monitor` has none: the pipeline turns itself off (Scrapy's
        `NotConfigured`) and the crawl only collects pages for Scrapy's feed exports (-O), saying
        so in one line at the start rather than failing on the first page."""
        from scrapy.exceptions import NotConfigured   # here: loaders read staged files without Scrapy

        s = crawler.settings
        if not s.get("STAGING_FILE"):
            feeds = list(s.getdict("FEEDS"))
            if feeds:
                logger.info("scrapy crawl monitor solo recoge las páginas (en %s); para guardarlas en el "
                            "almacén use prodesc-monitor crawl", ", ".join(map(str, feeds)))
            else:
                logger.warning("scrapy crawl monitor solo recoge las páginas y, sin -O paginas.jsonl, no las "
                               "guarda; para guardarlas en el almacén use prodesc-monitor crawl")
            raise NotConfigured
        return cls(s.get("STAGING_FILE"), s.get("STATS_FILE"), crawler.stats)

    def open_spider(self, spider=None):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Locked before it is visible: written under a hidden name, locked, then renamed (the lock
        # follows the open file). A loader in another process (a second crawl, `load`) used to pick
        # up a file still being written, load half of it and move it away under its writer.
        hidden = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        self.fh = open(hidden, "a", encoding="utf-8")
        try_lock(self.fh)
        os.replace(hidden, self.path)

    def process_item(self, item, spider=None):
        if isinstance(item, FetchedPage):
            self.fh.write(encode_page(item) + "\n")
            self.stats.inc_value("prodesc/staged")
        elif isinstance(item, FeedCheck):
            self.fh.write(encode_check(item) + "\n")
        self.fh.flush()
        return item

    def close_spider(self, spider=None):
        # The stats first, then the file (and its lock): a loader may take the file the moment it is closed.
        if self.stats_path:
            stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in self.stats.get_stats().items()}
            self.stats_path.write_text(json.dumps(stats, indent=1, sort_keys=True, default=str))
        if self.fh:
            self.fh.close()
