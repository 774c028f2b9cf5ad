"""Typed records passed between stages, in one module.

`FetchedPage` is what the crawler hands over (bytes and how they were found, or why
nothing came); `Article` is what extraction makes of it, a `Skip` what a page that is
not an article becomes; `Tagged` is an article with the tagger's verdict; `BatchResult`
and `ProcessSummary` are what the processing stage reports; `FeedCheck` is one read of a
feed or sitemap. Each stage owns its fields, so a reader can tell where any stored
value came from. Nothing here imports another layer: the tagger's verdict travels as
`TagResult`, a protocol the nlp package's own result satisfies.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from pipelines.vocabulary import Reach, Theme

__all__ = ["Article", "BatchResult", "FeedCheck", "FetchedPage", "ProcessSummary", "Reach", "Skip",
           "SkipReason", "TagResult", "Tagged", "Theme"]

_ERROR_PREFIX = "error: "   # how staged files before the `error` field carried a failed fetch


@dataclass(frozen=True)
class FetchedPage:
    url: str                  # the URL as listed (feed/sitemap/discovery), canonicalised
    final_url: str            # after redirects
    status: int               # HTTP status (0: no answer at all)
    content_type: str
    body: bytes
    discovered_via: str       # feed | discovery | sitemap
    source_url: str           # the feed or sitemap that listed it
    listed_at: str | None     # ISO date-time the feed/sitemap gave, if any
    listed_title: str | None
    fetched_at: str           # ISO date-time, UTC
    error: str | None = None  # why the fetch failed ("DNS lookup failed", "HTTP 404"...); None if it did not
    # `body` gzip-compressed, as the staged file holds it (None for a page not read from one): the
    # warehouse stores these bytes as they are (`raw_pages.body_gz`). Compressing a real page
    # again (229 KB on average) cost the loading process, DuckDB's one writer, 4 ms per page.
    body_gz: bytes | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("body")
        d.pop("body_gz")
        return d

    @classmethod
    def from_json(cls, record: dict, body: bytes, body_gz: bytes | None = None) -> FetchedPage:
        """The inverse of `to_json`. Staged files written before the `error` field carried a
        failed fetch's reason in `content_type` ("error: timed out"): read as an `error`."""
        record = dict(record)
        ctype = record.get("content_type") or ""
        if "error" not in record and ctype.startswith(_ERROR_PREFIX):
            record["error"], record["content_type"] = ctype[len(_ERROR_PREFIX):], ""
        return cls(body=body, body_gz=body_gz, **record)


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
    published_at: datetime | None
    published_date: date
    date_source: str          # metadata | byline | listing | extractor | first_seen
    discovered_via: str
    source_url: str
    fetched_at: datetime
    fingerprint: str          # SimHash of the text, for syndication groups
    raw_sha1: str
    # The byline parsed (pipelines/authors.py): the people who signed, the desk or agency credit,
    # and where they came from ('extractor': `author`; 'metadata' or 'byline': the page, when the
    # extractor found no author). `author` itself is never rewritten: the tagger reads it.
    author_names: tuple[str, ...] = ()
    desk_byline: str | None = None
    author_source: str | None = None


class SkipReason(StrEnum):
    """Why a fetched page is not an article (stored in `skipped_pages.reason`)."""
    NOT_HTML = "not_html"              # a PDF, an image...
    HTTP_ERROR = "http_error"          # an error page (404, 500...)
    EMPTY = "empty"
    NOT_AN_ARTICLE = "not_an_article"  # a tag, section or search page
    NO_TEXT = "no_text"                # nothing readable (or extraction broke)
    FETCH_FAILED = "fetch_failed"      # no answer at all (DNS, refused, timed out, too big)


@dataclass(frozen=True)
class Skip:
    """A page that is not an article, with the reason counted in the crawl summary."""
    url: str
    reason: SkipReason
    detail: str = ""


class TagResult(Protocol):
    """What the warehouse reads of the tagger's verdict (`nlp.tagger.TagResult` is one)."""
    language: str | None
    is_appearance: bool
    theme: str | None
    process: str | None
    secondary_themes: Sequence[str]
    mentions: Sequence


@dataclass(frozen=True)
class Tagged:
    """An extracted article with the tagger's verdict on it."""
    article: Article
    tags: TagResult


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


@dataclass
class ProcessSummary:
    """What processing made of the staged pages, in total and per outlet."""
    pages: int = 0
    articles: int = 0
    appearances: int = 0
    new_articles: int = 0
    skipped: Counter = field(default_factory=Counter)
    unreadable_lines: int = 0
    per_outlet: dict = field(default_factory=dict)   # outlet -> Counter(fetched, articles, appearances, skipped, failed)

    def count(self, outlet: str, what: str, n: int = 1) -> None:
        self.per_outlet.setdefault(outlet, Counter())[what] += n

    def merge(self, part: ProcessSummary) -> None:
        """Add another summary's counts to this one."""
        for name in ("pages", "articles", "appearances", "new_articles", "unreadable_lines"):
            setattr(self, name, getattr(self, name) + getattr(part, name))
        self.skipped.update(part.skipped)
        for outlet, counts in part.per_outlet.items():
            self.per_outlet.setdefault(outlet, Counter()).update(counts)

    def as_dict(self) -> dict:
        return {"pages": self.pages, "articles": self.articles, "appearances": self.appearances,
                "new_articles": self.new_articles, "skipped": {str(k): v for k, v in self.skipped.items()},
                "unreadable_lines": self.unreadable_lines,
                "per_outlet": {k: dict(v) for k, v in sorted(self.per_outlet.items())}}


@dataclass
class BatchResult:
    """What extraction and tagging made of one batch of staged pages (picklable: it may come
    back from another process or machine when the work is fanned out)."""
    tagged: list[Tagged] = field(default_factory=list)
    # raw sha1 -> page, for raw-page storage; a staged page without its body, which `body_gz` holds
    pages: dict[str, FetchedPage] = field(default_factory=dict)
    skips: list[tuple[Skip, str]] = field(default_factory=list)   # (Skip, outlet name)
    summary: ProcessSummary = field(default_factory=ProcessSummary)
