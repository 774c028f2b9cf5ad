"""Typed records passed between stages.

`FetchedPage` is what the crawler hands over (bytes and how they were found);
`Article` is what extraction makes of it. Each stage owns its fields, so a
reader can tell where any stored value came from.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class FetchedPage:
    url: str                  # the URL as listed (feed/sitemap/discovery), canonicalised
    final_url: str            # after redirects
    status: int
    content_type: str
    body: bytes
    discovered_via: str       # feed | discovery | sitemap
    source_url: str           # the feed or sitemap that listed it
    listed_at: str | None     # ISO date-time the feed/sitemap gave, if any
    listed_title: str | None
    fetched_at: str           # ISO date-time, UTC

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("body")
        return d


@dataclass(frozen=True)
class Article:
    url: str                  # canonical URL (identity of the appearance)
    url_key: str              # scheme-less key used to merge variants
    fetched_url: str
    outlet: str
    domain: str
    title: str
    author: str | None
    text: str                 # main text: lead and body, no menus or comments
    language: str | None
    published_at: datetime | None
    published_date: date
    date_source: str          # metadata | byline | listing | extractor | first_seen
    discovered_via: str
    source_url: str
    fetched_at: datetime
    fingerprint: str          # SimHash of the text, for syndication groups
    raw_sha1: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FeedCheck:
    """One feed or sitemap read in one run: how many entries it gave, or why none."""
    listing_url: str
    via: str                  # feed | discovery | sitemap
    outlet: str
    status: int               # HTTP status (0: no answer)
    entries: int
    problem: str | None       # ill-formed XML, error message...
    from_cache: bool          # unchanged since last run (answered 304)
    checked_at: str
