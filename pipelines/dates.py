"""The publication date of an article, and where it came from.

Counting rules §5: the date the article states (its metadata or byline), else the
date of its feed or sitemap entry, else the day it was first seen; always read in
Mexico City time. Structured metadata is read with its time zone, because an
article published at 22:45 on 31 December in Mexico City is stamped 04:45 UTC on
1 January: taking the date part of the UTC stamp would move it to the next year.
Visible bylines are read with dateparser, which knows Spanish, English and French.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import dateparser
from dateparser.search import search_dates
from lxml import html as lxml_html

from pipelines.pagetags import PageTags, page_tags
from pipelines.vocabulary import MEXICO_CITY, TIMEZONE_NAME, today_mexico

# Metadata that states the *publication* time (never "modified"/"updated"), in the order it is
# trusted: (attribute, value) of a <meta content="..."> element, then an element's datetime.
_META_KEYS = (
    ("property", "article:published_time"),
    ("property", "og:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "pubdate"),
    ("name", "publishdate"),
    ("name", "publish-date"),
    ("name", "date"),
    ("name", "DC.date.issued"),
    ("name", "dc.date"),
    ("name", "sailthru.date"),
)
_DATETIME_XPATH = '//*[@itemprop="datePublished"]/@datetime'
_BYLINE_XPATH = (
    '//time[@datetime]/@datetime'
    ' | //*[contains(@class, "date") or contains(@class, "fecha") or contains(@class, "byline")'
    ' or contains(@class, "published") or contains(@class, "time")]//text()'
)
_DATEPARSER_SETTINGS = {
    "TIMEZONE": TIMEZONE_NAME,
    "RETURN_AS_TIMEZONE_AWARE": True,
    "PREFER_DATES_FROM": "past",
    "REQUIRE_PARTS": ["day", "month", "year"],
}
_HAS_DIGIT = re.compile(r"\d")


def to_mexico_city(moment: datetime) -> datetime:
    """A naive time is taken to be Mexico City's own (local outlets rarely state a zone)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=MEXICO_CITY)
    return moment.astimezone(MEXICO_CITY)


def parse_moment(value: str | None, *, visible: bool = False) -> datetime | None:
    """ISO 8601 first (exact, keeps the offset); otherwise dateparser in es/en/fr. Never raises.

    `visible` marks text read off the page, where implausible years are refused.
    """
    if not value or not isinstance(value, str):
        return None
    value = value.strip()[:200]
    if not _HAS_DIGIT.search(value):
        return None
    try:
        iso = value.replace("Z", "+00:00") if value.endswith("Z") else value
        return to_mexico_city(datetime.fromisoformat(iso))
    except (ValueError, OverflowError):  # OverflowError: "0001-01-01T00:00:00Z" has no Mexico City time
        pass
    try:
        parsed = dateparser.parse(value, languages=["es", "en", "fr"], settings=_DATEPARSER_SETTINGS)
        if parsed is None and visible:  # "Publicado el lunes 3 de febrero de 2025": find the date inside
            hits = search_dates(value, languages=["es", "en", "fr"], settings=_DATEPARSER_SETTINGS)
            parsed = hits[0][1] if hits else None
    except Exception:  # dateparser raises on some odd inputs; a bad date is simply no date
        return None
    if parsed is None:
        return None
    try:
        moment = to_mexico_city(parsed)
    except (ValueError, OverflowError):  # a year at the edge of the calendar (reliability: bad bytes)
        return None
    if visible and not (1990 <= moment.year <= today_mexico().year + 1):
        return None  # a year in a headline or a phone number, not a byline date
    return moment


def _json_ld_dates(tags: PageTags) -> list[str]:
    found = []
    for data in tags.json_ld:
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                if isinstance(node.get("datePublished"), str):
                    found.append(node["datePublished"])
                stack.extend(v for k, v in node.items() if k == "@graph" or isinstance(v, (dict, list)))
    return found


def _meta_dates(tree, tags: PageTags):
    """The publication-time metadata values, in `_META_KEYS` order and document order within
    each key: what one `//meta[@attr="value"]/@content` XPath per key gave, from the page's
    <meta> elements found once (pipelines/pagetags.py)."""
    for attr, wanted in _META_KEYS:
        yield from tags.meta_contents(attr, wanted)
    yield from tree.xpath(_DATETIME_XPATH)


def stated_date(tree, tags: PageTags | None = None) -> tuple[datetime | None, str | None]:
    """The date the page itself states: (moment in Mexico City, 'metadata' | 'byline')."""
    tags = tags or page_tags(tree)
    for value in _json_ld_dates(tags):
        moment = parse_moment(value)
        if moment:
            return moment, "metadata"
    for value in _meta_dates(tree, tags):
        moment = parse_moment(value)
        if moment:
            return moment, "metadata"
    for value in tree.xpath(_BYLINE_XPATH)[:20]:
        moment = parse_moment(str(value), visible=True)
        if moment:
            return moment, "byline"
    return None, None


def choose_date(
    tree, listed_at: str | None, extractor_date: str | Callable[[], str | None] | None, first_seen: datetime,
    tags: PageTags | None = None,
) -> tuple[datetime | None, date, str]:
    """Apply the counting rules' order. Returns (moment or None, Mexico City date, source).

    `extractor_date` may be a function: the extractor's date search is only run when the page
    and its listing give no date (most pages state one). `tags`: the page's metadata elements,
    when the caller has found them already."""
    moment, source = stated_date(tree, tags) if tree is not None else (None, None)
    if moment:
        return moment, moment.date(), source
    listed = parse_moment(listed_at)
    if listed:
        return listed, listed.date(), "listing"
    extracted = parse_moment(extractor_date() if callable(extractor_date) else extractor_date)
    if extracted:
        return None, extracted.date(), "extractor"
    seen = to_mexico_city(first_seen)
    return None, seen.date(), "first_seen"


def parse_tree(body: bytes | str):
    """An lxml tree for metadata look-ups, or None for an empty/unparseable body."""
    try:
        return lxml_html.fromstring(body) if body else None
    except (ValueError, lxml_html.etree.ParserError):
        return None
