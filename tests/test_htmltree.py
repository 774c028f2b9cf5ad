"""The page's one parse (pipelines/htmltree.py) is trafilatura's `load_html` without lxml.html's
Python class lookup: the same tree and the same extraction on every page we have, and the same
refusals of what is not HTML."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from hypothesis import given, settings
from hypothesis import strategies as st
from trafilatura.utils import load_html, repair_faulty_html

from pipelines.extract import _decoding
from pipelines.htmltree import _repaired, parse_html
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
WEBS = (SHARED / "realpress" / "web", SHARED / "corpus" / "web", ROOT / "tests" / "corpus2" / "web")
REALDATA = SHARED / "realdata" / "html"


def _pages() -> list[tuple[str, bytes, str]]:
    pages = [(p.name, p.read_bytes(), "text/html") for p in sorted(REALDATA.rglob("*")) if p.is_file()]
    pages += [(p.name, p.read_bytes(), "text/html") for p in sorted(FIXTURES.glob("*.html"))]
    for web in WEBS:
        if not (web / "index.json").is_file():
            continue
        for entry in json.loads((web / "index.json").read_text(encoding="utf-8")):
            ctype = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}.get("content-type", "")
            if entry.get("file") and "html" in ctype:
                pages.append((entry["url"], (web / entry["file"]).read_bytes(), ctype))
    return pages


_ALL = _pages()


def _chunks(n: int = 8):
    return [_ALL[i::n] for i in range(n)]


@pytest.mark.parametrize("chunk", _chunks(), ids=lambda c: f"{len(c)} pages")
def test_same_tree_and_same_extraction_as_trafilaturas_load_html(chunk):
    for name, body, ctype in chunk:
        page, utf8 = _decoding(body, ctype)
        ours, theirs = parse_html(page, utf8), load_html(page)
        assert (ours is None) == (theirs is None), name
        assert (parse_html(page) is None) == (theirs is None), name
        if ours is None:
            continue
        assert etree.tostring(ours) == etree.tostring(theirs), name
        assert etree.tostring(parse_html(page)) == etree.tostring(theirs), name   # the str parse too
        assert all(type(e) is HtmlElement for e in ours.iter(etree.Element)), name
        got = trafilatura.bare_extraction(ours, url="http://example.org/a", include_comments=False,
                                          include_tables=True)
        expected = trafilatura.bare_extraction(theirs, url="http://example.org/a", include_comments=False,
                                               include_tables=True)
        assert (got and got.text) == (expected and expected.text), name


def test_every_web_is_there():
    """The comparison above covers the real pages and all three recorded webs (when ../shared is)."""
    if not REALDATA.is_dir():
        pytest.skip("../shared is absent")
    assert len(_ALL) > 800


@pytest.mark.parametrize("page", [
    "", "   ", "just some text, no markup", "<p>one paragraph</p>", "<html/>", "<html/>\n<body><p>x</p></body>",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>declared</p></body></html>',
    "<!DOCTYPE html><html><body><p>doctype</p></body></html>", "<html><body>\x00\x01<p>controls</p></body></html>",
    "<div><p>a</p><p>b</p></div>", "<html><head><title>t</title></head></html>", "\ufeff<html><body>bom</body></html>",
    '<html><head><meta charset="iso-8859-1"></head><body><p>Unión, año, €</p></body></html>',
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
    "<body><p>señal “citada”</p></body></html>",
])
def test_the_same_refusals_and_repairs(page):
    theirs = load_html(page)
    for ours in (parse_html(page), parse_html(page, page.encode("utf-8"))):   # the str, and its bytes
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert etree.tostring(ours) == etree.tostring(theirs)


def test_form_controls_are_plain_elements_and_extract_as_before():
    page = ("<html><body><article><h1>Título</h1><p>Texto del artículo con suficiente extensión para el extractor."
            "</p><form><label>Correo</label><input name=q value=x><select><option>a</option></select>"
            "<textarea>nota</textarea></form></article></body></html>")
    tree = parse_html(page)
    assert {type(e) for e in tree.iter(etree.Element)} == {HtmlElement}
    assert (trafilatura.bare_extraction(tree).text == trafilatura.bare_extraction(load_html(page)).text)


@pytest.mark.parametrize("chunk", _chunks(4), ids=lambda c: f"{len(c)} pages")
def test_the_repair_is_trafilaturas_on_every_page(chunk):
    for name, body, ctype in chunk:
        page, utf8 = _decoding(body, ctype)
        assert utf8 is None or utf8.decode("utf-8") == page, name
        expected = repair_faulty_html(page, page[:50].lower())
        assert _repaired(page, page[:50].lower()) == expected, name
        assert _repaired(page, page[:50].lower(), utf8) == expected, name


_CONTROLS = "".join(map(chr, range(0x20))) + "\ufffe\uffff\ufffd\ud800\x7f\x85"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(_CONTROLS) + list("<!DOCTYPE html/>\n ñ€𝄞abc")), max_size=60))
def test_the_repair_is_trafilaturas_on_any_text(page):
    """Every control character, the two noncharacters, a lone surrogate, and the doctype and
    self-closing <html/> repairs."""
    assert _repaired(page, page[:50].lower()) == repair_faulty_html(page, page[:50].lower())
    encoded = page.encode("utf-8", "surrogatepass")
    assert _repaired(page, page[:50].lower(), encoded) == repair_faulty_html(page, page[:50].lower())
