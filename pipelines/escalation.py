"""trafilatura's page measure for its recall escalation, taken only where it can decide something.

After its cascade, trafilatura (balanced focus, our setting) retries in recall mode when the kept
text is short (under 3,000 characters) and covers less than a fifth of the page's text. To know
the page's text it runs `html2txt` on the raw tree: a copy of the whole tree, a cleaning XPath
whose class and id regexes call into Python on every element, and a text walk. That is ~5–7 ms
on a real page, paid by a third of them (every short article), and the retry it guards fires on
few of them.

The page's text `html2txt` measures is never longer than the body's text outside `<aside>`,
`<fencedframe>`, `<footer>`, `<script>`, `<style>`, `<svg>` and `<template>` (the elements its
cleaning always deletes; the footer divs and cookie banners it also deletes only make the real
text shorter), spaced at every block element's boundaries and collapsed as `html2txt` collapses
it. One walk of the tree, without copy or cleaning, measures that bound. When the kept text is at
least a fifth of the bound it is at least a fifth of the page's text, the escalation cannot fire,
and the measure is not taken: the comparison reads an empty text and, as it would have with the
real one, does not retry. `tests/test_escalation_skip.py` checks the bound against `html2txt`'s
real text at every measure trafilatura takes on the pages we have, and the same extraction.

The kept text's length is recorded when trafilatura's cascade returns it (`_extract_and_compare`),
and only when it is long enough (`min_extracted_size`) that the baseline rescue between the two
steps leaves it as it is. On only inside `escalation_measured_only_where_it_can_fire()` (our
extraction): any other caller of trafilatura in the process runs it as released. It replaces two
names of trafilatura's `core` module with wrappers that call the originals (`__wrapped__`).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import trafilatura.core
from lxml import etree
from lxml.html import HtmlElement

_ACTIVE: ContextVar[bool] = ContextVar("escalation_shortcut_active", default=False)
_KEPT: ContextVar[int | None] = ContextVar("escalation_kept_length", default=None)

# what html2txt's cleaning (trafilatura.settings.BASIC_CLEAN_XPATH) deletes by tag name alone
_DELETED = frozenset({"aside", "fencedframe", "footer", "script", "style", "svg", "template"})
# where html2txt's `_spaced_text` puts a space (trafilatura.baseline._BLOCK_ELEMS, as of 2.3)
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "summary", "table", "td", "th", "tr", "ul",
})

_extract_and_compare = getattr(trafilatura.core._extract_and_compare, "__wrapped__",
                               trafilatura.core._extract_and_compare)
_html2txt = getattr(trafilatura.core.html2txt, "__wrapped__", trafilatura.core.html2txt)


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
    words = "".join(parts).split()
    return sum(map(len, words)) + max(len(words) - 1, 0)


def _recorded_extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options):
    postbody, temp_text = _extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options)
    if _ACTIVE.get():
        # shorter texts may be replaced by the baseline rescue before the measure is compared
        long_enough = options.focus == "balanced" and len(temp_text) >= options.min_extracted_size
        _KEPT.set(len(temp_text) if long_enough else None)
    return postbody, temp_text


def _measured_where_it_can_fire(content, clean: bool = True) -> str:
    kept = _KEPT.get()
    _KEPT.set(None)   # one measure per recorded text
    if _ACTIVE.get() and kept is not None and clean and isinstance(content, HtmlElement):
        bound = page_text_bound(content)
        if bound is not None and kept >= trafilatura.core.ESCALATION_PAGE_SHARE * bound:
            return ""   # the kept text covers its share of any text this long: no retry, as with the real one
    return _html2txt(content, clean)


_recorded_extract_and_compare.__wrapped__ = _extract_and_compare
_measured_where_it_can_fire.__wrapped__ = _html2txt
trafilatura.core._extract_and_compare = _recorded_extract_and_compare
trafilatura.core.html2txt = _measured_where_it_can_fire


@contextmanager
def escalation_measured_only_where_it_can_fire() -> Iterator[None]:
    token, kept = _ACTIVE.set(True), _KEPT.set(None)
    try:
        yield
    finally:
        _KEPT.reset(kept)
        _ACTIVE.reset(token)
