"""From fetched bytes to an `Article`: main text, title, author, canonical URL, date.

trafilatura does the extraction (main text only, reader comments excluded:
counting rules §1 say comments and sidebars are not the article). What is ours is
the decision of *what the page is*: a non-HTML file, an error page or a tag/section
listing never becomes an article, and the choice of date and canonical URL follows
the counting rules. Pure functions: no network, no database.
"""
from __future__ import annotations

import hashlib
import logging
import re
from copy import copy
from html import unescape
from datetime import datetime, timezone
from urllib.parse import urljoin

import trafilatura
from htmldate import find_date
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url
from trafilatura.utils import decode_file, handle_compressed_file, line_processing

from pipelines.authors import parse_byline
from pipelines.authorxpaths import extract_author
from pipelines.dates import choose_date
from pipelines.fingerprint import simhash_hex
from pipelines.htmltree import parse_html
from pipelines.pagekind import listing_reason, listing_shape
from pipelines.pagetags import PageTags, page_tags
from pipelines.records import Article, FetchedPage, Skip, SkipReason
from pipelines.registry import Registry
from pipelines.shortcuts import only_where_it_can_change
from pipelines.teasers import without_teasers
from pipelines.urls import canonical_key, canonical_url, host_of, is_aggregator

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
# A listing page (tag, section, author, search) is known by its URL or by its shape
# (pipelines/pagekind.py), whatever its metadata says; one with no article metadata at all
# is also a listing when it is short or mostly links.
MIN_WORDS_WITHOUT_METADATA = 80
MAX_LINK_DENSITY_WITHOUT_METADATA = 0.4
ARTICLE_OG_TYPES = ("article", "news", "newsarticle", "blogposting")
_ARTICLE_LD_TYPES = ('"NewsArticle"', '"Article"', '"ReportageNewsArticle"', '"OpinionNewsArticle"',
                     '"BlogPosting"', '"AnalysisNewsArticle"')


def _is_html(content_type: str, body: bytes) -> bool:
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in HTML_TYPES:
        return True
    if ctype in ("", "application/octet-stream", "text/plain"):
        return body.lstrip()[:256].lower().startswith((b"<!doctype html", b"<html"))
    return False


def _page_kind(tags: PageTags) -> str | None:
    """'article', 'other' (metadata says it is not an article) or None (no metadata)."""
    og_types = [t.strip().lower() for t in tags.meta_contents("property", "og:type")]
    if any(t in ARTICLE_OG_TYPES for t in og_types):
        return "article"
    if tags.has_meta("property", "article:published_time"):
        return "article"
    for script in tags.json_ld_texts:
        if any(t in script for t in _ARTICLE_LD_TYPES):
            return "article"
    if og_types:
        return "other"  # website, profile, video.other ...
    return None


def _link_density(tree) -> float:
    """Share of the body's text that sits inside links: high on tag and section pages."""
    body = tree.find("body") if tree is not None else None
    if body is None:
        return 0.0
    total = len(" ".join(body.itertext()).split())
    linked = sum(len(" ".join(a.itertext()).split()) for a in body.iter("a"))
    return linked / total if total else 0.0


def _canonical(tags: PageTags, final_url: str, registry: Registry) -> str:
    """rel=canonical when it stays within the same outlet (a syndicated copy pointing to
    another outlet is still that outlet's own appearance: counting rules §1)."""
    own = registry.outlet_for_url(final_url)
    for href in tags.link_hrefs("canonical")[:1]:
        candidate = canonical_url(urljoin(final_url, href.strip()))
        if candidate.startswith("http") and registry.outlet_for_url(candidate).name == own.name:
            return candidate
    return canonical_url(final_url)


# C0/C1 control characters (tab and newlines kept): a title carrying "\x1b[2J" must not drive
# the terminal of whoever prints the tally, nor sit invisibly in a report (docs/reliability.md).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_UTF8_NAMES = ("utf-8", "utf8")


def _printable(text: str | None) -> str | None:
    return _CONTROL.sub("", text) if text else text


def _declared_charset(content_type: str, body: bytes) -> str | None:
    for source in ((content_type or "").encode("latin-1", "replace"), body[:4096]):
        found = _CHARSET.search(source)
        if found:
            return found.group(1).decode("ascii", "replace").lower().replace("_", "-")
    return None


def _decoding(body: bytes, content_type: str) -> tuple[str, bytes | None]:
    """The page as text, decoded once for everything that reads it (the extractor and our metadata
    rules), and its UTF-8 bytes when they are the body itself: most pages, which the parse then
    reads and searches without encoding the text again (pipelines/htmltree.py). Our Windows-1252
    repair first, then trafilatura's own decoding, exactly what it did when handed the bytes.

    Pages that say (or are taken to be) UTF-8 but are not are mostly Windows-1252 (Spanish press,
    old CMSs): left to guess, the extractor read "ñ" as "ń" (Windows-1250). A page that declares
    another charset, or that is compressed, is decoded as trafilatura decodes it (`decode_file`)."""
    declared = _declared_charset(content_type, body)
    if declared and declared not in _UTF8_NAMES:
        return decode_file(body), None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", "replace")
        if text.count("\ufffd") <= 3:   # a few stray bytes in a UTF-8 page
            return text, None
        return body.decode("cp1252", "replace"), None
    # what decode_file returns for valid UTF-8, once it finds nothing to decompress
    return (text, body) if handle_compressed_file(body) is body else (decode_file(body), None)


