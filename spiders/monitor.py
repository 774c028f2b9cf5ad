"""The monitoring spider: outlet feeds, news-search feeds and (for backfills) sitemaps.

It only fetches. Every page it reaches becomes a `FetchedPage` item (bytes plus how
it was found) or a recorded failure; extraction, tagging and storage happen later,
outside Scrapy, so a slow extractor never stalls the crawl and a crash after the
crawl loses nothing. Sitemap handling is Scrapy's own `SitemapSpider` (robots.txt
`Sitemap:` lines, indexes, gzip); we add the date window on `lastmod`.
"""
from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime, time, timezone
from functools import cached_property
from typing import Any

from scrapy import Request
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.spiders import SitemapSpider
from scrapy.utils.misc import load_object
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

from pipelines.dates import parse_moment
from pipelines.errors import UserError
from pipelines.records import FeedCheck, FetchedPage
from pipelines.registry import load_registry
from pipelines.urls import canonical_key, canonical_url, decode_google_news
from pipelines.vocabulary import MEXICO_CITY
from spiders.feeds import parse_feed
from spiders.safety import valid_url
from spiders.sitemaps import locs_with_entities, news_publication_dates

logger = logging.getLogger(__name__)


def _window_bound(day: str | None, end: bool) -> datetime | None:
    if not day:
        return None
    d = datetime.strptime(day, "%Y-%m-%d").date()
    return datetime.combine(d, time.max if end else time.min, tzinfo=MEXICO_CITY)


