"""Extraction in one pass (issue 18): one decoding, one parse, trafilatura's metadata only where
we use it, the fingerprint vectorised. Each shortcut must give what the long way gave."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from trafilatura.deduplication import Simhash
from trafilatura.metadata import extract_author as trafilatura_author
from trafilatura.metadata import extract_metadata
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from pipelines.authorxpaths import _AUTHOR_TESTS, _discarded, extract_author, maybe_tested
from pipelines.dates import _META_KEYS, _meta_dates, choose_date, parse_tree
from pipelines.extract import (_ARTICLE_LD_TYPES, _AUTHOR_METAS, ARTICLE_OG_TYPES, _decoding, _json_ld_authors,
                               _page_author, _page_kind, title_and_author)
from pipelines.pagetags import PageTags, page_tags
from pipelines.fingerprint import simhash_hex
from pipelines.htmltree import parse_html
from pipelines.pagekind import _plain, _words_in
from tests.conftest import FIXTURES

REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata" / "html"
_PAGES = sorted(p for p in REALDATA.rglob("*") if p.is_file()) if REALDATA.is_dir() else []
_FIXTURES = sorted(FIXTURES.glob("*.html"))
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def _tree(body: bytes):
    return parse_html(*_decoding(body, "text/html"))   # the tree extract_article builds


@pytest.mark.parametrize("text", ["", "   ", "¡¿…!?", "。、「」", "hola", "Unión Hidalgo " * 3,
                                  "La comunidad zapoteca de Unión Hidalgo denunció el parque eólico. " * 40])
def test_fingerprint_is_trafilaturas_simhash(text):
    assert simhash_hex(text) == Simhash(text).to_hex()


@pytest.mark.skipif(not _PAGES, reason="../shared/realdata is absent")
def test_fingerprint_is_trafilaturas_simhash_on_real_texts():
    texts = [trafilatura.extract(p.read_bytes()) or "" for p in _PAGES[::4]]
    assert sum(bool(t) for t in texts) > 30
    assert [simhash_hex(t) for t in texts] == [Simhash(t).to_hex() for t in texts]


@pytest.mark.parametrize("page", _PAGES + _FIXTURES, ids=lambda p: p.name)
def test_title_and_author_are_trafilaturas(page):
    """What `extract_metadata` gives (it used to run whole inside the extractor), read from our tree."""
    body = page.read_bytes()
    full = extract_metadata(_tree(body), "http://realdata.example/x", _DATE_PARAMS)
    assert title_and_author(_tree(body)) == (full.title, full.author)


@pytest.mark.parametrize("page", (_PAGES[::10] or _FIXTURES), ids=lambda p: p.name)
def test_the_extractor_leaves_our_tree_as_it_was(page):
    """Our metadata rules read the tree after trafilatura has extracted from it."""
    tree = _tree(page.read_bytes())
    before = etree.tostring(tree)
    trafilatura.bare_extraction(tree, url="http://realdata.example/x", include_comments=False)
    assert etree.tostring(tree) == before


def test_the_extractors_date_is_only_searched_when_nothing_else_dates_the_page():
    asked = []

    def extractor_date():
        asked.append(1)
        return "2024-05-02"

    seen = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    dated = parse_tree(b'<html><head><meta property="article:published_time" content="2025-03-01T10:00:00-06:00">'
                       b'</head><body><p>x</p></body></html>')
    assert choose_date(dated, None, extractor_date, seen)[1:] == (datetime(2025, 3, 1).date(), "metadata")
    assert choose_date(dated, "2025-01-01T00:00:00Z", extractor_date, seen)[2] == "metadata"
    assert not asked
    undated = parse_tree(b"<html><body><p>x</p></body></html>")
    assert choose_date(undated, None, extractor_date, seen)[1:] == (datetime(2024, 5, 2).date(), "extractor")
    assert asked == [1]


def _recorded_html(web: Path) -> list[Path]:
    if not (web / "index.json").is_file():
        return []
    entries = json.loads((web / "index.json").read_text(encoding="utf-8"))
    return [web / e["file"] for e in entries if e.get("status") == 200 and e.get("file")
            and "html" in {k.lower(): v for k, v in (e.get("headers") or {}).items()}.get("content-type", "")]


_SHARED = REALDATA.parent.parent
_RECORDED = sorted({p for web in (_SHARED / "corpus" / "web", _SHARED / "realpress" / "web",
                                  Path(__file__).resolve().parent / "corpus2" / "web") for p in _recorded_html(web)})


@pytest.mark.parametrize("chunk", range(8))
def test_author_reader_without_copy_is_trafilaturas(chunk):
    """`pipelines.authorxpaths.extract_author` gives trafilatura's author on every page we have
    (real pages, fixtures, the corpus's, the real press's and corpus2's recorded web)."""
    pages = (_PAGES + _FIXTURES + _RECORDED)[chunk::8]
    assert pages
    for page in pages:
        tree = _tree(page.read_bytes())
        if tree is None:
            continue
        assert extract_author(tree) == trafilatura_author(tree), page


@pytest.mark.parametrize("page", _PAGES[::3] + _FIXTURES, ids=lambda p: p.name)
def test_author_predicates_select_what_trafilaturas_xpaths_select(page):
    """Each predicate of the one walk selects, in order, what its XPath selects on the page."""
    tree = _tree(page.read_bytes())
    walk = list(tree.iter(etree.Element))
    for test, xpath in zip(_AUTHOR_TESTS, AUTHOR_XPATHS):
        mine = [el for el in walk if test(el.tag, el.get("class") or "", el.get("id") or "", el.get)]
        if xpath is AUTHOR_XPATHS[0]:
            assert not tree.xpath("//rel")     # else the reader hands the page to trafilatura
        assert mine == xpath(tree)
    discard = [el for el in walk if (el is not tree or el.tag in ("time", "figure"))
               and _discarded(el.tag, el.get("class") or "", el.get("id") or "", el.get)]
    expected = {el for x in AUTHOR_DISCARD_XPATHS for el in x(tree)}
    assert set(discard) == expected
    # the check that lets most elements skip the tests lets every element they select through
    selected = set(discard) | {el for x in AUTHOR_XPATHS for el in x(tree)}
    assert all(maybe_tested(el.tag, el.get("class") or "", el.get("id") or "", el.get) for el in selected)
    assert sum(not maybe_tested(el.tag, el.get("class") or "", el.get("id") or "", el.get) for el in walk) > len(walk) // 2


def test_author_reader_cases():
    """Bylines inside discarded parts, discarded parts inside bylines, the `rel` child."""
    pages = [
        '<div class="author">Ana Pérez<time>hoy</time></div>',                    # holds a date
        '<aside class="sidebar"><span class="author">Otro Autor</span></aside><p class="byline">Ana Pérez</p>',
        '<div class="comments"><a rel="author">Lector Uno</a></div><span id="Author">Juan Gómez</span>',
        '<p><rel>me</rel>Juan Gómez</p><div class="writer">María López</div>',
        '<author>Ana Pérez</author>', '<p class="byline">Ab</p>', '<p>nadie firma</p>',
    ]
    for body in pages:
        tree = _tree(f"<html><body>{body}</body></html>".encode())
        assert extract_author(tree) == trafilatura_author(tree), body


@pytest.mark.parametrize("chunk", range(4))
def test_publication_metadata_in_one_scan_is_one_xpath_per_name(chunk):
    """`_meta_dates` gives, in order, what the eleven `//meta[@attr="value"]/@content` XPaths
    and the `datetime` one gave, on every page we have."""
    pages = (_PAGES + _FIXTURES + _RECORDED)[chunk::4]
    for page in pages:
        tree = _tree(page.read_bytes())
        if tree is None:
            continue
        expected = [v for attr, value in _META_KEYS for v in tree.xpath(f'//meta[@{attr}="{value}"]/@content')]
        expected += tree.xpath('//*[@itemprop="datePublished"]/@datetime')
        assert list(_meta_dates(tree, page_tags(tree))) == expected, page


def _json_ld_by_xpath(tree) -> list:
    blocks = []
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            blocks.append(json.loads(script))
        except ValueError:
            continue
    return blocks


@pytest.mark.parametrize("chunk", range(4))
def test_the_metadata_found_in_one_walk_is_what_each_xpath_finds(chunk):
    """Every question our rules ask of the page's <meta>, <link> and JSON-LD elements
    (pipelines/pagetags.py) gets, in the same order, what its XPath from the root gave, on every
    page we have, and the rules that read them give what they gave with the XPaths."""
    pages = (_PAGES + _FIXTURES + _RECORDED)[chunk::4]
    asked = [("property", "og:type"), ("property", "article:published_time"), *_META_KEYS,
             *_AUTHOR_METAS, ("name", "description"), ("http-equiv", "refresh")]
    for page in pages:
        tree = _tree(page.read_bytes())
        if tree is None:
            continue
        tags = page_tags(tree)
        for attr, value in asked:
            assert tags.meta_contents(attr, value) == tree.xpath(f'//meta[@{attr}="{value}"]/@content'), page
            assert tags.has_meta(attr, value) == bool(tree.xpath(f'//meta[@{attr}="{value}"]')), page
        for rel in ("canonical", "amphtml", "alternate"):
            assert tags.link_hrefs(rel) == tree.xpath(f'//link[@rel="{rel}"]/@href'), page
        assert list(tags.json_ld_texts) == tree.xpath('//script[@type="application/ld+json"]/text()'), page
        assert list(tags.json_ld) == _json_ld_by_xpath(tree), page
        assert _page_kind(tags) == _page_kind_by_xpath(tree), page
        assert _page_author(tree, tags)[0] == _page_author_by_xpath(tree), page


def _page_author_by_xpath(tree) -> str | None:
    """The metadata author `extract._page_author` found when it asked with XPaths."""
    found = [a for block in _json_ld_by_xpath(tree) for a in _authors_in(block)]
    for attr, value in _AUTHOR_METAS:
        found += [str(v).strip() for v in tree.xpath(f'//meta[@{attr}="{value}"]/@content')
                  if str(v).strip() and "://" not in str(v)]
    found += [str(v).strip() for v in tree.xpath('//*[@itemprop="author"]//*[@itemprop="name"]//text()')
              if str(v).strip() and "://" not in str(v)]
    return "; ".join(dict.fromkeys(found)) if found else _page_author(tree, page_tags(tree))[0]


def _authors_in(block) -> list[str]:
    return _json_ld_authors(PageTags((), (), (json.dumps(block),)))


def _page_kind_by_xpath(tree) -> str | None:
    """`extract._page_kind` as it was written with XPaths."""
    og_types = [t.strip().lower() for t in tree.xpath('//meta[@property="og:type"]/@content')]
    if any(t in ARTICLE_OG_TYPES for t in og_types) or tree.xpath('//meta[@property="article:published_time"]'):
        return "article"
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        if any(t in script for t in _ARTICLE_LD_TYPES):
            return "article"
    return "other" if og_types else None


def test_the_one_walk_finds_metadata_anywhere_in_the_page():
    tree = _tree(b'<html><head><meta property="og:type" content="website"><link rel="canonical" href="/a">'
                 b'<script type="application/ld+json">{"@type": "NewsArticle"}</script></head><body>'
                 b'<meta property="og:type" content="article"><meta property="og:type"><link rel="canonical">'
                 b'<script type="application/ld+json">{roto</script><script>var x;</script></body></html>')
    tags = page_tags(tree)
    assert tags.meta_contents("property", "og:type") == ["website", "article"]
    assert tags.link_hrefs("canonical") == ["/a"]
    assert tags.json_ld == ({"@type": "NewsArticle"},)
    assert _page_kind(tags) == "article"


def test_publication_metadata_order():
    tree = _tree(b'<html><head><meta name="date" content="2024-01-03"><meta content="2024-01-01" '
                 b'property="article:published_time"><meta name="DATE" content="x"><meta name="date">'
                 b'<meta property="og:published_time" content="2024-01-02"></head>'
                 b'<body><time itemprop="datePublished" datetime="2024-01-04">4</time></body></html>')
    assert list(_meta_dates(tree, page_tags(tree))) == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]


