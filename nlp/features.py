"""What the learned model reads about one article and one process named ambiguously.

The rules add up the cue words the knowledge base lists for each process; real
reporters use other words. These features describe the article's *structure* and
*kind* as well, in terms that hold for every process, so that what is learned on
one case transfers to the next:

* the rules' own evidence (context score, look-alike score, ProDESC named);
* where the process's names occur (title, lead, body), how often, how many of its
  different names, how early;
* how much of each vocabulary class the article uses: legal action, organising,
  rights (the stories ProDESC accompanies) against tourism, earnings, real estate,
  shopping, weather, sport (the look-alikes). The classes are data in the knowledge
  base (``vocabulary``), editable like the rest.

Every value is a plain float, so the model is a short list of weights anyone can read.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .kb import KnowledgeBase

LEAD_CHARS = 400           # the lead: the first paragraph or two of the main text
CLASS_CAP = 4              # a class counts up to this many different words

BASE_FEATURES = (
    "rules_score", "rules_positive", "rules_negative", "rules_accept", "prodesc_named",
    "in_title", "in_lead", "hits_log", "distinct_names", "first_position", "length_log",
)


def feature_names(kb: KnowledgeBase) -> tuple[str, ...]:
    return BASE_FEATURES + tuple(f"vocab_{c.name}" for c in kb.vocabulary)


@dataclass(frozen=True)
class Candidate:
    """The evidence about one process in one article, before the decision."""
    entity_id: str
    values: tuple[float, ...]        # in the order of `feature_names`

    def as_dict(self, names: tuple[str, ...]) -> dict[str, float]:
        return dict(zip(names, self.values))


def candidate(kb: KnowledgeBase, entity_id: str, *, score: float, positive: float, negative: float,
              threshold: float, support: float, title_hits: int, lead_hits: int, text_hits: int,
              distinct_names: int, first_position: float, text_chars: int,
              vocab_counts: dict[str, int]) -> Candidate:
    values = [
        score, positive, negative, 1.0 if score + support >= threshold else 0.0, 1.0 if support else 0.0,
        1.0 if title_hits else 0.0, 1.0 if lead_hits else 0.0, math.log1p(title_hits + text_hits),
        float(distinct_names), first_position, math.log1p(text_chars / 1000),
    ]
    values += [min(vocab_counts.get(c.name, 0), CLASS_CAP) / CLASS_CAP for c in kb.vocabulary]
    return Candidate(entity_id, tuple(values))