# Where a page names its author when the extractor found none (`_page_author`): metadata first,
# then the visible byline. Measured on the labelled corpus (../shared/corpus: 153 article pages,
# 121 of them signed): the extractor gave the author of 82; the 39 others sign only in a visible
# line ("Por Alberto Mejía | 12 de noviembre de 2026 10:00", "By Camille Léger | 14 août 2023 à
# 21:16") that it does not read. With this, all 121 (97 names, 24 desk credits), and no name
# invented for the 32 unsigned pages.
_AUTHOR_METAS = (("name", "author"), ("property", "article:author"), ("name", "byl"), ("name", "parsely-author"),
                 ("name", "sailthru.author"), ("name", "dc.creator"), ("name", "DC.creator"))
_AUTHOR_ITEMPROP = '//*[@itemprop="author"]//*[@itemprop="name"]//text()'
_BYLINE_CLASSES = ('//*[contains(@class, "byline") or contains(@class, "autor") or contains(@class, "author")'
                   ' or contains(@class, "firma")]')
_SIGNED_LINE = ('//*[contains(@class, "fecha") or contains(@class, "date") or contains(@class, "meta")'
                ' or contains(@class, "dateline")]')
_SIGNED = re.compile(r"^\s*(?:Por|By|Par)\s+\S", re.I)


_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def _trimmed(value: str | None) -> str | None:
    """What trafilatura's `Document.clean_and_trim` makes of a metadata string."""
    if not isinstance(value, str):
        return value
    if len(value) > 10000:
        value = value[:9999] + "…"
    return line_processing(unescape(value))


def title_and_author(tree) -> tuple[str | None, str | None]:
    """The title and author trafilatura's `extract_metadata` gives, in its own order (meta tags,
    then JSON-LD, then the page's headings and bylines), without the rest of its metadata pass:
    site name, categories, tags, licence and the date search cost as much again, and we use none
    of them (the date is our last resort: `_extractor_date`)."""
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception as exc:  # noqa: BLE001 - as trafilatura: a bug in its JSON-LD reader is no title
        log.debug("JSON-LD metadata not read: %s", exc)
    title = meta.title or extract_title(tree)
    author = meta.author or extract_author(tree)
    return _trimmed(title), _trimmed(author)


def _extractor_date(tree, url: str) -> str | None:
    """trafilatura's date for the page (htmldate, without its slow whole-page search), as
    `extract_metadata` found it; only asked for when the page states no date and no listing
    dated it. On a copy: htmldate may prune the tree it reads."""
    return _trimmed(find_date(copy(tree), url=extract_url(tree, url), **_DATE_PARAMS))


def _json_ld_authors(tags: PageTags) -> list[str]:
    names: list[str] = []
    for data in tags.json_ld:
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                author = node.get("author")
                for a in author if isinstance(author, list) else [author]:
                    name = a.get("name") if isinstance(a, dict) else a
                    if isinstance(name, str) and name.strip():
                        names.append(name.strip())
                stack.extend(v for k, v in node.items() if k == "@graph")
    return names


def _page_author(tree, tags: PageTags) -> tuple[str | None, str | None]:
    """The author the page states when the extractor gave none: (raw text, 'metadata' | 'byline').
    Feeds `author_names` only: `Article.author` stays the extractor's, what the tagger reads."""
    found = _json_ld_authors(tags)
    values = [v for attribute, name in _AUTHOR_METAS for v in tags.meta_contents(attribute, name)]
    for v in values + tree.xpath(_AUTHOR_ITEMPROP):
        if str(v).strip() and "://" not in str(v):
            found.append(str(v).strip())
    if found:
        return "; ".join(dict.fromkeys(found)), "metadata"
    for node in tree.xpath(_BYLINE_CLASSES)[:5]:
        text = " ".join(" ".join(node.itertext()).split())
        if text and len(text) < 200:
            return text, "byline"
    for node in tree.xpath(_SIGNED_LINE)[:10]:
        text = " ".join(" ".join(node.itertext()).split())
        if _SIGNED.match(text) and len(text) < 200:
            return text, "byline"
    return None, None


def authors_of(author: str | None, tree, tags: PageTags,
               outlet_names: tuple[str, ...]) -> tuple[tuple[str, ...], str | None, str | None]:
    """(names, desk credit, where they came from: 'extractor' | 'metadata' | 'byline' | None)."""
    raw, source = (author, "extractor") if author and author.strip() else _page_author(tree, tags)
    if not raw:
        return (), None, None
    byline = parse_byline(_printable(raw), outlet_names)
    return byline.names, byline.desk, source