class MonitorSpider(SitemapSpider):
    """`prodesc-monitor crawl` runs it with a staging file (`flows.steps.run_scrapy`); a plain
    `scrapy crawl monitor` reads `sources.yaml` of the current directory (`-a sources=...`
    for another) and only collects pages, for Scrapy's feed exports (`-O pages.jsonl`)."""
    name = "monitor"
    sitemap_rules = [("", "parse_article")]

    # Listings are revalidated on every run (a conditional request, answered 304 when unchanged);
    # articles are never cached: known ones are not requested at all.
    LISTING_HEADERS = {"Cache-Control": "max-age=0"}

    @classmethod
    def check_arguments(cls, sources: str = "sources.yaml", since: str | None = None, until: str | None = None,
                        **_: Any) -> None:
        """Raise the UserError a plain `scrapy crawl monitor` would otherwise meet inside Scrapy's
        reactor, where it becomes a traceback and exit code 0 (spiders/commands/crawl.py)."""
        load_registry(sources)
        for name, day in (("since", since), ("until", until)):
            try:
                _window_bound(day, end=False)
            except ValueError:
                raise UserError(f"-a {name}={day}: la fecha debe escribirse AAAA-MM-DD, p. ej. 2023-01-31") from None

    def __init__(self, sources: str = "sources.yaml", since: str | None = None, until: str | None = None,
                 known: str | None = None, outlets: str | None = None, **kw: Any):
        super().__init__(**kw)
        self.registry = load_registry(sources)
        # The whole registry, kept to know which outlet owns a news-search link (see _article_request).
        self.full_registry = self.registry
        self.partitioned = bool(outlets)
        if outlets:  # a partition of the registry (JSON list of outlet names): one worker's share
            wanted = set(json.loads(outlets))
            self.registry = replace(self.registry, outlets=tuple(o for o in self.registry.outlets if o.name in wanted),
                                    discovery=self.registry.discovery if "discovery" in wanted else ())
        self.since = _window_bound(since, end=False)
        self.until = _window_bound(until, end=True)
        self._listed: dict[str, str | None] = {}   # sitemap loc -> lastmod or news publication date
        self._entity_locs: set[str] = set()   # locs of the sitemap being read that use a DTD entity
        self.known = _read_known(known)
        if self.since:
            urls = []
            for outlet in self.registry.outlets:
                # configured sitemaps, and the ones the site declares in robots.txt
                urls.extend(outlet.sitemaps)
                urls.append(f"{_scheme_of(outlet)}://{outlet.domains[0].split('/')[0]}/robots.txt")
            self.sitemap_urls = list(dict.fromkeys(urls))

    # --- start ---------------------------------------------------------------------
    async def start(self):
        for outlet in self.registry.outlets:
            for feed in outlet.feeds:
                yield self._listing_request(feed, self.parse_feed, via="feed", outlet=outlet.name)
        for feed in self.registry.discovery:
            yield self._listing_request(feed.url, self.parse_feed, via="discovery", outlet=feed.name)
        async for request in super().start():   # sitemaps, only for backfills (--since)
            yield self._listing_request(request.url, request.callback, via="sitemap")

    def _listing_request(self, url: str, callback, via: str, outlet: str | None = None) -> Request:
        meta = {"listing": True, "via": via, "outlet": outlet or self.registry.outlet_for_url(url).name}
        kwargs = {"via": via} if callback == self.parse_feed else {}
        return Request(url, callback=callback, errback=self.on_error, headers=self.LISTING_HEADERS,
                       meta=meta, cb_kwargs=kwargs)

    def _check(self, response, entries: int, problem: str | None = None, status: int | None = None):
        """One line per feed or sitemap per run: how silent outlets are noticed."""
        meta = response.meta if response is not None else {}
        return FeedCheck(
            listing_url=(response.url if response is not None else ""), via=meta.get("via", ""),
            outlet=meta.get("outlet", ""), status=status if status is not None else response.status,
            entries=entries, problem=problem,
            from_cache="cached" in getattr(response, "flags", []),
            checked_at=datetime.now(timezone.utc).isoformat())

    # --- listings ------------------------------------------------------------------
    def in_window(self, moment: datetime | None) -> bool:
        if moment is None:
            return True  # no date in the listing: the page's own date decides later
        if self.since and moment < self.since:
            return False
        return not (self.until and moment > self.until)

    def parse_feed(self, response, via: str):
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        feed = parse_feed(response.body, response.url, ctype, self.settings.getint("FEED_MAX_ENTRIES"))
        self.crawler.stats.inc_value(f"prodesc/{via}_feeds")
        if feed.bozo:
            self.crawler.stats.inc_value("prodesc/feeds_ill_formed")
            logger.warning("Feed %s is ill-formed (%s); read %d entries from it anyway",
                           response.url, feed.problem, len(feed.entries))
        if not feed.entries:
            self.crawler.stats.inc_value("prodesc/feeds_empty")
            logger.warning("Feed %s gave no entries", response.url)
        if feed.capped:
            self.crawler.stats.inc_value("prodesc/feed_entries_capped", feed.capped)
            logger.warning("Feed %s lists %d entries beyond FEED_MAX_ENTRIES (%d): only the first %d are read",
                           response.url, feed.capped, *[self.settings.getint("FEED_MAX_ENTRIES")] * 2)
        if feed.dropped:
            self.crawler.stats.inc_value("prodesc/listed_not_a_url", feed.dropped)
            logger.warning("Feed %s: %d entries link to no valid web address; skipped", response.url, feed.dropped)
        yield self._check(response, len(feed.entries), feed.problem)
        for entry in feed.entries:
            if not self.in_window(entry.published):
                self.crawler.stats.inc_value("prodesc/listed_outside_window")
                continue
            request = self._article_request(entry.link, via, response.url,
                                            entry.published.isoformat() if entry.published else None, entry.title)
            if request is not None:
                yield request

    def sitemap_filter(self, entries):
        """Keep sitemap entries whose lastmod falls in the window, and remember each
        article's lastmod: it is the date of last resort before "first seen"."""
        is_index = getattr(entries, "type", None) == "sitemapindex"
        for entry in entries:
            if (entry.get("loc") or "") in self._entity_locs:
                self.crawler.stats.inc_value("prodesc/listed_with_entity")
                logger.warning("Sitemap entry %r uses an XML entity; skipped", (entry.get("loc") or "")[:200])
                continue
            if not valid_url(entry.get("loc") or ""):
                # Scrapy would raise on it and lose the rest of the sitemap: skip just this entry
                self.crawler.stats.inc_value("prodesc/listed_not_a_url")
                logger.warning("Sitemap entry %r is not a web address; skipped", (entry.get("loc") or "")[:200])
                continue
            moment = parse_moment(entry.get("lastmod"))
            if is_index:
                # an index's lastmod is the newest change inside that child sitemap
                if moment is None or not self.since or moment >= self.since:
                    yield entry
                continue
            if not self.in_window(moment):
                self.crawler.stats.inc_value("prodesc/listed_outside_window")
                continue
            self._listed[entry["loc"]] = entry.get("lastmod")
            yield entry

    def _parse_sitemap(self, response):
        if not response.url.endswith("/robots.txt"):
            # Scrapy's parser drops Google News sitemaps' publication dates: read them here.
            body = self._get_sitemap_body(response) or b""
            news_dates = news_publication_dates(body) if b"publication_date" in body else {}
            self._entity_locs = locs_with_entities(body) if b"<!ENTITY" in body.upper() else set()
        else:
            news_dates, self._entity_locs = {}, set()
        entries = 0
        for request in super()._parse_sitemap(response):
            entries += 1
            if request.callback == self.parse_article:
                loc = request.url
                listed = news_dates.get(loc) or self._listed.get(loc)
                article = self._article_request(loc, "sitemap", response.url, listed, None)
                if article is not None:
                    yield article
            else:
                yield self._listing_request(request.url, request.callback, via="sitemap")
        if not response.url.endswith("/robots.txt"):
            yield self._check(response, entries)

    def _article_request(self, link: str, via: str, source: str, listed_at: str | None, title: str | None):
        self.crawler.stats.inc_value(f"prodesc/listed/{via}")
        link = decode_google_news(link) or link
        canonical = canonical_url(link)   # once: it is both the key and the URL fetched
        if canonical_key(canonical, link) in self.known:
            self.crawler.stats.inc_value("prodesc/skipped/already_stored")
            return None
        if via == "discovery" and self._other_partition_owns(link):
            self.crawler.stats.inc_value("prodesc/skipped/other_partition")
            return None
        return Request(
            canonical, callback=self.parse_article, errback=self.on_error,
            meta={"via": via, "source": source, "listed_at": listed_at, "listed_title": title, "dont_cache": True},
        )

    def _other_partition_owns(self, link: str) -> bool:
        """In a partitioned crawl, a news-search link to a registry outlet that is not ours: that
        outlet's own partition reads its feed (and, in backfills, its sitemap), so fetching it here
        too would fetch the article twice and stage it twice. The trade-off: an article that only
        the news search lists, from an outlet of another partition, is not fetched by this run; the
        outlet's feed or sitemap has to list it (the next backfill's sitemaps usually do). Links to
        hosts outside the registry have no other partition to fetch them, so they stay here."""
        if not self.partitioned:
            return False
        owner = self.full_registry.outlet_for_url(link)
        return owner.in_registry and owner not in self.registry.outlets

    # --- pages ---------------------------------------------------------------------
    def parse_article(self, response):
        meta = response.meta
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        is_text = isinstance(response, TextResponse)
        if not is_text:
            self.crawler.stats.inc_value("prodesc/skipped/not_html")
        yield FetchedPage(
            url=response.request.meta.get("redirect_urls", [response.url])[0],
            final_url=response.url,
            status=response.status,
            content_type=ctype,
            body=response.body if is_text else b"",
            discovered_via=meta.get("via", "sitemap"),
            source_url=meta.get("source", ""),
            listed_at=meta.get("listed_at"),
            listed_title=meta.get("listed_title"),
            fetched_at=datetime.now(timezone.utc).isoformat(),
        )

    @cached_property
    def _retried(self) -> tuple[tuple[type, ...], frozenset[int]]:
        """What Scrapy's own retry middleware counts as passing: exceptions and HTTP codes."""
        settings = self.crawler.settings
        exceptions = tuple(load_object(e) if isinstance(e, str) else e for e in settings.getlist("RETRY_EXCEPTIONS"))
        return exceptions, frozenset(int(c) for c in settings.getlist("RETRY_HTTP_CODES"))

    def _is_transient(self, failure) -> bool:
        """A timeout, a refused or lost connection, a name that did not resolve, a 5xx: the
        network or the site may be back later. A 404 or a refusal of ours will not change."""
        exceptions, codes = self._retried
        if failure.check(HttpError):
            return failure.value.response.status in codes
        return bool(exceptions) and failure.check(*exceptions) is not None

    def on_error(self, failure):
        """A failed fetch is recorded (and counted), never silently lost."""
        request = failure.request
        if failure.check(HttpError):
            status, reason = failure.value.response.status, f"HTTP {failure.value.response.status}"
        elif failure.check(DNSLookupError):
            status, reason = 0, "DNS lookup failed"
        elif failure.check(TimeoutError, TCPTimedOutError):
            status, reason = 0, "timed out"
        else:
            status, reason = 0, failure.getErrorMessage()[:200] or failure.type.__name__
        what = "listing" if request.meta.get("listing") else "page"
        self.crawler.stats.inc_value(f"prodesc/failed/{what}")
        if self._is_transient(failure):   # worth another run later (`flows.steps.fetch`)
            self.crawler.stats.inc_value(f"prodesc/failed/{what}/transient")
        logger.warning("Could not fetch %s %s: %s", what, request.url, reason)
        if request.meta.get("listing"):
            if request.url.endswith("/robots.txt"):
                return None
            return FeedCheck(listing_url=request.url, via=request.meta.get("via", ""),
                             outlet=request.meta.get("outlet", ""), status=status, entries=0, problem=reason,
                             from_cache=False, checked_at=datetime.now(timezone.utc).isoformat())
        return FetchedPage(
            url=request.url, final_url=request.url, status=status, content_type="",
            body=b"", discovered_via=request.meta.get("via", ""), source_url=request.meta.get("source", ""),
            listed_at=request.meta.get("listed_at"), listed_title=request.meta.get("listed_title"),
            fetched_at=datetime.now(timezone.utc).isoformat(), error=reason,
        )


def _read_known(path: str | None) -> frozenset[str]:
    """URL keys of articles already stored: the crawl does not fetch them again."""
    if not path:
        return frozenset()
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def _scheme_of(outlet) -> str:
    for url in (*outlet.feeds, *outlet.sitemaps):
        if url.startswith("https://"):
            return "https"
        if url.startswith("http://"):
            return "http"
    return "https"
