"""Reading RSS and Atom bodies that Scrapy fetched, with feedparser.

feedparser is given the bytes and the HTTP headers (never a URL: it has no
timeout), and it copes with RSS 0.9x/1.0/2.0, Atom, wrong encodings and
ill-formed XML as far as anything can. An ill-formed feed ("bozo") is logged
and counted by the caller, and whatever entries could be read are still used.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import feedparser


@dataclass(frozen=True)
class FeedEntry:
    link: str
    title: str | None
    published: datetime | None   # UTC; feedparser normalises every date format to UTC


@dataclass(frozen=True)
class ParsedFeed:
    entries: tuple[FeedEntry, ...]
    bozo: bool
    problem: str | None
    dropped: int = 0             # entries whose link is not a fetchable URL (docs/reliability.md)
    capped: int = 0              # entries past `max_entries`, never parsed (docs/reliability.md)


# The start of an RSS <item> or Atom <entry> (also prefixed, as RSS 1.0's rdf documents may write it).
_ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")


def parse_feed(body: bytes, base_url: str, content_type: str | None = None,
               max_entries: int | None = None) -> ParsedFeed:
    """The feed's entries with a fetchable link. Past `max_entries` entries the body is cut before
    feedparser sees it: a 100 000-item feed of 3.4 MB (within DOWNLOAD_MAXSIZE) took 15 s and
    120 MB to parse, then 100 000 requests; cut at 2000, 0.8 s and 43 MB. feedparser reads the entries of a
    cut feed as it reads any truncated feed; the cut is ours, so it is not reported as ill-formed."""
    headers = {"content-type": content_type} if content_type else {}
    capped = 0
    if max_entries is not None:
        starts = [m.start() for m in _ENTRY_START.finditer(body)]
        if len(starts) > max_entries:
            capped = len(starts) - max_entries
            body = body[:starts[max_entries]]
    parsed = feedparser.parse(body, response_headers=headers)
    entries, dropped = [], 0
    for e in parsed.entries:
        link = e.get("link") or next((l.get("href") for l in e.get("links", []) if l.get("href")), None)
        if not link:
            continue
        when = e.get("published_parsed") or e.get("updated_parsed")
        try:
            published = datetime.fromtimestamp(calendar.timegm(when), tz=timezone.utc) if when else None
        except (ValueError, OverflowError, TypeError):  # year 0 or 99999: no date rather than no entry
            published = None
        # A link that is no URL ("http://[::1", port 99999) would make Scrapy's Request raise in the
        # feed callback and lose every later entry of the feed: drop it here, counted.
        try:
            link = urljoin(base_url, link.strip())
            urlsplit(link).port
        except ValueError:
            dropped += 1
            continue
        entries.append(FeedEntry(link=link, title=e.get("title"), published=published))
    bozo = bool(parsed.get("bozo")) and not capped
    problem = str(parsed.get("bozo_exception")) if bozo else None
    return ParsedFeed(entries=tuple(entries), bozo=bozo, problem=problem, dropped=dropped, capped=capped)
