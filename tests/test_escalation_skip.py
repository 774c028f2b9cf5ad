"""trafilatura's page measure for its recall retry is skipped only where the retry cannot fire
(pipelines/shortcuts.py): the bound it relies on checked against `html2txt`'s real text at every
measure asked on the pages we have and on generated trees, the same extraction, and trafilatura
as released everywhere else."""
from __future__ import annotations

from copy import copy
from importlib import import_module

import pytest
import trafilatura
import trafilatura.core
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import shortcuts
from pipelines.extract import _decoded
from pipelines.htmltree import parse_html
from tests.test_htmltree import REALDATA, _ALL

_OPTIONS = {"url": "http://example.org/a", "include_comments": False, "with_metadata": False,
            "include_tables": True, "deduplicate": False}


def _text(tree, shortcut: bool) -> str | None:
    if shortcut:
        with shortcuts.only_where_it_can_change():
            doc = trafilatura.bare_extraction(copy(tree), **_OPTIONS)
    else:
        doc = trafilatura.bare_extraction(copy(tree), **_OPTIONS)
    return doc and doc.text


@pytest.fixture
def measures(monkeypatch):
    """Every measure our extraction asks for: (real length of html2txt's text, the bound)."""
    seen = []
    original = shortcuts.page_text_bound

    def spy(tree):
        bound = original(tree)
        seen.append((len(shortcuts._html2txt(tree)), bound))
        return bound

    monkeypatch.setattr(shortcuts, "page_text_bound", spy)
    return seen


@pytest.mark.parametrize("chunk", [_ALL[i::4] for i in range(4)], ids=lambda c: f"{len(c)} pages")
def test_the_bound_holds_at_every_measure_asked(chunk, measures):
    for name, body, ctype in chunk:
        tree = parse_html(_decoded(body, ctype))
        if tree is not None:
            _text(tree, True)
    assert len(measures) > 20
    for real, bound in measures:
        assert bound is None or real <= bound
    # the bound is near the real text, or nothing would be skipped
    assert sum(bound is not None and real >= 0.9 * bound for real, bound in measures) > len(measures) // 2


def test_same_extraction_on_the_real_pages():
    real = [p for p in sorted(REALDATA.rglob("*")) if p.is_file()]
    assert len(real) >= 150
    for page in real:
        name = page.name
        tree = parse_html(_decoded(page.read_bytes(), "text/html"))
        if tree is not None:
            assert _text(tree, True) == _text(tree, False), name


_TAGS = ["p", "div", "span", "a", "b", "br", "li", "h1", "td", "aside", "footer", "script", "style", "svg",
         "template", "section", "em"]
_WORDS = st.text(alphabet=st.sampled_from(list("ab ñ\n\t.")), max_size=8)


@st.composite
def _trees(draw, depth=0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3 if depth < 3 else 0))):
        tag = draw(st.sampled_from(_TAGS))
        inner = draw(_trees(depth + 1)) if tag != "br" else ""
        parts.append(f"<{tag}>{inner}</{tag}>" if tag != "br" else "<br>")
        parts.append(draw(_WORDS))
    return draw(_WORDS) + "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_trees())
def test_the_bound_holds_on_any_tree(markup):
    tree = parse_html(f"<html><head><title>t</title></head><body>{markup}<!-- x y --></body></html>")
    if tree is None:
        return
    bound = shortcuts.page_text_bound(tree)
    assert bound is not None and len(shortcuts._html2txt(tree)) <= bound


def _calls(monkeypatch) -> list[int]:
    calls = []
    original = shortcuts._html2txt

    def counting(content, clean=True):
        calls.append(1)
        return original(content, clean)

    monkeypatch.setattr(shortcuts, "_html2txt", counting)
    return calls


_SHORT = " ".join(["La comunidad zapoteca denunció el parque eólico ante el tribunal agrario."] * 5)


def test_the_page_is_still_measured_where_the_retry_can_fire(monkeypatch):
    calls = _calls(monkeypatch)
    # a short article alone on its page: it is most of the page's text, the measure is not taken
    alone = parse_html(f"<html><body><nav>Inicio</nav><article><p>{_SHORT}</p></article></body></html>")
    _text(alone, True)
    assert calls == []
    # the same article among much more text: the retry may fire, the page is measured
    menus = "".join(f"<li><a href='/s{i}'>Sección {i} con su título largo de menú</a></li>" for i in range(300))
    busy = parse_html(f"<html><body><ul>{menus}</ul><article><p>{_SHORT}</p></article></body></html>")
    _text(busy, True)
    assert calls


def test_trafilatura_as_released_outside_our_extraction(monkeypatch):
    calls = _calls(monkeypatch)
    page = f"<html><body><nav>Inicio</nav><article><p>{_SHORT}</p></article></body></html>"
    _text(parse_html(page), False)
    trafilatura.extract(page)
    assert calls == [1, 1]
    assert trafilatura.core.html2txt.__wrapped__ is import_module("trafilatura.baseline").html2txt