def extract_article(page: FetchedPage, registry: Registry, first_seen: datetime | None = None) -> Article | Skip:
    """Never raises: a page that breaks extraction is a counted Skip, never a failed load (one
    real page, dated 0001-01-01, used to stop every later load: docs/reliability.md)."""
    try:
        return _extract_article(page, registry, first_seen)
    except Exception as exc:  # noqa: BLE001 - the safety net of the fault matrix
        log.exception("Could not extract %s", page.url)
        return Skip(page.url, SkipReason.NO_TEXT, f"extraction error: {exc.__class__.__name__}: {str(exc)[:200]}")


def _extract_article(page: FetchedPage, registry: Registry, first_seen: datetime | None = None) -> Article | Skip:
    if page.status != 200:
        return Skip(page.url, SkipReason.HTTP_ERROR, str(page.status))
    if is_aggregator(page.final_url):
        # a news-search link that did not lead to the publisher (an opaque Google News id):
        # the aggregator's page is never an outlet's article
        return Skip(page.url, SkipReason.NOT_AN_ARTICLE, "news-search page, not the publisher's article")
    declared = (page.content_type or "").split(";")[0].strip().lower()
    if declared and declared not in HTML_TYPES and declared not in ("application/octet-stream", "text/plain"):
        return Skip(page.url, SkipReason.NOT_HTML, page.content_type)   # a PDF or image: the crawler kept no body
    if not page.body or not page.body.strip():
        return Skip(page.url, SkipReason.EMPTY)
    if not _is_html(page.content_type, page.body):
        return Skip(page.url, SkipReason.NOT_HTML, page.content_type)
    listing = listing_reason(page.final_url)   # before the extractor: the URL alone settles it
    if listing:
        return Skip(page.url, SkipReason.NOT_AN_ARTICLE, listing)
    # one decoding and one parse for everything: the tree trafilatura's `load_html` builds (its
    # parser's settings, without lxml.html's Python class lookup: pipelines/htmltree.py), so its
    # extraction reads the tree it would have built from the page; it works on a copy of it
    tree = parse_html(*_decoding(page.body, page.content_type))
    if tree is None:
        return Skip(page.url, SkipReason.NO_TEXT)
    try:
        # the same text, with readability run on half the real pages and the page measured for
        # the recall retry on a fifth of those that ask for it (pipelines/shortcuts.py)
        with only_where_it_can_change():
            doc = trafilatura.bare_extraction(
                tree, url=page.final_url, include_comments=False, with_metadata=False,
                include_tables=True, deduplicate=False,
            )
    except Exception as exc:  # trafilatura can fail on pathological markup; counted, not fatal
        return Skip(page.url, SkipReason.NO_TEXT, f"extractor error: {exc.__class__.__name__}")
    text = _printable((getattr(doc, "text", None) or "").strip() if doc is not None else "")
    text = without_teasers(text)   # "Lee también: …" is another article's headline
    if not text:
        return Skip(page.url, SkipReason.NO_TEXT)
    tags = page_tags(tree)   # the metadata every rule below reads, found in one walk
    kind = _page_kind(tags)
    if kind == "other":
        return Skip(page.url, SkipReason.NOT_AN_ARTICLE, "its metadata says it is not an article")
    if kind is None and (len(text.split()) < MIN_WORDS_WITHOUT_METADATA
                         or _link_density(tree) > MAX_LINK_DENSITY_WITHOUT_METADATA):
        return Skip(page.url, SkipReason.NOT_AN_ARTICLE, "no article metadata, and too little text or mostly links")
    listing = listing_shape(tree, text, page.final_url)   # whatever its metadata says
    if listing:
        return Skip(page.url, SkipReason.NOT_AN_ARTICLE, listing)
    fetched_at = datetime.fromisoformat(page.fetched_at)
    first_seen = first_seen or fetched_at
    moment, pub_date, date_source = choose_date(tree, page.listed_at, lambda: _extractor_date(tree, page.final_url),
                                                first_seen, tags)
    url = _canonical(tags, page.final_url, registry)
    outlet = registry.outlet_for_url(url)
    title, author = title_and_author(tree)
    author = _printable(author or None)
    names, desk, author_source = authors_of(author, tree, tags, (outlet.name,))
    return Article(
        url=url,
        url_key=canonical_key(url),   # `url` is canonical: not normalised twice
        fetched_url=page.final_url,
        outlet=outlet.name,
        domain=host_of(url),
        title=_printable(title or page.listed_title or "").strip(),
        author=author,
        text=text,
        published_at=moment,
        published_date=pub_date,
        date_source=date_source,
        discovered_via=page.discovered_via,
        source_url=page.source_url,
        fetched_at=fetched_at.astimezone(timezone.utc),
        fingerprint=simhash_hex(text),
        raw_sha1=hashlib.sha1(page.body).hexdigest(),
        author_names=names,
        desk_byline=desk,
        author_source=author_source,
    )
