"""Compile the knowledge base into spaCy matchers for one language pipeline.

Three kinds of patterns, each on the token attribute that fits it:

* names and ambiguous names -> PhraseMatcher on NORM (folded: case and
  accents ignored);
* acronyms -> PhraseMatcher on ORTH (exact capitals: "UNICA" but not
  "única", "CLaP" but not "CLAP");
* context cues and look-alike cues -> PhraseMatcher on LEMMA (folded lemma,
  so singular cues find plurals), plus word-prefix cues ("ejid*") checked
  against the set of words of the article.

Patterns are built with the same pipeline that processes articles (the
folded NORM/LEMMA exist only after ``fold_norm`` has run).
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.attrs import LEMMA, NORM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .kb import Alias, Entity, KnowledgeBase
from .prefilter import AnchorFilter
from .textnorm import fold
from .variants import VariantMatcher, content_stems, stem


@dataclass(frozen=True)
class AliasHit:
    """A name found in a doc: token span and the alias (or look-alike) it matched."""
    start: int            # token index
    end: int
    entity: Entity
    alias: Alias | None   # None for a look-alike name
    lookalike_label: str | None = None
    variant: bool = False # found by rule (nlp/variants.py), not as written in the knowledge base


def _variants(text: str) -> list[str]:
    """The alias as written plus a version without commas ("Económicos Sociales y ...")."""
    out = [text]
    if "," in text:
        out.append(" ".join(text.replace(",", " ").split()))
    return out


class CompiledKB:
    """The knowledge base turned into matchers for one pipeline (one language)."""

    def __init__(self, kb: KnowledgeBase, nlp: Language, vocabulary: bool = True):
        self.kb = kb
        self.nlp = nlp
        vocab = nlp.vocab
        self.norm_matcher = PhraseMatcher(vocab, attr="NORM")
        self.orth_matcher = PhraseMatcher(vocab, attr="ORTH")
        self.cue_matcher = PhraseMatcher(vocab, attr="LEMMA")
        # match key (hash) -> list of (entity, alias-or-None, look-alike label)
        self.alias_keys: dict[int, list[tuple[Entity, Alias | None, str | None]]] = {}
        # cue key (hash) -> folded cue phrase
        self.cue_keys: dict[int, str] = {}
        self.prefix_cues: set[str] = set()        # folded prefixes without '*'
        self.variant_matcher = VariantMatcher()   # multi-word names written otherwise
        # per name, the strings a match needs (nlp/prefilter.py): folded, or exact for acronyms
        self._anchors: dict[bool, list[tuple[str, ...]]] = {False: [], True: []}

        norm_texts: dict[str, list] = {}
        orth_texts: dict[str, list] = {}
        common = _common_stems(kb)
        for ent in kb.entities:
            for alias in ent.aliases:
                target = orth_texts if alias.case_sensitive else norm_texts
                for t in _variants(alias.text):
                    target.setdefault(t, []).append((ent, alias, None))
                if not alias.case_sensitive:
                    self.variant_matcher.add(alias.text, (ent, alias, None), common)
            for la in ent.look_alike_names:
                norm_texts.setdefault(la.text, []).append((ent, None, la.label))
                self.variant_matcher.add(la.text, (ent, None, la.label), common)
        self._add(self.norm_matcher, norm_texts, "N", use_pipeline=True)
        self._add(self.orth_matcher, orth_texts, "O", use_pipeline=False)
        self.prefilter = AnchorFilter(self._anchors[False], self._anchors[True], self.variant_matcher.anchors())

        cue_texts: set[str] = set()
        for ent in kb.entities:
            for alias in ent.aliases:
                cue_texts.update(r for r in alias.requires if not r.endswith("*"))
                self.prefix_cues.update(fold(r[:-1]) for r in alias.requires if r.endswith("*"))
            for cue in ent.cues:
                if cue.is_prefix:
                    self.prefix_cues.add(fold(cue.phrase[:-1]))
                else:
                    cue_texts.add(cue.phrase)
        # the vocabulary classes the learned model reads (nlp/features.py); the rules do not
        # read them, so a tagger without a model does not match them
        self.vocabulary: list[tuple[str, tuple[str, ...]]] = []
        for cls in kb.vocabulary if vocabulary else ():
            keys = []
            for phrase in cls.phrases:
                if phrase.endswith("*"):
                    self.prefix_cues.add(fold(phrase[:-1]))
                    keys.append(fold(phrase[:-1]) + "*")
                else:
                    cue_texts.add(phrase)
                    keys.append(cue_key(phrase))
            self.vocabulary.append((cls.name, tuple(dict.fromkeys(keys))))
        texts = sorted(cue_texts)
        for text, doc in zip(texts, nlp.pipe(texts)):
            key = "C:" + cue_key(text)
            h = vocab.strings.add(key)
            self.cue_keys[h] = cue_key(text)
            self.cue_matcher.add(key, [doc])

    def _add(self, matcher: PhraseMatcher, texts: dict[str, list], prefix: str,
             use_pipeline: bool) -> None:
        items = sorted(texts)
        docs = self.nlp.pipe(items) if use_pipeline else (self.nlp.make_doc(t) for t in items)
        for text, doc in zip(items, docs):
            key = f"{prefix}:{text}"
            # a match has, for each token of the pattern, a token whose NORM (folded text)
            # is its fold, or whose ORTH is its text: a substring of the (folded) article
            exact = not use_pipeline
            self._anchors[exact].append(tuple(t.text if exact else fold(t.text) for t in doc if not t.is_space))
            h = self.nlp.vocab.strings.add(key)
            self.alias_keys.setdefault(h, []).extend(texts[text])
            matcher.add(key, [doc])

    # -- per-document matching -------------------------------------------------

    def find_names(self, doc: Doc) -> list[AliasHit]:
        """Names, acronyms and look-alike names in ``doc``; overlaps resolved longest-first."""
        raw: list[tuple[int, int, int, object]] = []   # (start, end, priority, key or variant)
        for key, s, e in self.norm_matcher(doc):
            raw.append((s, e, 0, key))
        for key, s, e in self.orth_matcher(doc):
            raw.append((s, e, 0, key))
        for v in self.variant_matcher(doc):
            raw.append((v.start, v.end, 1, v))
        # longest first; a name as written before a variant of it; then leftmost
        raw.sort(key=lambda m: (-(m[1] - m[0]), m[2], m[0]))
        taken = bytearray(len(doc))
        hits: list[AliasHit] = []
        for s, e, _p, key in raw:
            if any(taken[s:e]):
                continue
            for i in range(s, e):
                taken[i] = 1
            if _p:
                ent, alias, label = key.payload
                hits.append(AliasHit(s, e, ent, alias, label, variant=True))
                continue
            for ent, alias, label in self.alias_keys[key]:
                hits.append(AliasHit(s, e, ent, alias, label))
        hits.sort(key=lambda h: h.start)
        return hits

    def vocabulary_counts(self, found: set[str]) -> dict[str, int]:
        """How many different words of each vocabulary class the article uses."""
        return {name: sum(1 for k in keys if k in found) for name, keys in self.vocabulary}

    def find_cues(self, doc: Doc) -> set[str]:
        """Folded cue phrases present in ``doc`` (prefix cues are reported as 'prefix*')."""
        found = {self.cue_keys[key] for key, _s, _e in self.cue_matcher(doc)}
        if self.prefix_cues:
            strings = doc.vocab.strings
            words = {strings[h] for h in set(doc.to_array([NORM, LEMMA]).ravel().tolist())}
            for p in self.prefix_cues:
                if any(w.startswith(p) for w in words):
                    found.add(p + "*")
        return found


def _common_stems(kb: KnowledgeBase) -> set[str]:
    """Stems that do not tell one entity from another: the knowledge base's common words
    and every stem found in the names of two or more entities."""
    owners: dict[str, set[str]] = {}
    for ent in kb.entities:
        for alias in ent.aliases:
            for s in content_stems(alias.text):
                owners.setdefault(s, set()).add(ent.id)
    common = {s for s, ids in owners.items() if len(ids) > 1}
    common.update(stem(w) for w in kb.common_words)
    return common


def cue_key(phrase: str) -> str:
    """How a cue is identified in the found set: folded, single-spaced."""
    return " ".join(fold(phrase).split())
