"""A cheap exact pre-check: can any name of the knowledge base occur in this article at all?

Most pages a crawl reads (whole outlets' feeds) never name ProDESC, its director or an
accompanied process, and for them spaCy's tokenizer was most of the tagging time. Every
name the matchers can find (nlp/matching.py) needs at least one *anchor* in the folded
text (lower-case, accents stripped, as `textnorm.fold`):

* a name or acronym (PhraseMatcher on NORM or ORTH): each of its pattern's tokens, folded,
  is a substring of the folded text, so its longest one is the anchor;
* a name variant by rule (nlp/variants.py): its head stem and every distinctive stem must
  start one of the run's words, so its longest required stem is the anchor.

The fold of a text is the fold of its tokens laid end to end (it works character by
character; Greek final sigma, the one context-dependent lower-casing, is mapped to σ on
both sides), so a text without any anchor cannot hold any match: the check is a strict
superset of the matchers, and a page that fails it gets exactly the tagger's result for a
page without names. `tests/test_nlp_prefilter.py` proves it over every real page we have.

A name variant also needs its head to *start a capitalised token*: the variant matcher
only starts a run at a token written with a capital (`is_title` or `is_upper`), so that
token's first character is not a lower-case letter. The stems of variant names are
everyday words ("comuni", "centro", "medida", "trabaj"): as substrings they occur in most
articles, and two thirds of the real pages that reached spaCy named no one. Where every
character of the text folds to exactly one character, a position of the folded text is
the same position of the text as written, so each occurrence of the head is checked
against the character written there; a text where that does not hold (a decomposed
accent, "ß") is let through, as before.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import ahocorasick

from .textnorm import EXTRA_FOLDS
from .variants import CONNECTORS


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# fold's extra mappings, and final sigma (the one context-dependent lower-casing) as σ
_REPLACE = {chr(k): v for k, v in EXTRA_FOLDS.items()} | {"ς": "σ"}


def fold_text(text: str) -> str:
    """`textnorm.fold` for a whole article, uncached (the article is seen once; `fold`'s
    cache is for words): after NFD, each distinct non-ASCII character that fold strips
    (a combining mark) or maps is replaced throughout, in C-level passes."""
    out = unicodedata.normalize("NFD", text.lower())
    if "`" in out:
        out = out.replace("`", _REPLACE["`"])
    if out.isascii():
        return out
    for ch in set(_NON_ASCII.findall(out)):
        if unicodedata.combining(ch):
            out = out.replace(ch, "")
        elif ch in _REPLACE:
            out = out.replace(ch, _REPLACE[ch])
    return out


MIN_ANCHOR = 3   # shorter strings ("de", ",", "a") occur in every text and tell nothing
# words that occur in every text of their language: looking for them costs and tells nothing
EVERYWHERE = CONNECTORS | {"from", "contra", "against", "para", "pour"}


def _selective(strings: frozenset[str]) -> frozenset[str]:
    """The strings worth looking for: all of them are needed, so any subset still lets
    every match through; keep those of 3 characters or more and numbers ("16 de octubre"),
    else the longest."""
    kept = frozenset(s for s in strings if (len(s) >= MIN_ANCHOR or s.isdigit()) and s not in EVERYWHERE)
    return kept or frozenset(sorted(strings, key=lambda s: (-len(s), s))[:1])


class _Scan:
    """Which of a set of strings occur in a text, overlapping and nested occurrences included:
    one pass of an Aho-Corasick automaton (pyahocorasick, in C). It replaced a trie regex
    searched again from each match's next character (~30 Python-level searches per real
    article, 0.55 ms); `tests/test_nlp_prefilter.py` checks both give the same set."""

    def __init__(self, strings: Iterable[str]):
        strings = sorted(set(strings))
        self.automaton = None
        if strings:
            automaton = ahocorasick.Automaton()
            for s in strings:
                automaton.add_word(s, s)
            automaton.make_automaton()
            self.automaton = automaton

    def present(self, text: str) -> set[str]:
        if self.automaton is None:
            return set()
        return {s for _end, s in self.automaton.iter(text)}

    def starts(self, text: str) -> dict[str, list[int]]:
        """Each string found, with the offsets where it starts."""
        found: dict[str, list[int]] = {}
        if self.automaton is not None:
            for end, s in self.automaton.iter(text):
                found.setdefault(s, []).append(end - len(s) + 1)
        return found


@lru_cache(maxsize=4096)
def _folds_to_one(ch: str) -> bool:
    return len(fold_text(ch)) == 1


def _aligned(text: str) -> bool:
    """Does every character of `text` fold to exactly one character? (ASCII ones do.)"""
    return text.isascii() or all(_folds_to_one(ch) for ch in set(_NON_ASCII.findall(text)))


class AnchorFilter:
    """`may_name(texts)`: False only when, for every name, some string it needs is absent
    (or, for a name variant, its head never starts a capitalised token).

    A name is given as the strings a match of it needs, all of them: its pattern's tokens
    (folded, or as written for an acronym, matched with its exact capitals) or a variant's
    required stems, the head first (`capitalised`)."""

    def __init__(self, folded: Iterable[Iterable[str]], exact: Iterable[Iterable[str]] = (),
                 capitalised: Iterable[Iterable[str]] = ()):
        def needs(kind: str, strings: frozenset[str]) -> frozenset:
            return frozenset((kind, s) for s in _selective(strings))

        plain = {needs("f", frozenset(f for f in map(fold_text, strings) if f)) for strings in folded}
        plain |= {needs("x", frozenset(s for s in strings if s)) for strings in exact}
        # need -> the folded heads of which one must start a capitalised token (a name variant's)
        heads: dict[frozenset, set[str]] = {}
        for strings in capitalised:
            folds = [f for f in map(fold_text, strings) if f]
            variant = needs("f", frozenset(folds))
            if folds and ("f", folds[0]) in variant:
                heads.setdefault(variant, set()).add(folds[0])
            else:                       # a head too short to look for: no condition on it
                plain.add(variant)
        self._heads = {n: frozenset(h) for n, h in heads.items() if n not in plain}
        self.names = plain | set(self._heads)
        self._always = frozenset() in self.names     # a name with nothing to look for
        self._by_string: dict[tuple[str, str], list[frozenset]] = {}
        for need in self.names:
            for key in need:
                self._by_string.setdefault(key, []).append(need)
        self._folded = _Scan(s for kind, s in self._by_string if kind == "f")
        self._exact = _Scan(s for kind, s in self._by_string if kind == "x")

    def may_name(self, texts: Iterable[str]) -> bool:
        if self._always:
            return True
        text = "\n".join(texts)
        folded = fold_text(text)
        starts = self._folded.starts(folded)
        present = {("f", s) for s in starts}
        present |= {("x", s) for s in self._exact.present(text)}
        by_string = self._by_string
        met = {need for key in present for need in by_string[key] if need <= present}
        if not met:
            return False
        if any(need not in self._heads for need in met) or not _aligned(text):
            return True
        # only name variants are left: one of their heads must start a token written with a capital
        heads = set().union(*(self._heads[need] for need in met))
        return any(not text[i].islower() for head in heads for i in starts[head])
