"""trafilatura's author reader (`trafilatura.metadata.extract_author`) in one walk over the
page, without copying it.

When a page has no author metadata (61 of the 168 real pages), trafilatura deep-copies the
page, deletes from the copy what cannot be a byline (comments, sidebars, dates, figures...:
`AUTHOR_DISCARD_XPATHS`), then runs three XPaths (`AUTHOR_XPATHS`) and takes the first match
whose text is 3 to 119 characters long. Each of those five `//*[...]` expressions walks the
whole page in libxml2, and the copy is one more walk: ~10 ms a page, 0.12x of a bare
extraction over all real pages.

Here the same predicates are tested in one Python walk of the page as it is (in document
order, what the XPaths return), and the deletion is simulated: an element survives it when
neither it nor any ancestor is discarded, and a survivor's text is its text on the copy
when none of its descendants is discarded (a deleted element's tail goes to its previous
sibling or parent, never into a survivor's own text otherwise). When a candidate does hold
a discarded element, or the page has a `<rel>` element (the first XPath tests a child
named rel, whose text the deletion could change), trafilatura's reader runs as it is.

The predicates are written from trafilatura 2.x's XPaths; `tests/test_extract_onepass.py`
checks on every real page and fixture that each one selects what its XPath selects, and
that the author is trafilatura's.
"""
from __future__ import annotations

import re

from lxml import etree
from trafilatura.metadata import extract_author as trafilatura_author
from trafilatura.metadata import normalize_authors
from trafilatura.utils import trim

LEN_LIMIT = 120   # extract_author's len_limit for extract_metainfo

# re:test() in lxml is Python's re.search on the attribute's value ("" when absent)
_RE = {p: re.compile(p).search for p in (
    "author-?name|AuthorName|authorName",
    "author|zuozhe|bianji|xiaobian",
    "author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name",
    "[Aa]uthor",
    "[Aa]uthor|screenname|writer|[Bb]yline",
    "^comments|comment-?list|ProductReviews",
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)|"
    "print|category|meta-date|meta-reviewer",
)}
_TAGS_1 = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_TAGS_2 = frozenset({"a", "div", "h3", "h4", "p", "span"})
_TAGS_DISCARD = frozenset({"a", "div", "section", "span"})


def _author_1(tag: str, cls: str, id_: str, get) -> bool:
    """AUTHOR_XPATHS[0] (its `rel='me'` child test is left to trafilatura's reader)."""
    if tag == "author":
        return True
    return tag in _TAGS_1 and (
        get("rel") == "author" or id_ == "author" or cls == "author" or get("itemprop") == "author name"
        or get("data-testid") in ("AuthorCard", "AuthorURL")
        or _RE["author-?name|AuthorName|authorName"](cls) is not None)


def _author_2(tag: str, cls: str, id_: str, get) -> bool:
    return tag in _TAGS_2 and (
        cls in ("byline", "username", "byl", "BBL") or "author" in (get("itemprop") or "")
        or _RE["author|zuozhe|bianji|xiaobian"](id_) is not None
        or _RE["author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"](cls)
        is not None)


def _author_3(tag: str, cls: str, id_: str, get) -> bool:
    return ("Byline" in (get("data-component") or "") or "author" in (get("itemprop") or "")
            or _RE["[Aa]uthor"](id_) is not None
            or _RE["[Aa]uthor|screenname|writer|[Bb]yline"](cls) is not None)


def _discarded(tag: str, cls: str, id_: str, get) -> bool:
    """AUTHOR_DISCARD_XPATHS: `.//*[...]` (not the page's root) and `//time|//figure`."""
    if tag in ("time", "figure"):
        return True
    return tag in _TAGS_DISCARD and (
        id_ == "comments" or cls in ("comments", "title", "date")
        or _RE["^comments|comment-?list|ProductReviews"](id_) is not None
        or _RE["^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
               "article-(?:share|support)|print|category|meta-date|meta-reviewer"](cls) is not None
        or "Figure" in (get("data-component") or ""))


_AUTHOR_TESTS = (_author_1, _author_2, _author_3)
# Every class or id the tests above can accept contains one of these strings (one search for all),
# and every other attribute they read must be present: most elements of a page fail this at once
# and skip the four tests. (The same superset as one XPath of `contains()` was 4x slower than
# the walk: libxml2 evaluates each of its 56 tests on every element.)
_TAGS_TESTED = frozenset({"author", "time", "figure"})
_MAYBE = re.compile("uthor|zuozhe|bianji|xiaobian|channel-name|submitted-by|posted-by|journalist-name|"
                    "screenname|writer|yline|byl|BBL|username|omment|ProductReviews|sidebar|is-hidden|quote|"
                    "embedly-instagram|article-share|article-support|print|category|meta-date|meta-reviewer|"
                    "title|date").search


def maybe_tested(tag: str, cls: str, id_: str, get) -> bool:
    """False only for an element that no author test and no discard test can select."""
    return (tag in _TAGS_TESTED or (cls != "" and _MAYBE(cls) is not None) or (id_ != "" and _MAYBE(id_) is not None)
            or get("rel") is not None or get("itemprop") is not None or get("data-testid") is not None
            or get("data-component") is not None)


def extract_author(tree) -> str | None:
    """What `trafilatura.metadata.extract_author(tree)` returns, without copying the page."""
    candidates: tuple[list, list, list] = ([], [], [])
    discarded: set = set()
    for el in tree.iter(etree.Element):
        tag = el.tag
        if tag == "rel":
            return trafilatura_author(tree)
        get = el.get
        cls, id_ = get("class") or "", get("id") or ""
        if not maybe_tested(tag, cls, id_, get):
            continue
        if el is not tree or tag in ("time", "figure"):
            if _discarded(tag, cls, id_, get):
                discarded.add(el)
        for found, test in zip(candidates, _AUTHOR_TESTS):
            if test(tag, cls, id_, get):
                found.append(el)
    holding = {a for d in discarded for a in d.iterancestors()}   # elements with a discarded descendant
    for found in candidates:
        for el in found:
            if el in discarded or any(a in discarded for a in el.iterancestors()):
                continue            # deleted with the discarded parts
            if el in holding:       # its text on the copy would lack them: trafilatura decides
                return trafilatura_author(tree)
            content = trim(" ".join(el.itertext()))
            if content and 2 < len(content) < LEN_LIMIT:
                return normalize_authors(None, content)
    return None
