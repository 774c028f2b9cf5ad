"""trafilatura's readability comparison, skipped where readability's text cannot be chosen.

After its own extraction, trafilatura (unless `fast=True`) runs readability over the whole
page (`compare_extraction`, ~3–4 ms of a ~27 ms real page) and keeps readability's text only
in the cases of its `_prefer_readability`:

* the own text is empty;
* readability's text is more than twice as long as the own text;
* the own text has no paragraph text, or more tables than paragraphs;
* (in recall mode only) readability's text is longer or has headings the own text lacks.

None of these can hold when the own text has paragraph text, is not table-dominated, and is
at least half as long as *all* the text readability could return: the page's text outside
`<script>`, `<style>` and `<fencedframe>` (which readability drops first), whitespace
collapsed as trafilatura's `trim` does, plus the "VIDEO" readability writes into each
`<iframe>` it keeps. Readability only removes, moves and re-wraps the page's text, so its
output is never longer than that; `tests/test_readability_skip.py` checks the bound against
readability's real output on every page we have. In that case readability is handed nothing
to read and returns nothing, which `_prefer_readability` rejects as it would have rejected
the real output; the justext check after it runs on the same own text as before. Only a
narrowly long own text qualifies: half the real pages.

The shortcut is on only inside `readability_only_where_it_can_win()` (our extraction), so any
other caller of trafilatura in the process, such as the benchmarks' bare reference, runs it
exactly as released. It replaces two functions of trafilatura < 3 (`core.compare_extraction`,
`external.try_readability`) with wrappers that call them; the tests compare our extraction
with trafilatura's on every page, so a release that changes them fails there.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import trafilatura.core
import trafilatura.external
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import trim

_ACTIVE: ContextVar[bool] = ContextVar("readability_shortcut_active", default=False)
_SKIP: ContextVar[bool] = ContextVar("readability_skipped", default=False)
# readability's `summary` drops <script> and <style> first (and <fencedframe>, whose text is
# left in the bound: a larger bound only skips less); it writes "VIDEO" into each <iframe> it keeps
_DROPPED_FIRST = ("script", "style")
_VIDEO = len("VIDEO") + 1     # the word, and the space that may now separate it from its neighbours
_PARAGRAPH_TEXT = etree.XPath(".//p//text()", smart_strings=False)

# trafilatura's own functions (`__wrapped__`: the module may be imported again, as by a reload)
_compare_extraction = getattr(trafilatura.core.compare_extraction, "__wrapped__", trafilatura.core.compare_extraction)
_try_readability = getattr(trafilatura.external.try_readability, "__wrapped__", trafilatura.external.try_readability)


def readable_bound(raw_tree: HtmlElement) -> int:
    """The longest text readability can return for this tree, as trafilatura measures it
    (`len(trim(text))`: whitespace collapsed to single spaces): the page's text without its
    scripts and styles, collapsed the same way, plus "VIDEO" per iframe. One walk of the tree
    (an XPath excluding them cost twice as much: 1.1 ms per real page)."""
    parts = []
    for el in raw_tree.iter():
        if el.text and el.tag not in _DROPPED_FIRST:
            parts.append(el.text)
        if el.tail:
            parts.append(el.tail)
    words = "".join(parts).split()
    return sum(map(len, words)) + max(len(words) - 1, 0) + _VIDEO * sum(1 for _ in raw_tree.iter("iframe"))


def cannot_win(raw_tree: HtmlElement, body, text: str, options) -> bool:
    """True when no case of trafilatura's `_prefer_readability` can hold, whatever readability returns."""
    if options.focus == "recall" or not text:
        return False
    if not _PARAGRAPH_TEXT(body) or len(body.findall(".//table")) > len(body.findall(".//p")):
        return False
    return 2 * len(text) >= readable_bound(raw_tree)


def _guarded_compare(cleaned_tree, raw_tree, body, text, options):
    if _ACTIVE.get() and cannot_win(raw_tree, body, text, options):
        token = _SKIP.set(True)
        try:
            return _compare_extraction(cleaned_tree, raw_tree, body, text, options)
        finally:
            _SKIP.reset(token)
    return _compare_extraction(cleaned_tree, raw_tree, body, text, options)


def _guarded_readability(tree: HtmlElement) -> HtmlElement:
    # an empty element is what trafilatura's own `try_readability` returns when readability fails
    return HtmlElement() if _SKIP.get() else _try_readability(tree)


_guarded_compare.__wrapped__ = _compare_extraction
_guarded_readability.__wrapped__ = _try_readability
trafilatura.core.compare_extraction = _guarded_compare
trafilatura.external.try_readability = _guarded_readability


@contextmanager
def readability_only_where_it_can_win() -> Iterator[None]:
    token = _ACTIVE.set(True)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
