"""The pre-check before spaCy (nlp/prefilter.py) must never change a result: an article it
lets through is tagged as before, and one it stops gets exactly what the tagger gives a page
without names. Proved here on every page of every recorded web we have."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.prefilter import AnchorFilter, _Scan, fold_text
from nlp.tagger import Tagger
from nlp.textnorm import fold
from pipelines.extract import extract_article
from pipelines.records import FetchedPage, Skip
from pipelines.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
WEBS = {"realpress": SHARED / "realpress" / "web", "corpus": SHARED / "corpus" / "web",
        "corpus2": ROOT / "tests" / "corpus2" / "web"}
REALDATA = SHARED / "realdata" / "html"


@pytest.fixture(scope="module")
def taggers():
    full = Tagger.load()
    full.prefilter = False
    return full, Tagger.load()


def _recorded(web: Path) -> list[FetchedPage]:
    pages = []
    for entry in json.loads((web / "index.json").read_text(encoding="utf-8")):
        ctype = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}.get("content-type", "")
        if entry.get("status") != 200 or "html" not in ctype or not entry.get("file"):
            continue
        pages.append(_page(entry["url"], (web / entry["file"]).read_bytes(), ctype))
    return pages


def _page(url: str, body: bytes, ctype: str = "text/html") -> FetchedPage:
    return FetchedPage(url=url, final_url=url, status=200, content_type=ctype, body=body,
                       discovered_via="feed", source_url="", listed_at=None, listed_title=None,
                       fetched_at="2026-12-06T12:00:00+00:00")


def _same_tags(pages: list[FetchedPage], taggers) -> tuple[int, int]:
    full, pre = taggers
    articles = [a for a in (extract_article(p, Registry(outlets=())) for p in pages) if not isinstance(a, Skip)]
    named = 0
    for a in articles:
        expected = full.tag(a.title, a.text, author=a.author)
        assert pre.tag(a.title, a.text, author=a.author) == expected, a.url
        named += bool(expected.mentions)
    return len(articles), named


@pytest.mark.parametrize("name", sorted(WEBS))
def test_same_tags_on_every_recorded_page(name, taggers):
    web = WEBS[name]
    if not web.is_dir():
        pytest.skip(f"{web} is absent")
    articles, named = _same_tags(_recorded(web), taggers)
    assert articles > 50 and named > 10       # the web has articles, and some name someone


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")
def test_same_tags_on_the_real_pages(taggers):
    pages = [_page(f"http://realdata.example/{p.name}", p.read_bytes())
             for p in sorted(REALDATA.rglob("*")) if p.is_file()]
    articles, _named = _same_tags(pages, taggers)
    assert articles > 150


@pytest.mark.parametrize("text", [
    "UNIÓN HIDALGO", "union hidalgo", "EDF-Unión Hidalgo", "la Sra. Ancheita", "#ProDESC", "@ProDESC_AC",
    "prodesc.org.mx", "ProDESC-A.C.", "Alejandra\nAncheita", "Coordinadora Nacional de Defensoras de los "
    "Derechos Humanos Laborales", "Coalición de Trabajadoras y Trabajadores Temporales Sinaloenses",
])
def test_names_written_otherwise_pass(text, taggers):
    full, pre = taggers
    assert full.tag("", text, language="es").mentions, text         # the matchers find a name here...
    assert pre._compiled_for("es").prefilter.may_name(["", text])   # ...so the pre-check lets it through
    assert pre.tag("", text, language="es") == full.tag("", text, language="es")


def test_a_page_without_names_skips_spacy(taggers, monkeypatch):
    _full, pre = taggers
    ckb = pre._compiled_for("es")
    text = "El gobierno municipal inauguró un mercado en la colonia centro. Los vecinos celebraron."
    assert not ckb.prefilter.may_name(["Mercado nuevo", text])
    monkeypatch.setattr(ckb, "nlp", None)              # spaCy is not reached
    result = pre.tag("Mercado nuevo", text, language="es")
    assert (result.mentions, result.is_appearance, result.theme, result.candidates) == ((), False, None, ())


def test_anchors_are_needed_together_and_overlaps_are_seen():
    f = AnchorFilter([("union", "hidalgo")], exact=[("UNICA",)])
    assert f.may_name(["Unión", "de HIDALGO"]) and not f.may_name(["unión", "y nada más"])
    assert f.may_name(["la UNICA"]) and not f.may_name(["la única"])
    nested = AnchorFilter([("abcd",), ("bc", "xyz")])     # "bc" inside "abcd"'s occurrence
    assert nested.may_name(["abcd xyz"])
    overlapping = AnchorFilter([("abc",), ("cde",)])
    assert overlapping.may_name(["abde cde"]) and overlapping.may_name(["xabcdex"])



def test_a_variant_name_needs_its_head_written_with_a_capital(taggers):
    """The everyday stems of name variants ("comuni", "centro", "trabaj") pass as substrings in most
    articles; the variant matcher only starts at a capitalised token, so neither does the check."""
    variant = AnchorFilter([], capitalised=[("coordi", "defens", "labora")])
    assert variant.may_name(["", "Habló la Coordinadora de Defensoras Laborales."])
    assert variant.may_name(["COORDINADORA DE DEFENSORAS LABORALES", ""])
    assert not variant.may_name(["", "la coordinadora de defensoras laborales"])
    assert variant.may_name(["Coordinación", "la coordinadora de defensoras laborales"])   # a capital elsewhere
    # a decomposed accent folds to nothing: positions no longer line up, and the text is let through
    assert variant.may_name(["", "Cafe\u0301: la coordinadora de defensoras laborales"])
    # the same strings needed by a name matched as written (case ignored): no condition on capitals
    both = AnchorFilter([("coordi", "defens", "labora")], capitalised=[("coordi", "defens", "labora")])
    assert both.may_name(["", "la coordinadora de defensoras laborales"])

    full, pre = taggers
    check = pre._compiled_for("es").prefilter
    name = "Coordinadora Nacional de Defensoras de los Derechos Humanos Laborales"
    assert full.tag("", f"Habló la {name}.", language="es").mentions[0].code == "name_variant"
    assert check.may_name(["", f"Habló la {name}."])
    everyday = "La comunidad exigió medidas; el centro de trabajo cerró. Se encuentra en la red."
    assert not check.may_name(["Crónica", everyday])


_BEFORE = ("Straße", "Café", "Ærø", "İzmir", "señora", "ΟΔΟΣ", "la", "LA", "de")
_FORMS = ("as is", "as is", "as is", "lower", "upper", "swap", "nfd")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), before=st.lists(st.tuples(st.sampled_from(_BEFORE), st.sampled_from(_FORMS)), max_size=4),
       forms=st.lists(st.sampled_from(_FORMS), min_size=16, max_size=16),
       sep=st.sampled_from([" ", " ", "\n", "-", "«"]), ending=st.sampled_from(["as", "es", "os", "xs"]))
def test_names_written_any_which_way_get_the_same_tags(taggers, data, before, forms, sep, ending):
    """A name of the knowledge base written otherwise (one long word with another ending, as the
    variant matcher allows), each word in any case, after words that fold to more or fewer
    characters than they have: the check never hides a name (or a rejected one) the matchers find."""
    import unicodedata
    full, pre = taggers
    names = sorted({a.text for e in full.kb.entities for a in e.aliases
                    if len(a.text.split()) >= 3 and not a.case_sensitive})
    words = data.draw(st.sampled_from(names)).split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 7]
    if long_words:
        i = data.draw(st.sampled_from(long_words))
        words[i] = words[i][:6] + ending
    form = {"as is": lambda w: w, "lower": str.lower, "upper": str.upper, "swap": str.swapcase,
            "nfd": lambda w: unicodedata.normalize("NFD", w)}
    text = " ".join(form[f](w) for w, f in before) + sep
    text += " ".join(form[f](w) for w, f in zip(words, forms)) + "."
    assert pre.tag("", text, language="es") == full.tag("", text, language="es")


@pytest.mark.parametrize("text", ["Ünión ßtraße ŁÓDŹ æ œ ø đ ’‘´` Mítikah", "ΟΔΟΣ Σοφία", "a\u0301\u0327 İ"])
def test_the_whole_text_folds_as_its_words(text):
    assert fold_text(text) == fold(text).replace("ς", "σ")
    assert fold_text(text) == "".join(fold_text(c) for c in text)


def _regex_scan(strings, text: str) -> set[str]:
    """The scan `_Scan` replaced (a trie regex searched again from each match's next character),
    kept as the reference: the automaton must find exactly the same strings."""
    strings = sorted(set(strings))
    if not strings:
        return set()
    regex = re.compile("|".join(re.escape(s) for s in sorted(strings, key=len, reverse=True)))
    found, m = set(), regex.search(text)
    while m is not None:
        found.update(s for s in strings if m.group().startswith(s))
        m = regex.search(text, m.start() + 1)
    return found


def _article_texts() -> list[str]:
    pages = [p for web in WEBS.values() if web.is_dir() for p in _recorded(web)]
    if REALDATA.is_dir():
        pages += [_page(f"http://realdata.example/{p.name}", p.read_bytes())
                  for p in sorted(REALDATA.rglob("*")) if p.is_file()]
    articles = [a for a in (extract_article(p, Registry(outlets=())) for p in pages) if not isinstance(a, Skip)]
    return ["\n".join(filter(None, (a.title, a.text, a.author))) for a in articles]


def test_the_automaton_finds_what_the_regex_scan_found(taggers):
    """On every article we have, folded and as written, with the knowledge base's own anchors."""
    texts = _article_texts()
    assert len(texts) > 400
    prefilter = taggers[1]._compiled_for("es").prefilter
    for scan, fold_first in ((prefilter._folded, True), (prefilter._exact, False)):
        strings = list(scan.automaton.keys())
        assert len(strings) > 10
        for text in texts:
            text = fold_text(text) if fold_first else text
            assert scan.present(text) == _regex_scan(strings, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abcá", min_size=1, max_size=4), min_size=1, max_size=8),
       st.text(alphabet="abcá ", max_size=40))
def test_the_automaton_sees_overlapping_and_nested_strings(strings, text):
    assert _Scan(strings).present(text) == _regex_scan(strings, text)
