"""Two steps of trafilatura's extraction cascade, skipped where they cannot change its result.

Both are on only inside `only_where_it_can_change()` (our extraction): any other caller of
trafilatura in the process, such as the benchmarks' bare reference, runs it exactly as released.
They replace three names of trafilatura < 3 (`core._extract_and_compare`, `core.html2txt`,
`external.try_readability`) with functions that call the originals (`__wrapped__`); the tests
compare our extraction with trafilatura's on every page we have, so a release that changes them
fails there.

**Readability only where it can win.** After its own extraction, trafilatura (unless
`fast=True`) copies the raw page and runs readability over it (`compare_extraction`, ~3–4 ms of
a ~27 ms real page). It keeps readability's text only in the cases of its `_prefer_readability`:

* the own text is empty;
* readability's text is more than twice as long as the own text;
* the own text has no paragraph text, or more tables than paragraphs;
* (in recall mode only) readability's text is longer or has headings the own text lacks.

None of these can hold when the own text has paragraph text, is not table-dominated, and is
at least half as long as *all* the text readability could return: the page's text outside
`<script>`, `<style>` and `<fencedframe>` (which readability drops first), whitespace
collapsed as trafilatura's `trim` does, plus the "VIDEO" readability writes into each
`<iframe>` it keeps. Readability only removes, moves and re-wraps the page's text, so its
output is never longer than that; `tests/test_shortcuts.py` checks the bound against
readability's real output on every page we have. In that case the comparison runs with
readability handed nothing to read (and no copy of the page made for it): an empty text,
which `_prefer_readability` rejects as it would have rejected the real one; the jusText check
after it runs on the same own text as before. Half the real pages qualify.

**The page measured for the recall retry only where the retry can fire.** Then trafilatura
(balanced focus, ours) retries in recall mode when the kept text is short (under 3,000
characters) and covers less than a fifth of the page's text, which it measures with `html2txt`
on the raw tree: a copy of the whole tree, a cleaning XPath whose class and id regexes call
into Python on every element, and a text walk, ~5–7 ms paid by every short article. That text
is never longer than the body's text outside `<aside>`, `<fencedframe>`, `<footer>`,
`<script>`, `<style>`, `<svg>` and `<template>` (what the cleaning always deletes; the footer
divs and cookie banners it also deletes only make the real text shorter), spaced at every block
element's boundaries and collapsed as `html2txt` collapses it: one walk, no copy. When the kept
text is at least a fifth of that bound, the retry cannot fire and the measure is not taken
(the test reads an empty text and, as with the real one, does not retry). The kept text's
length is recorded when the cascade returns it, and only when it is long enough
(`min_extracted_size`) that the baseline rescue between the two steps leaves it as it is.
`tests/test_shortcuts.py` checks the bound against `html2txt`'s real text at every
measure asked on the pages we have and on generated trees.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import copy

import trafilatura.core
import trafilatura.external
from lxml import etree
from lxml.html import HtmlElement

_ACTIVE: ContextVar[bool] = ContextVar("trafilatura_shortcuts_active", default=False)
_SKIP_READABILITY: ContextVar[bool] = ContextVar("readability_skipped", default=False)
_KEPT: ContextVar[int | None] = ContextVar("kept_text_length", default=None)

# readability's `summary` drops <script> and <style> first (and <fencedframe>, whose text is
# left in the bound: a larger bound only skips less); it writes "VIDEO" into each <iframe> it keeps
_DROPPED_FIRST = ("script", "style")
_VIDEO = len("VIDEO") + 1     # the word, and the space that may now separate it from its neighbours
_PARAGRAPH_TEXT = etree.XPath(".//p//text()", smart_strings=False)

# what html2txt's cleaning (trafilatura.settings.BASIC_CLEAN_XPATH) deletes by tag name alone
_DELETED = frozenset({"aside", "fencedframe", "footer", "script", "style", "svg", "template"})
# where html2txt's `_spaced_text` puts a space (trafilatura.baseline._BLOCK_ELEMS, as of 2.3)
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "summary", "table", "td", "th", "tr", "ul",
})


def _original(module, name: str):
    """trafilatura's own function (`__wrapped__`: this module may be imported again, as by a reload)."""
    function = getattr(module, name)
    return getattr(function, "__wrapped__", function)


