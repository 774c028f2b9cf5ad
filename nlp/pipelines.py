"""spaCy pipelines for es/en/fr/pt built offline from ``spacy.blank``.

No statistical model can be downloaded here, and none is needed: the tagger
matches a gazetteer. Each pipeline is

    tokenizer (+ splits for glued tokens) -> ``fold_norm`` (NORM = folded
    text, LEMMA = folded lookup lemma from spacy-lookups-data)

Sentence boundaries are only needed for the snippet of a mention, so they
are found around each mention (``sentence_bounds``) instead of by a
sentencizer over every document.

* NORM (lower-case, accents stripped) is what aliases are matched on, so
  "Union Hidalgo" and "UNIÓN HIDALGO" are the same name.
* LEMMA (folded) is what context cues are matched on, so the cue "ejido"
  also finds "ejidos" and "parque eólico" finds "parques eólicos".
* Extra tokenizer rules split tokens that would otherwise hide a name:
  ``ProDESC-A.C.``, ``@ProDESC_AC``, ``#ProDESC``, ``EDF-Unión``,
  ``l’EDF`` in Spanish text, ``prodesc.org.mx``.

Pipelines are expensive to build (lookup tables), so they are built once per
language and cached for the life of the process.
"""
from __future__ import annotations

import threading
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import LEMMA, NORM, ORTH
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex

from .textnorm import fold

SUPPORTED = ("es", "en", "fr", "pt")

_EXTRA_INFIXES = (
    r"(?<=[^\W_])[-_](?=[^\W_])",           # EDF-Unión, ProDESC-A.C., ProDESC_AC
    r"(?<=[a-z])\.(?=[a-z]{2,})",           # prodesc.org.mx (lower-case dots only: keeps A.C.)
    r"(?<=[^\W\d_])['’](?=[^\W\d_])",       # l’EDF, d'Unión Hidalgo
)
_EXTRA_PREFIXES = (r"@", r"#")
_PLAIN_SPACE_RULES = ("\n", "\t", " ")   # not "\xa0": its rule also sets NORM
TOKENIZER_CACHE = 200_000


class FoldNorm:
    """Set NORM to the folded text and LEMMA to the folded lookup lemma.

    The lemma comes from spacy-lookups-data's table (tried as written, then
    lower-cased, so "Parques" -> "parque"); results are cached per word form.
    """

    def __init__(self, table: dict | None):
        self.table = table if table is not None else {}
        self.cache: dict[str, tuple[str, str]] = {}
        self.hashes: dict[int, tuple[int, int]] = {}   # ORTH hash -> (NORM hash, LEMMA hash)

    def forms(self, text: str) -> tuple[str, str]:
        hit = self.cache.get(text)
        if hit is None:
            lemma = self.table.get(text)
            if lemma is None:
                lemma = self.table.get(text.lower(), text)
            if not isinstance(lemma, str):   # some tables hold a list of lemmas
                lemma = lemma[0] if lemma else text
            hit = (fold(text), fold(lemma))
            if len(self.cache) < 500_000:
                self.cache[text] = hit
        return hit

    def __call__(self, doc):
        # Work on hash arrays rather than Token objects: ~3x faster on long texts.
        strings = doc.vocab.strings
        hashes = self.hashes
        rows = []
        for oid in doc.to_array(ORTH).tolist():
            h = hashes.get(oid)
            if h is None:
                norm, lemma = self.forms(strings[oid])
                h = (strings.add(norm), strings.add(lemma))
                if len(hashes) < 500_000:
                    hashes[oid] = h
            rows.append(h)
        if rows:
            doc.from_array([NORM, LEMMA], numpy.array(rows, dtype="uint64"))
        return doc


@Language.factory("fold_norm")
def _make_fold_norm(nlp: Language, name: str):
    table = None
    try:
        from spacy.lookups import load_lookups
        lookups = load_lookups(nlp.lang, ["lemma_lookup"], strict=False)
        if lookups.has_table("lemma_lookup"):
            table = lookups.get_table("lemma_lookup")
    except Exception:  # no spacy-lookups-data for this language: fold only
        table = None
    return FoldNorm(table)


def _customise_tokenizer(nlp: Language) -> None:
    infixes = list(nlp.Defaults.infixes or ()) + list(_EXTRA_INFIXES)
    prefixes = list(_EXTRA_PREFIXES) + list(nlp.Defaults.prefixes or ())
    tok = nlp.tokenizer
    tok.infix_finditer = compile_infix_regex(infixes).finditer
    tok.prefix_search = compile_prefix_regex(prefixes).search
    tok.url_match = None          # split web addresses so "prodesc.org.mx" shows the name
    # spaCy's exceptions for a bare "\n", "\t" or " " make the same single token the rules make
    # without them, but any exception hit stops the tokenizer caching the rest of that text
    # (spaCy #1250): after an article's first line break every word was split by regex again,
    # most of the tagging time. Without them the tokens are the same and the cache works.
    rules = dict(tok.rules or {})
    for space in _PLAIN_SPACE_RULES:
        if rules.get(space) == [{ORTH: space}]:
            del rules[space]
    tok.rules = rules
    tok.max_cache_size = TOKENIZER_CACHE   # whitespace-separated chunks; the default 10,000 fills on a few hundred articles


_lock = threading.Lock()


def get_pipeline(lang: str) -> Language:
    """Return the cached pipeline for ``lang`` (unknown languages fall back to Spanish)."""
    return _build(lang if lang in SUPPORTED else "es")


@lru_cache(maxsize=None)
def _build(lang: str) -> Language:
    with _lock:
        nlp = spacy.blank(lang)
        _customise_tokenizer(nlp)
        nlp.add_pipe("fold_norm")
    return nlp


_SENT_END = frozenset({".", "!", "?", "…", "...", "?!", "!?"})
_CLOSERS = frozenset({'"', "”", "’", "»", ")", "]", "'"})


def sentence_bounds(doc, start: int, end: int) -> tuple[int, int]:
    """Character span of the sentence holding tokens [start, end).

    A sentence ends after '.', '!', '?' or '…' (plus closing quotes) or at a
    line break. Only the tokens around the mention are looked at, so this is
    cheap enough to run for every mention (the spaCy sentencizer would walk
    the whole document).
    """
    n = len(doc)
    i = start
    while i > 0:
        prev = doc[i - 1]
        if prev.text in _SENT_END or "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
            break
        if prev.text in _CLOSERS and i > 1 and doc[i - 2].text in _SENT_END:
            break
        i -= 1
    j = end
    while j < n:
        tok = doc[j]
        if tok.is_space and "\n" in tok.text:
            break
        j += 1
        if tok.text in _SENT_END:
            while j < n and doc[j].text in _CLOSERS:
                j += 1
            break
        if "\n" in tok.whitespace_:
            break
    while i < j and doc[i].is_space:
        i += 1
    if i >= j:
        return doc[start:end].start_char, doc[start:end].end_char
    return doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
