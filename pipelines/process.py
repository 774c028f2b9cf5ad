"""From staged pages to stored appearances: extract, tag, load, in batches.

This is the stage between the crawl (which only fetches) and the warehouse. It
reads the staging file the crawl wrote, extracts and tags each page, and loads
each batch in one short transaction. It is safe to run twice on the same file:
loads are idempotent. Pages are counted per outcome for the run summary.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.extract import Skip, extract_article
from pipelines.records import FetchedPage
from pipelines.registry import Registry
from pipelines.staging import read_checks, read_staged
from pipelines.urls import host_of

log = logging.getLogger(__name__)


@dataclass
class ProcessSummary:
    pages: int = 0
    articles: int = 0
    appearances: int = 0
    new_articles: int = 0
    skipped: Counter = field(default_factory=Counter)
    unreadable_lines: int = 0
    per_outlet: dict = field(default_factory=dict)   # outlet -> Counter(fetched, articles, appearances, skipped, failed)

    def count(self, outlet: str, what: str, n: int = 1) -> None:
        self.per_outlet.setdefault(outlet, Counter())[what] += n

    def as_dict(self) -> dict:
        return {"pages": self.pages, "articles": self.articles, "appearances": self.appearances,
                "new_articles": self.new_articles, "skipped": dict(self.skipped),
                "unreadable_lines": self.unreadable_lines,
                "per_outlet": {k: dict(v) for k, v in sorted(self.per_outlet.items())}}


def process_page(page: FetchedPage, registry: Registry, tagger):
    """Pure: one fetched page -> `Tagged` or `Skip`."""
    from warehouse.load import Tagged  # the record lives with its loader; no DuckDB import at module load
    result = extract_article(page, registry)
    if isinstance(result, Skip):
        return result
    tags = tagger.tag(result.title, result.text, author=result.author)  # signed columns count (rules §2)
    return Tagged(article=result, tags=tags)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class BatchResult:
    """What extraction and tagging made of one batch of staged pages (picklable: it may come
    back from another process or machine when the work is fanned out)."""
    tagged: list = field(default_factory=list)
    pages: dict = field(default_factory=dict)        # raw sha1 -> FetchedPage, for raw-page storage
    skips: list = field(default_factory=list)        # (Skip, outlet name)
    summary: ProcessSummary = field(default_factory=ProcessSummary)


def process_batch(batch: list, registry: Registry, tagger) -> BatchResult:
    """Pure: extract and tag a batch of (page, error) pairs. No database."""
    out = BatchResult()
    summary = out.summary
    for page, error in batch:
        if error:
            summary.unreadable_lines += 1
            log.warning(error)
            continue
        summary.pages += 1
        outlet = registry.outlet_for_url(page.final_url or page.url)
        summary.count(outlet.name, "fetched")
        try:
            result = process_page(page, registry, tagger)
        except Exception as exc:   # one bad page must never lose the batch: record it, go on
            log.exception("Could not process %s", page.url)
            result = Skip(page.url, "no_text", f"processing error: {exc.__class__.__name__}")
        if isinstance(result, Skip):
            failed = result.reason == "http_error" and page.status == 0   # no answer at all
            reason = "fetch_failed" if failed else result.reason
            summary.skipped[reason] += 1
            summary.count(outlet.name, f"skipped: {reason}")
            out.skips.append((Skip(result.url, reason, page.content_type if failed else result.detail), outlet.name))
            continue
        out.tagged.append(result)
        out.pages[result.article.raw_sha1] = page
        summary.articles += 1
        summary.count(result.article.outlet, "articles")
        if result.tags.is_appearance:
            summary.appearances += 1
            summary.count(result.article.outlet, "appearances")
    return out


def merge_summary(total: ProcessSummary, part: ProcessSummary) -> None:
    for name in ("pages", "articles", "appearances", "new_articles", "unreadable_lines"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.skipped.update(part.skipped)
    for outlet, counts in part.per_outlet.items():
        total.per_outlet.setdefault(outlet, Counter()).update(counts)


def process_staged(path: Path, registry: Registry, tagger, con, run_id: str, batch_size: int = 200,
                   map_batches=None) -> ProcessSummary:
    """Extract, tag and load one staged file. `map_batches(batches) -> iterable of BatchResult`
    lets a caller fan the pure work out (e.g. Prefect tasks on a Dask cluster); loading
    always happens here, in this one process, which is DuckDB's single writer."""
    from warehouse.load import load_batch, load_feed_checks, load_outlets

    summary = ProcessSummary()
    # Outlets once per file, not per batch: their merge re-checks every stored article's outlet.
    # Hosts outside the registry count as 'unclassified' in the views even before their row exists.
    load_outlets(con, registry)
    load_feed_checks(con, read_checks(path), run_id)
    batches = _batches(read_staged(path), batch_size)
    if map_batches is None:
        results = (process_batch(batch, registry, tagger) for batch in batches)
    else:
        results = map_batches(batches)
    hosts: set[str] = set()
    for result in results:
        hosts |= {host_of(t.article.url) for t in result.tagged}
        counts = load_batch(con, result.tagged, result.pages, result.skips, run_id, tagger.kb_version)
        merge_summary(summary, result.summary)
        summary.new_articles += counts["new_articles"]
    load_outlets(con, registry, hosts)
    return summary
