"""The page's one parse: the tree trafilatura's `load_html` builds, without lxml.html's
Python-level element classes.

`lxml.html` gives every element of a tree its Python class by calling a Python function
(`HtmlElementClassLookup.lookup`) each time lxml hands an element to Python. The extractor
and our metadata rules hand ~5,000 elements per real page to Python (XPath results,
iteration, copies), so that call cost ~2–3 ms of a ~30 ms page. A parser configured with
lxml's C-level default lookup gives every element `HtmlElement`, the class trafilatura,
htmldate and our rules read (`text_content`, `drop_tree`...), without the call. The only
difference is that form controls (`<form>`, `<input>`, `<select>`, `<textarea>`, `<label>`)
are plain `HtmlElement`s instead of lxml.html's form classes, whose extra attributes
(`.value`, `.inputs`, `.fields`) nothing in the pipeline reads.

`parse_html` follows `trafilatura.utils.load_html` (trafilatura < 3) step by step for a
decoded page: the same repairs, the same parser settings, the same fall-back to bytes and
the same rejection of what is not HTML. One repair is checked before it is made: deleting the
control characters XML forbids scans the whole page with a regex (~1.1 ms per real page) for
characters almost no page has; the page's UTF-8 bytes are searched for them in C first. A page
with nothing to repair is parsed from those bytes, which libxml2 reads as they are (a str it
must convert first). `tests/test_htmltree.py` checks that it gives the same tree and the same
extraction as `load_html` on every page we have, from the bytes and from the text, so a
trafilatura release that changes `load_html` fails there, not silently.
"""
from __future__ import annotations

import logging

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, HTML_PARSER, is_dubious_html, repair_faulty_html

log = logging.getLogger(__name__)


def _parser() -> HTMLParser:
    # trafilatura's settings (collect_ids, default_doctype, encoding, comments and PIs removed),
    # copied from its parser so they cannot drift apart
    parser = HTML_PARSER.copy()
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
    return parser


PARSER = _parser()
# the characters trafilatura's INVALID_XML_CHARS deletes, as UTF-8 bytes: C0 controls but tab,
# line feed and carriage return (bytes below 0x20 only ever encode these), U+FFFE and U+FFFF
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r")
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def _forbidden(page: str, utf8: bytes | None = None) -> bool:
    """Does the page hold a character trafilatura's repair deletes? (~0.15 ms, not 1.1; ~0.05 when
    its UTF-8 bytes, the page's body, are given)"""
    data = page.encode("utf-8", "surrogatepass") if utf8 is None else utf8
    return len(data.translate(None, _CONTROL_BYTES)) != len(data) or any(n in data for n in _NONCHARACTERS)


def _repaired(page: str, beginning: str, utf8: bytes | None = None) -> str:
    """trafilatura's `repair_faulty_html`: its first step only when there is something to delete."""
    if _forbidden(page, utf8):
        return repair_faulty_html(page, beginning)
    if "doctype" in beginning:
        firstline, _, rest = page.partition("\n")
        page = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in page[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", page, count=1)
    return page


def _from_bytes(page: str) -> HtmlElement | None:
    """trafilatura's `fromstring_bytes`: libxml2 refuses a str that declares an encoding."""
    return _parsed(page.encode("utf8", "surrogatepass"))


def _parsed(data: bytes) -> HtmlElement | None:
    try:
        return fromstring(data, parser=PARSER)
    except Exception as exc:  # noqa: BLE001 - as trafilatura: an unparseable page is no tree
        log.debug("lxml could not parse the page as bytes: %s", exc)
    return None


def parse_html(page: str, utf8: bytes | None = None) -> HtmlElement | None:
    """The page's tree, or None when it is not HTML (what `load_html(page)` returns). `utf8`: the
    page encoded in UTF-8, when the caller holds those bytes (the body it decoded)."""
    beginning = page[:50].lower()
    dubious = is_dubious_html(beginning)
    repaired = _repaired(page, beginning, utf8)
    tree, as_bytes = None, False
    if utf8 is not None and repaired == page:
        # nothing repaired: the page's UTF-8 bytes are what trafilatura's bytes parse reads, and
        # libxml2 parses them as they are, where a str must first be converted (~0.2 ms a page)
        tree, as_bytes = _parsed(utf8), True
    else:
        page = repaired
        try:
            tree = fromstring(page, parser=PARSER)
        except ValueError:   # "Unicode strings with encoding declaration are not supported."
            tree, as_bytes = _from_bytes(page), True
        except Exception as exc:  # noqa: BLE001 - as trafilatura
            log.debug("lxml could not parse the page: %s", exc)
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = _from_bytes(page)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree
