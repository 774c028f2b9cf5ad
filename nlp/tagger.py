"""Public API of the mention tagger: find ProDESC, its director and the
processes it accompanies in an article, and decide whether the article is an
appearance and under which theme (shared/spec/counting-rules.md, §2-§3).

    tagger = Tagger.load()
    result = tagger.tag(title, text)            # language identified offline
    result.is_appearance, result.theme, result.process, result.mentions

Every candidate is returned, accepted or rejected, with a reason a reviewer
can read ("unambiguous name", "context: parque eólico, EDF (score 4 >= 2)",
"look-alike: tourism (turistas, Tren Maya) ..."). All knowledge lives in
``knowledge_base.yaml``; this module only applies it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc

from .context import ContextScorer
from .features import LEAD_CHARS, Candidate, candidate, feature_names
from .kb import Entity, KnowledgeBase, entity_rows, load_kb
from .language import identify
from .matching import AliasHit, CompiledKB, cue_key
from .model import THRESHOLD, Model, in_band, load_model
from .pipelines import SUPPORTED, get_pipeline, sentence_bounds
from .reasons import Reason, ReasonCode, decided, fixed
from .textnorm import fold

FIELD_ORDER = ("title", "text", "author")


@dataclass(frozen=True)
class Mention:
    entity_id: str        # knowledge-base id, e.g. "prodesc", "ancheita", "unionhidalgo"
    entity_kind: str      # "organisation" | "person" | "process"
    theme: str            # land_territory | labour | defenders | institutional
    field: str            # "title" or "text" ("author" when tag() is given the byline)
    start: int            # character offsets in that field's string
    end: int
    matched: str          # the text matched
    snippet: str          # the sentence containing it
    accepted: bool
    reason: str           # why accepted or rejected, in English
    code: str = ReasonCode.CONTEXT.value   # enumerated reason (nlp/reasons.py), for analysts to group by
    reason_es: str = ""   # the same reason in Spanish (what the review desk shows)


@dataclass(frozen=True)
class TagResult:
    language: str                  # es|en|fr|pt
    mentions: tuple[Mention, ...]  # accepted and rejected candidates
    is_appearance: bool            # main text mentions ProDESC/its director or an accompanied process
    theme: str | None              # primary theme (rules §3); None if not an appearance
    process: str | None            # primary process id (None if institutional)
    secondary_themes: tuple[str, ...]
    candidates: tuple[Candidate, ...] = ()   # the evidence about each process named ambiguously


class Tagger:
    """Holds the knowledge base and, per language, the compiled matchers (built once)."""

    def __init__(self, kb: KnowledgeBase, model: Model | None = None, features: bool = False,
                 prefilter: bool = True):
        """``features``: also describe each ambiguously named process for the model
        (`TagResult.candidates`) when there is no model to read them: `train` needs them;
        tagging with the rules alone does not, and skips the work.

        ``prefilter``: skip spaCy for an article in which no name of the knowledge base can
        occur (nlp/prefilter.py); the result is the same, so it is off only to prove that."""
        self.kb = kb
        self.prefilter = prefilter
        self.model = model
        self.with_features = features or model is not None
        self.features = feature_names(kb)
        self.kb_version: str = kb.version + (f"+{model.meta.get('version', '')}" if model else "")
        self._scorer = ContextScorer(kb.entities)
        self._compiled: dict[str, CompiledKB] = {}
        self._lock = threading.Lock()
        self._honorifics = {fold(h).rstrip(".") for h in kb.honorifics}

    @classmethod
    def load(cls, kb_path: str | Path | None = None, model_path: str | Path | None = None,
             use_model: bool = True) -> "Tagger":
        """Load (and validate) the knowledge base, default ``nlp/knowledge_base.yaml``, and the
        learned model, default ``nlp/model.json`` (none: the rules decide alone)."""
        kb = load_kb(kb_path)
        model = load_model(model_path, feature_names(kb)) if use_model else None
        return cls(kb, model)

    # -- reference data ---------------------------------------------------------

    def entities(self) -> list[dict]:
        """Rows for a warehouse table: id, name (Spanish), name_en, kind, theme, aliases."""
        return entity_rows(self.kb)

    # -- tagging ------------------------------------------------------------------

    def _compiled_for(self, lang: str) -> CompiledKB:
        ckb = self._compiled.get(lang)
        if ckb is None:
            with self._lock:
                ckb = self._compiled.get(lang)
                if ckb is None:
                    ckb = CompiledKB(self.kb, get_pipeline(lang), vocabulary=self.with_features)
                    self._compiled[lang] = ckb
        return ckb

    def tag(self, title: str, text: str, language: str | None = None,
            author: str | None = None) -> TagResult:
        """Tag one article. ``text`` is the main text (lead + body).

        ``author`` (optional) is the byline: an article signed by Alejandra
        Ancheita (or by ProDESC) is an appearance even if the text never
        names her (rules §2).
        """
        title = title or ""
        text = text or ""
        lang = language or identify(title, text)
        ckb = self._compiled_for(lang if lang in SUPPORTED else "es")
        nlp = ckb.nlp
        fields = [("title", title), ("text", text)]
        if author:
            fields.append(("author", author))
        if self.prefilter and not ckb.prefilter.may_name(f[1] for f in fields):
            # what the matchers give a page without names: no candidate, so nothing to decide
            return TagResult(lang, (), False, None, None, (), ())
        docs = list(nlp.pipe([f[1] for f in fields]))

        found: set[str] = set()
        for (fname, _), doc in zip(fields, docs):
            if fname != "author":
                found |= ckb.find_cues(doc)

        article = _Article(self, fields, docs, found, ckb)
        article.decide([ckb.find_names(d) for d in docs])
        return article.result(lang)


def hit_text(doc: Doc, hit: AliasHit) -> str:
    return doc[hit.start:hit.end].text


class _Article:
    """Decisions for one article: candidates, supports, mentions, theme."""

    def __init__(self, tagger: Tagger, fields, docs: list[Doc], found: set[str], ckb: CompiledKB):
        self.t = tagger
        self.kb = tagger.kb
        self.fields = fields
        self.docs = docs
        self.found = found
        self.ckb = ckb
        self.mentions: list[tuple[int, int, Mention]] = []   # (field index, start, mention)
        self.candidates: dict[str, Candidate] = {}
        self._hits: list[list[AliasHit]] = []
        self._vocab: dict[str, int] | None = None

    # -- the learned model's view of a process ----------------------------------------

    def _candidate(self, ent: Entity, score, support: float, threshold: float) -> Candidate:
        """Features of (this article, this process): computed once per process."""
        cand = self.candidates.get(ent.id)
        if cand is not None:
            return cand
        title_hits = lead_hits = text_hits = 0
        names: set[str] = set()
        first = 1.0
        for fi, hits in enumerate(self._hits):
            fname = self.fields[fi][0]
            if fname == "author":
                continue
            doc = self.docs[fi]
            for h in hits:
                if h.alias is None or h.entity.id != ent.id:
                    continue
                names.add(h.alias.text)
                if fname == "title":
                    title_hits += 1
                    first = 0.0
                else:
                    text_hits += 1
                    start = doc[h.start].idx
                    lead_hits += start < LEAD_CHARS
                    first = min(first, start / max(1, len(self.fields[fi][1])))
        text_chars = sum(len(t) for f, t in self.fields if f == "text")
        cand = candidate(self.kb, ent.id, score=score.score, positive=score.positive_total,
                         negative=score.negative_total, threshold=threshold, support=support,
                         title_hits=title_hits, lead_hits=lead_hits, text_hits=text_hits,
                         distinct_names=len(names), first_position=first, text_chars=text_chars,
                         vocab_counts=self._vocab_counts())
        self.candidates[ent.id] = cand
        return cand

    def _vocab_counts(self) -> dict[str, int]:
        """The article's vocabulary classes: the same for every process, counted once."""
        if self._vocab is None:
            self._vocab = self.ckb.vocabulary_counts(self.found)
        return self._vocab

    # -- helpers -------------------------------------------------------------------

    def _mention(self, fi: int, hit: AliasHit, ent: Entity, accepted: bool, reason: Reason) -> None:
        doc = self.docs[fi]
        span = doc[hit.start:hit.end]
        s0, s1 = sentence_bounds(doc, hit.start, hit.end)
        fname, ftext = self.fields[fi]
        snippet = ftext[s0:s1].strip()   # not doc.text: that rebuilds the whole text on every call
        m = Mention(ent.id, ent.kind, ent.theme, fname, span.start_char, span.end_char,
                    ftext[span.start_char:span.end_char], snippet, accepted, reason.en, reason.code.value,
                    reason.es)
        self.mentions.append((fi, span.start_char, m))

    def _other_person_before(self, doc: Doc, hit: AliasHit, ent: Entity) -> str | None:
        """For a bare surname: the other person's full name if a first name precedes it."""
        if ent.kind != "person" or not ent.given_names or hit.start == 0:
            return None
        prev = doc[hit.start - 1]
        if not prev.is_alpha or not (prev.is_title or (prev.is_upper and len(prev) > 1)):
            return None
        word = fold(prev.text)
        if word in {fold(g) for g in ent.given_names} or word in self.t._honorifics:
            return None
        if prev.is_stop:                 # "Según Ancheita", "Para Ancheita"
            return None
        return f"{prev.text} {doc[hit.start:hit.end].text}"

    # -- the decision ----------------------------------------------------------------

    def decide(self, hits_per_field: list[list[AliasHit]]) -> None:
        kb = self.kb
        self._hits = hits_per_field
        unambiguous: dict[str, str] = {}      # entity id -> first unambiguous name accepted
        ambiguous: list[tuple[int, AliasHit]] = []

        for fi, hits in enumerate(hits_per_field):
            is_author = self.fields[fi][0] == "author"
            for hit in hits:
                ent = hit.entity
                if hit.alias is None:               # a look-alike name (Centro Prodh...)
                    if not is_author:
                        self._mention(fi, hit, ent, False, fixed(ReasonCode.LOOKALIKE_NAME, hit.lookalike_label))
                    continue
                if is_author:
                    if not hit.alias.ambiguous and ent.kind != "process":
                        self._mention(fi, hit, ent, True, fixed(ReasonCode.BYLINE))
                        unambiguous.setdefault(ent.id, hit.alias.text)
                    continue
                if hit.alias.ambiguous:
                    ambiguous.append((fi, hit))
                else:
                    if hit.variant:
                        self._mention(fi, hit, ent, True, fixed(ReasonCode.NAME_VARIANT, f"«{hit.alias.text}»"))
                    else:
                        code = ReasonCode.ACRONYM if hit.alias.case_sensitive else ReasonCode.UNAMBIGUOUS_NAME
                        self._mention(fi, hit, ent, True, fixed(code))
                    unambiguous.setdefault(ent.id, hit.alias.text)

        # persons/organisations first: an accepted bare "Ancheita" supports processes
        ambiguous.sort(key=lambda fh: (fh[1].entity.kind == "process",))
        supporters: dict[str, str] = {eid: name for eid, name in unambiguous.items()
                                      if kb.by_id[eid].supports_others}

        # another person with the same surname anywhere in the article?
        other_people: dict[str, str] = {}
        for fi, hit in ambiguous:
            other = self._other_person_before(self.docs[fi], hit, hit.entity)
            if other:
                other_people.setdefault(hit.entity.id, other)

        for fi, hit in ambiguous:
            ent, alias = hit.entity, hit.alias
            other = self._other_person_before(self.docs[fi], hit, ent)
            if other:
                self._mention(fi, hit, ent, False, fixed(ReasonCode.OTHER_PERSON, other))
                continue
            if ent.id in unambiguous:
                self._mention(fi, hit, ent, True, fixed(ReasonCode.SAME_ENTITY, unambiguous[ent.id], ent.kind))
                continue
            if ent.id in other_people:
                self._mention(fi, hit, ent, False, fixed(ReasonCode.OTHER_PERSON, other_people[ent.id]))
                continue
            if kb.is_common_word(alias.text) and not any(eid != ent.id for eid in supporters):
                # "la Coalición" may refer back to a name, or to the coalition of an article
                # about ProDESC's work; alone, it is an everyday word
                self._mention(fi, hit, ent, False, fixed(ReasonCode.COMMON_WORD, hit_text(self.docs[fi], hit)))
                continue
            if alias.requires and not any(cue_key(r) in self.found for r in alias.requires):
                self._mention(fi, hit, ent, False, fixed(ReasonCode.MISSING_REQUIRED, ", ".join(alias.requires[:5])))
                continue
            ctx = self.t._scorer.score(ent, alias.text, self.found)
            support: list[tuple[str, str]] = []
            total = ctx.score
            others = [name for eid, name in supporters.items() if eid != ent.id]
            if others:
                total += kb.organisation_support
                support.append((f"{others[0]} named", f"nombra a {others[0]}"))
            threshold = alias.threshold if alias.threshold is not None else ent.threshold
            accepted = total >= threshold
            probability = None
            if ent.kind == "process" and self.t.with_features:
                cand = self._candidate(ent, ctx, kb.organisation_support if others else 0.0, threshold)
                if self.t.model is not None and in_band(total, threshold):
                    # the learned decision replaces the threshold; the rules' evidence stays
                    probability = self.t.model.probability(cand.values)
                    accepted = probability >= THRESHOLD
            passing = probability is not None and not accepted and total >= threshold
            self._mention(fi, hit, ent, accepted,
                          decided(accepted, ctx.positives, ctx.negatives, support, total, threshold,
                                  probability, passing))
            if accepted and ent.supports_others:
                supporters.setdefault(ent.id, alias.text)

    # -- the result ------------------------------------------------------------------

    def result(self, lang: str) -> TagResult:
        order = {f: i for i, f in enumerate(FIELD_ORDER)}
        self.mentions.sort(key=lambda x: (order[self.fields[x[0]][0]], x[1]))
        mentions = tuple(m for _, _, m in self.mentions)
        accepted = [m for m in mentions if m.accepted]
        is_appearance = bool(accepted)
        cands = tuple(self.candidates.values())
        if not is_appearance:
            return TagResult(lang, mentions, False, None, None, (), cands)
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        theme_of: dict[str, str] = {}
        for i, m in enumerate(accepted):
            if m.entity_kind != "process" or m.field == "author":
                continue
            counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
            first.setdefault(m.entity_id, i)
            theme_of[m.entity_id] = m.theme
        if not counts:
            return TagResult(lang, mentions, True, "institutional", None, (), cands)
        process = min(counts, key=lambda p: (-counts[p], first[p]))
        theme = theme_of[process]
        secondary: list[str] = []
        for p in sorted(counts, key=lambda p: first[p]):
            th = theme_of[p]
            if th != theme and th not in secondary:
                secondary.append(th)
        return TagResult(lang, mentions, True, theme, process, tuple(secondary), cands)
