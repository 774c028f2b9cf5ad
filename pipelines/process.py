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


def process_staged(path: Path, registry: Registry, tagger, con, run_id: str, batch_size: int = 200) -> ProcessSummary:
    from warehouse.load import load_batch, load_feed_checks, load_outlets

    summary = ProcessSummary()
    load_feed_checks(con, read_checks(path), run_id)
    hosts: set[str] = set()
    for batch in _batches(read_staged(path), batch_size):
        tagged, pages, skips = [], {}, []
        for page, error in batch:
            if error:
                summary.unreadable_lines += 1
                log.warning(error)
                continue
            summary.pages += 1
            outlet = registry.outlet_for_url(page.final_url or page.url)
            summary.count(outlet.name, "fetched")
            result = process_page(page, registry, tagger)
            if isinstance(result, Skip):
                failed = result.reason == "http_error" and page.status == 0   # no answer at all
                reason = "fetch_failed" if failed else result.reason
                summary.skipped[reason] += 1
                summary.count(outlet.name, f"skipped: {reason}")
                skips.append((Skip(result.url, reason, page.content_type if failed else result.detail), outlet.name))
                continue
            hosts.add(host_of(result.article.url))
            tagged.append(result)
            pages[result.article.raw_sha1] = page
            summary.articles += 1
            summary.count(result.article.outlet, "articles")
            if result.tags.is_appearance:
                summary.appearances += 1
                summary.count(result.article.outlet, "appearances")
        load_outlets(con, registry, hosts)
        counts = load_batch(con, tagged, pages, skips, run_id, tagger.kb_version)
        summary.new_articles += counts["new_articles"]
    return summary
