"""From staged pages to tagged articles: extract and tag, one page or one batch at a time.

Pure functions, no database: this is the CPU work that may be fanned out to other
processes (a worker of `flows.processes` imports this, extraction and whatever tagger it is given,
never the warehouse). Reading staged files and loading the results is the
application's job (`flows/steps.py`, `process_staged`). Pages are counted per outcome for the run
summary.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import replace

from pipelines.extract import extract_article
from pipelines.records import BatchResult, FetchedPage, Skip, SkipReason, Tagged
from pipelines.registry import Registry

log = logging.getLogger(__name__)


def process_page(page: FetchedPage, registry: Registry, tagger) -> Tagged | Skip:
    """Pure: one fetched page -> `Tagged` or `Skip`."""
    result = extract_article(page, registry)
    if isinstance(result, Skip):
        return result
    tags = tagger.tag(result.title, result.text, author=result.author)  # signed columns count (rules §2)
    return Tagged(article=result, tags=tags)


def batches(items: Iterable, size: int) -> Iterator[list]:
    """`items` in lists of `size` (the last one shorter)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _counted_skip(skip: Skip, page: FetchedPage) -> Skip:
    """A page that got no answer at all is a failed fetch, with the crawler's reason as detail."""
    if skip.reason == SkipReason.HTTP_ERROR and page.status == 0:
        return Skip(skip.url, SkipReason.FETCH_FAILED, f"error: {page.error}" if page.error else page.content_type)
    return skip


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
            result = Skip(page.url, SkipReason.NO_TEXT, f"processing error: {exc.__class__.__name__}")
        if isinstance(result, Skip):
            skip = _counted_skip(result, page)
            summary.skipped[skip.reason] += 1
            summary.count(outlet.name, f"skipped: {skip.reason}")
            out.skips.append((skip, outlet.name))
            continue
        out.tagged.append(result)
        # Kept for raw-page storage, which stores the staged compressed body as it is: only that
        # travels back from a worker (a real page is ~229 KB, ~43 KB compressed).
        out.pages[result.article.raw_sha1] = page if page.body_gz is None else replace(page, body=b"")
        summary.articles += 1
        summary.count(result.article.outlet, "articles")
        if result.tags.is_appearance:
            summary.appearances += 1
            summary.count(result.article.outlet, "appearances")
    return out