_extract_and_compare = _original(trafilatura.core, "_extract_and_compare")
_html2txt = _original(trafilatura.core, "html2txt")
_try_readability = _original(trafilatura.external, "try_readability")


def _collapsed_length(parts: list[str]) -> int:
    """`len(" ".join("".join(parts).split()))`, without building the joined text."""
    words = "".join(parts).split()
    return sum(map(len, words)) + max(len(words) - 1, 0)


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
    return _collapsed_length(parts) + _VIDEO * sum(1 for _ in raw_tree.iter("iframe"))


def cannot_win(raw_tree: HtmlElement, body, text: str, options) -> bool:
    """True when no case of trafilatura's `_prefer_readability` can hold, whatever readability returns."""
    if options.focus != "balanced" or not text:
        return False
    if not _PARAGRAPH_TEXT(body) or len(body.findall(".//table")) > len(body.findall(".//p")):
        return False
    return 2 * len(text) >= readable_bound(raw_tree)


def page_text_bound(tree: HtmlElement) -> int | None:
    """An upper bound of `len(html2txt(tree))`, or None for a tree without a body (html2txt then
    measures the tree itself: rare, measured for real)."""
    body = tree.find(".//body")
    if body is None:
        return None
    parts: list[str] = []
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if tag in _BLOCKS:
                parts.append(" ")
            if tag in _DELETED and el is not body:
                walker.skip_subtree()    # its "end" still comes: its tail stays, as delete_element keeps it
            elif isinstance(tag, str) and el.text:
                parts.append(el.text)
        elif el is not body:
            if tag in _BLOCKS:
                parts.append(" ")
            if el.tail:
                parts.append(el.tail)
    return _collapsed_length(parts)


def _cascade(cleaned_tree, cleaned_tree_backup, tree, options):
    """trafilatura's `_extract_and_compare` (its own extraction, then the comparison), with
    readability skipped where it cannot win and the kept text's length recorded."""
    if not _ACTIVE.get():
        return _extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options)
    postbody, temp_text = trafilatura.core.extract_content(cleaned_tree, options)
    if not options.fast:
        skip = cannot_win(tree, postbody, temp_text, options)
        # a skipped readability reads nothing, and in balanced focus (the only one that skips)
        # nothing else in the comparison reads the raw tree: no copy made for it
        token = _SKIP_READABILITY.set(skip)
        try:
            postbody, temp_text = trafilatura.core.compare_extraction(
                cleaned_tree_backup, tree if skip else copy(tree), postbody, temp_text, options)
        finally:
            _SKIP_READABILITY.reset(token)
    # shorter texts may be replaced by the baseline rescue before the page is measured
    long_enough = options.focus == "balanced" and len(temp_text) >= options.min_extracted_size
    _KEPT.set(len(temp_text) if long_enough else None)
    return postbody, temp_text


def _readability(tree: HtmlElement) -> HtmlElement:
    # an empty element is what trafilatura's own `try_readability` returns when readability fails
    return HtmlElement() if _SKIP_READABILITY.get() else _try_readability(tree)


def _page_measure(content, clean: bool = True) -> str:
    kept = _KEPT.get()
    _KEPT.set(None)   # one measure per recorded text
    if _ACTIVE.get() and kept is not None and clean and isinstance(content, HtmlElement):
        bound = page_text_bound(content)
        if bound is not None and kept >= trafilatura.core.ESCALATION_PAGE_SHARE * bound:
            return ""   # the kept text covers its share of any text this long: no retry, as with the real one
    return _html2txt(content, clean)


_cascade.__wrapped__ = _extract_and_compare
_readability.__wrapped__ = _try_readability
_page_measure.__wrapped__ = _html2txt
trafilatura.core._extract_and_compare = _cascade
trafilatura.core.html2txt = _page_measure
trafilatura.external.try_readability = _readability


@contextmanager
def only_where_it_can_change() -> Iterator[None]:
    token, kept = _ACTIVE.set(True), _KEPT.set(None)
    try:
        yield
    finally:
        _KEPT.reset(kept)
        _ACTIVE.reset(token)
