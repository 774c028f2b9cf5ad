"""The two steps of trafilatura's cascade that pipelines/shortcuts.py skips where they cannot
change its result: readability where its text cannot be chosen, the page measure where the
recall retry cannot fire. For each: the same extraction on every page we have, the bound it
relies on checked against the real step's output, the step still run where it can change
something, and trafilatura as released everywhere else."""
from __future__ import annotations

from copy import copy
from importlib import import_module

import pytest
import trafilatura
import trafilatura.core
import trafilatura.external
import trafilatura.settings
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.etree import tostring
from trafilatura.utils import trim

from pipelines import shortcuts
from pipelines.extract import _decoding
from pipelines.htmltree import parse_html
from tests.test_htmltree import _ALL

_OPTIONS = {"url": "http://example.org/a", "include_comments": False, "with_metadata": False,
            "include_tables": True, "deduplicate": False}


def _text(tree, shortcut: bool) -> str | None:
    if shortcut:
        with shortcuts.only_where_it_can_change():
            doc = trafilatura.bare_extraction(copy(tree), **_OPTIONS)
    else:
        doc = trafilatura.bare_extraction(copy(tree), **_OPTIONS)
    return doc and doc.text


def _calls(monkeypatch, name: str) -> list[int]:
    """Counts the calls of trafilatura's own step (`_try_readability`, `_html2txt`)."""
    calls = []
    original = getattr(shortcuts, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(shortcuts, name, counting)
    return calls


# --- readability only where it can win -------------------------------------------------------

@pytest.fixture
def comparisons(monkeypatch):
    """Every call of trafilatura's comparison: (raw tree as readability would read it, own text, skipped)."""
    seen = []
    original = shortcuts.cannot_win

    def spy(raw_tree, body, text, options):
        skipped = original(raw_tree, body, text, options)
        seen.append((copy(raw_tree), text, skipped))
        return skipped

    monkeypatch.setattr(shortcuts, "cannot_win", spy)
    return seen


@pytest.mark.parametrize("chunk", [_ALL[i::6] for i in range(6)], ids=lambda c: f"{len(c)} pages")
def test_same_extraction_and_the_bound_holds(chunk, comparisons):
    """Both shortcuts on, against trafilatura as released: the same text on every page."""
    for name, body, ctype in chunk:
        tree = parse_html(*_decoding(body, ctype))
        if tree is None:
            continue
        assert _text(tree, True) == _text(tree, False), name
    assert sum(skipped for _raw, _text_, skipped in comparisons) > len(comparisons) // 3
    for raw, _own, _skipped in comparisons:
        # what readability really returns, measured as trafilatura measures it, never exceeds the bound
        algo = trafilatura.external.try_readability.__wrapped__(copy(raw))
        assert len(trim(tostring(algo, method="text", encoding="utf-8").decode("utf-8"))) <= \
            shortcuts.readable_bound(raw)


_LONG = " ".join(["La comunidad zapoteca denunció el parque eólico ante el tribunal agrario."] * 12)


def test_readability_still_runs_where_it_could_win(monkeypatch):
    calls = _calls(monkeypatch, "_try_readability")
    # a long own text: readability cannot win, and is not run
    article = parse_html(f"<html><body><nav>Inicio · Política</nav><article><p>{_LONG}</p></article></body></html>")
    _text(article, True)
    assert calls == []
    # a page with much more text than the own extraction keeps: readability may win, and runs
    menus = "".join(f"<li><a href='/s{i}'>Sección {i} con su título</a></li>" for i in range(300))
    busy = parse_html(f"<html><body><ul>{menus}</ul><article><p>{_LONG}</p></article></body></html>")
    _text(busy, True)
    assert calls            # (twice when trafilatura's recall retry compares again)
    before = len(calls)
    # own text made of tables: the structural case of readability's preference, whatever the lengths
    table = parse_html(f"<html><body><table><tr><td>{_LONG}</td></tr></table><table><tr><td>x</td></tr>"
                       "</table></body></html>")
    _text(table, True)
    assert len(calls) > before


def test_readability_as_released_outside_our_extraction(monkeypatch):
    calls = _calls(monkeypatch, "_try_readability")
    article = parse_html(f"<html><body><article><p>{_LONG}</p></article></body></html>")
    _text(article, False)
    trafilatura.extract(f"<html><body><article><p>{_LONG}</p></article></body></html>")
    assert calls == [1, 1]
    # what the shortcuts call is trafilatura's own
    assert trafilatura.external.try_readability.__wrapped__.__module__ == "trafilatura.external"
    assert trafilatura.core._extract_and_compare.__wrapped__.__module__ == "trafilatura.core"


def test_readability_is_skipped_only_at_half_the_bound():
    """trafilatura prefers readability's text when it is more than twice the own text: the own
    text must be at least half the bound, not a shorter share (no page we have lies between)."""
    raw = parse_html(f"<html><body><p>{'x' * 100}</p></body></html>")
    body = parse_html("<html><body><p>propio</p></body></html>").find("body")
    options = trafilatura.settings.Extractor()
    assert options.focus == "balanced"
    assert shortcuts.cannot_win(raw, body, "y" * 50, options)
    assert not shortcuts.cannot_win(raw, body, "y" * 49, options)
    options.focus = "recall"   # where readability also wins by being merely longer
    assert not shortcuts.cannot_win(raw, body, "y" * 100, options)


def test_the_bound_counts_what_readability_writes_and_not_scripts():
    page = parse_html("<html><head><script>var a = 'mucho texto de código';</script><style>p{}</style></head>"
                      "<body><p>uno  dos\n tres</p><iframe src='https://www.youtube.com/embed/x'></iframe>"
                      "<p>cuatro</p></body></html>")
    # text nodes run together as in the page ("tres" + "cuatro"), whitespace collapsed, plus " VIDEO"
    assert shortcuts.readable_bound(page) == len("uno dos trescuatro") + len(" VIDEO")


# --- the page measured for the recall retry only where the retry can fire -------------------

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
        tree = parse_html(*_decoding(body, ctype))
        if tree is not None:
            _text(tree, True)
    assert len(measures) > 20
    for real, bound in measures:
        assert bound is None or real <= bound
    # the bound is near the real text, or nothing would be skipped
    assert sum(bound is not None and real >= 0.9 * bound for real, bound in measures) > len(measures) // 2


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


_SHORT = " ".join(["La comunidad zapoteca denunció el parque eólico ante el tribunal agrario."] * 5)


def test_the_page_is_still_measured_where_the_retry_can_fire(monkeypatch):
    calls = _calls(monkeypatch, "_html2txt")
    # a short article alone on its page: it is most of the page's text, the measure is not taken
    alone = parse_html(f"<html><body><nav>Inicio</nav><article><p>{_SHORT}</p></article></body></html>")
    _text(alone, True)
    assert calls == []
    # the same article among much more text: the retry may fire, the page is measured
    menus = "".join(f"<li><a href='/s{i}'>Sección {i} con su título largo de menú</a></li>" for i in range(300))
    busy = parse_html(f"<html><body><ul>{menus}</ul><article><p>{_SHORT}</p></article></body></html>")
    _text(busy, True)
    assert calls


def test_page_measure_as_released_outside_our_extraction(monkeypatch):
    calls = _calls(monkeypatch, "_html2txt")
    page = f"<html><body><nav>Inicio</nav><article><p>{_SHORT}</p></article></body></html>"
    _text(parse_html(page), False)
    trafilatura.extract(page)
    assert calls == [1, 1]
    assert trafilatura.core.html2txt.__wrapped__ is import_module("trafilatura.baseline").html2txt
