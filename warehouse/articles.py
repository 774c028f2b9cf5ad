"""Reading stored articles for the jobs that work over all of them: the crawl's list of
what not to fetch again, and retagging after the knowledge base changed.

Each function runs one query file of `warehouse/queries/` through the query runner in
warehouse/db.py; they only read. Retagging's writes are `warehouse.load.apply_tags`
(one transaction per batch).
"""
from __future__ import annotations

from collections.abc import Sequence

from pipelines.urls import url_key
from warehouse.db import rows


def known_url_keys(con) -> set[str]:
    """URL keys the next crawl need not fetch again (stored articles, pages found not to be
    articles); the spider skips them. Keys, so a tracking parameter never refetches a page."""
    return {url_key(u) for (u,) in rows(con, "known_urls")}


def article_urls(con) -> list[str]:
    """Every stored article's URL, in a stable order (retag works through them in batches)."""
    return [u for (u,) in rows(con, "article_urls")]


def article_texts(con, urls: Sequence[str]) -> list[tuple[str, str, str, str | None]]:
    """(url, title, text, author) of the given articles: what the tagger reads."""
    return rows(con, "article_texts", {"urls": list(urls)})


def kb_versions(con) -> set[str]:
    """Knowledge-base versions the stored verdicts were made with (empty for a new database)."""
    return {v for (v,) in rows(con, "kb_versions")}
