"""Context rules: score an ambiguous name against the whole article.

The counting rules say a place, company or acronym counts only when the
article is about the defence, lawsuit or organising ProDESC accompanies.
The knowledge base expresses that as weighted cue words per entity; this
module adds up the cues found in the article (title + text), applying each
group's cap, and returns the evidence (cues found, look-alike cues found) that
``nlp.reasons`` turns into words for reviewers.

A name is never its own context: when scoring a candidate written "EDF" (or
"EDF Renewables"), the cue "EDF" is skipped (otherwise every EDF story would
qualify), while "Unión Hidalgo" elsewhere in the article still counts for it.
"""
from __future__ import annotations

from dataclasses import dataclass

from .kb import Entity
from .matching import cue_key


@dataclass(frozen=True)
class _PreparedCue:
    key: str
    phrase: str
    weight: float
    group: str
    cap: float | None
    label: str | None


@dataclass(frozen=True)
class ContextScore:
    score: float
    positives: tuple[str, ...]             # cue phrases that supported the name
    negatives: tuple[tuple[str, str], ...] # (label, phrase) of look-alike cues found
    positive_total: float = 0.0            # what the context cues added (after caps)
    negative_total: float = 0.0            # what the look-alike cues took away (after caps, <= 0)


class ContextScorer:
    """Per-entity cue tables, prepared once; ``score`` runs per article and name."""

    def __init__(self, entities: tuple[Entity, ...]):
        self._cues: dict[str, list[_PreparedCue]] = {}
        for ent in entities:
            seen: set[tuple[str, str]] = set()
            lst: list[_PreparedCue] = []
            for c in ent.cues:
                k = cue_key(c.phrase)
                if (c.group, k) in seen:
                    continue
                seen.add((c.group, k))
                lst.append(_PreparedCue(k, c.phrase, c.weight, c.group, c.cap, c.label))
            self._cues[ent.id] = lst

    def score(self, entity: Entity, own_name: str, found: set[str]) -> ContextScore:
        """Sum the entity's cues present in ``found``, skipping the name itself."""
        own = cue_key(own_name)
        sums: dict[str, float] = {}
        caps: dict[str, float | None] = {}
        pos: list[str] = []
        neg: list[tuple[str, str]] = []
        counted: set[str] = set()
        for c in self._cues[entity.id]:
            if c.key not in found or _overlaps(c.key, own):
                continue
            sums[c.group] = sums.get(c.group, 0.0) + c.weight
            caps[c.group] = c.cap
            if c.weight < 0:
                neg.append((c.label or "look-alike", c.phrase))
            elif c.key not in counted:
                pos.append(c.phrase)
            counted.add(c.key)
        plus = minus = 0.0
        for g, s in sums.items():
            cap = caps[g]
            if cap is not None:
                s = min(s, cap) if cap > 0 else max(s, cap)
            if s >= 0:
                plus += s
            else:
                minus += s
        return ContextScore(round(plus + minus, 3), tuple(pos), tuple(neg), round(plus, 3), round(minus, 3))


def _overlaps(cue: str, own: str) -> bool:
    """True if the cue is the name itself or a word sequence inside it (or vice versa)."""
    a, b = f" {cue} ", f" {own} "
    return a in b or b in a
