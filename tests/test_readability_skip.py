"""trafilatura's readability comparison is skipped only where readability's text cannot be chosen
(pipelines/shortcuts.py): the same extraction on every page we have, the bound it relies on
checked against readability's real output, and trafilatura as released everywhere else."""
from __future__ import annotations

from copy import copy

import pytest
import trafilatura
import trafilatura.core
import trafilatura.external
from lxml.etree import tostring
from trafilatura.utils import trim

from pipelines import shortcuts
from pipelines.extract import _decoded
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
    for name, body, ctype in chunk:
        tree = parse_html(_decoded(body, ctype))
        if tree is None:
            continue
        assert _text(tree, True) == _text(tree, False), name
    assert sum(skipped for _raw, _text_, skipped in comparisons) > len(comparisons) // 3
    for raw, _own, _skipped in comparisons:
        # what readability really returns, measured as trafilatura measures it, never exceeds the bound
        algo = trafilatura.external.try_readability.__wrapped__(copy(raw))
        assert len(trim(tostring(algo, method="text", encoding="utf-8").decode("utf-8"))) <= \
            shortcuts.readable_bound(raw)


def _calls(monkeypatch) -> list[int]:
    calls = []
    original = shortcuts._try_readability

    def counting(tree):
        calls.append(1)
        return original(tree)

    monkeypatch.setattr(shortcuts, "_try_readability", counting)
    return calls


_LONG = " ".join(["La comunidad zapoteca denunció el parque eólico ante el tribunal agrario."] * 12)


def test_readability_still_runs_where_it_could_win(monkeypatch):
    calls = _calls(monkeypatch)
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


def test_trafilatura_as_released_outside_our_extraction(monkeypatch):
    calls = _calls(monkeypatch)
    article = parse_html(f"<html><body><article><p>{_LONG}</p></article></body></html>")
    _text(article, False)
    trafilatura.extract(f"<html><body><article><p>{_LONG}</p></article></body></html>")
    assert calls == [1, 1]
    # what the shortcuts call is trafilatura's own
    assert trafilatura.external.try_readability.__wrapped__.__module__ == "trafilatura.external"
    assert trafilatura.core._extract_and_compare.__wrapped__.__module__ == "trafilatura.core"


def test_the_bound_counts_what_readability_writes_and_not_scripts():
    page = parse_html("<html><head><script>var a = 'mucho texto de código';</script><style>p{}</style></head>"
                      "<body><p>uno  dos\n tres</p><iframe src='https://www.youtube.com/embed/x'></iframe>"
                      "<p>cuatro</p></body></html>")
    # text nodes run together as in the page ("tres" + "cuatro"), whitespace collapsed, plus " VIDEO"
    assert shortcuts.readable_bound(page) == len("uno dos trescuatro") + len(" VIDEO")