@pytest.mark.parametrize("chunk", range(4))
def test_word_count_in_one_split_is_the_count_per_text_node(chunk):
    """`pagekind._words_in` joins an element's text nodes and splits once; counting node by node
    gave the same number (words never run across nodes: the joint is a space)."""
    pages = [p.read_bytes() for p in (_PAGES or _FIXTURES)[chunk::4]]
    pages.append("<html><body><p><a>uno<b>dos</b>\u00a0tres<i> </i>\u2003cuatro</a>cinco</p></body></html>".encode())
    counted = 0
    for body in pages:
        body_el = _tree(body).find("body")
        for element in body_el.iter() if body_el is not None else ():
            assert _words_in(element) == sum(len(t.split()) for t in element.itertext())
            if len(element) == 0 and element.text:   # `headline_items` reads such a link's text alone
                assert len(element.text.split()) == _words_in(element)
            counted += 1
    assert counted > 1000 or not _PAGES


@pytest.mark.parametrize("segment", ["Secci%C3%B3n", "tag", "Ni%C3%B1o-y-%E2%84%A2", "plain-ascii-123", "é", ""])
def test_plain_segment_with_and_without_accents(segment):
    from unicodedata import combining, normalize
    from urllib.parse import unquote
    text = normalize("NFKD", unquote(segment).lower())
    assert _plain(segment) == "".join(c for c in text if not combining(c))
