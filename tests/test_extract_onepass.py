"""Extraction in one pass (issue 18): one decoding, one parse, trafilatura's metadata only where
we use it, the fingerprint vectorised. Each shortcut must give what the long way gave."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from trafilatura.deduplication import Simhash
from trafilatura.metadata import extract_metadata

from pipelines.dates import choose_date, parse_tree
from pipelines.extract import _decoded, title_and_author
from pipelines.fingerprint import simhash_hex
from tests.conftest import FIXTURES

REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata" / "html"
_PAGES = sorted(p for p in REALDATA.rglob("*") if p.is_file()) if REALDATA.is_dir() else []
_FIXTURES = sorted(FIXTURES.glob("*.html"))
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def _tree(body: bytes):
    return trafilatura.utils.load_html(_decoded(body, "text/html"))


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
