"""`prodesc-monitor train`: learn the ambiguous-name decision from labelled articles.

Examples are (article, process) pairs: every process the tagger finds named only
ambiguously in a labelled article ("Xoco", "EDF", "Chichén Itzá"...), with the
features of `nlp.features`. A pair is positive when a person labelled the article an
appearance of that process. The labels come from the labelled corpora (written and
real press) and from the review desk's decisions, so the team's corrections train
next month's monitor.

The model is judged the honest way: k-fold cross-validation over *articles* (an
article's pairs never sit on both sides), each fold tagging its held-out articles
with the rules alone and with the model trained on the other folds. Only when the
model beats the rules across the folds is it written to ``nlp/model.json``; otherwise
the rules stay and the command says so. Everything is seeded: the same labels give
the same file, byte for byte.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flows.labelled import LabelledArticle
from nlp.features import feature_names
from nlp.kb import KnowledgeBase, load_kb
from nlp.model import DEFAULT_MODEL_PATH, Model
from nlp.tagger import Tagger
from warehouse.evaluation import Score

SEED = 20261206
FOLDS = 5
C = 1.0


class Counts(Score):
    """Article-level scores of one tagger on some labelled articles (evaluate's `Score`, summed
    over folds)."""

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.theme_right += other.theme_right

    @property
    def theme(self) -> float:
        return self.accuracy(self.theme_right)

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "theme": round(self.theme, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class TrainingReport:
    articles: int
    pairs: int
    positives: int
    sources: dict
    folds: list = field(default_factory=list)     # per fold: {"rules": {...}, "model": {...}}
    rules: Counts = field(default_factory=Counts)
    model: Counts = field(default_factory=Counts)
    by_source: dict = field(default_factory=dict)   # source -> {"rules": Counts, "model": Counts}
    shipped: bool = False
    path: str | None = None

    def as_dict(self) -> dict:
        return {"articles": self.articles, "pairs": self.pairs, "positives": self.positives,
                "sources": self.sources, "folds": self.folds, "rules": self.rules.as_dict(),
                "model": self.model.as_dict(), "shipped": self.shipped, "path": self.path,
                "by_source": {k: {t: c.as_dict() for t, c in v.items()} for k, v in self.by_source.items()}}


def _matches(kb: KnowledgeBase, entity_id: str, label: LabelledArticle) -> bool:
    """Is the labelled process this knowledge-base entity? (Corpora may name it otherwise.)"""
    if not label.counted:
        return False
    if label.process is None or label.process in ("institutional", "prodesc"):
        return False
    ent = kb.by_id.get(entity_id)
    return label.process == entity_id or (ent is not None and label.process in ent.label_ids)


def pairs(tagger: Tagger, articles: list[LabelledArticle]) -> tuple[list, list, list]:
    """(features, label, article index) for every process named ambiguously in each article."""
    X, y, groups = [], [], []
    for i, art in enumerate(articles):
        result = tagger.tag(art.title, art.text, author=art.author)
        for cand in result.candidates:
            X.append(list(cand.values))
            y.append(1 if _matches(tagger.kb, cand.entity_id, art) else 0)
            groups.append(i)
    return X, y, groups


def fit(kb: KnowledgeBase, X: list, y: list, meta: dict) -> Model:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    Xa = np.asarray(X, dtype=float)
    scaler = StandardScaler().fit(Xa)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=SEED)
    clf.fit((Xa - scaler.mean_) / scale, np.asarray(y))
    r = lambda v: round(float(v), 6)  # noqa: E731 - rounded so the file is stable and readable
    return Model(feature_names(kb), tuple(r(v) for v in scaler.mean_), tuple(r(v) for v in scale),
                 tuple(r(v) for v in clf.coef_[0]), r(clf.intercept_[0]), meta)


def score(tagger: Tagger, articles: list[LabelledArticle]) -> Counts:
    c = Counts()
    for art in articles:
        result = tagger.tag(art.title, art.text, author=art.author)
        if result.is_appearance and art.counted:
            c.tp += 1
            c.theme_right += result.theme == art.theme
        elif result.is_appearance:
            c.fp += 1
        elif art.counted:
            c.fn += 1
    return c


def folds_of(articles: list[LabelledArticle], k: int) -> list[list[int]]:
    """Stratified by label and source, seeded: each fold gets its share of every kind."""
    import random

    rng = random.Random(SEED)
    buckets: dict[tuple, list[int]] = {}
    for i, a in enumerate(articles):
        buckets.setdefault((a.source, a.counted), []).append(i)
    folds: list[list[int]] = [[] for _ in range(k)]
    n = 0
    for key in sorted(buckets, key=str):
        idx = buckets[key]
        rng.shuffle(idx)
        for i in idx:
            folds[n % k].append(i)
            n += 1
    return folds


def train(articles: list[LabelledArticle], out: Path | None = DEFAULT_MODEL_PATH, kb_path: Path | None = None,
          folds: int = FOLDS, say: Callable[[str], None] = print, force: bool = False) -> TrainingReport:
    """Cross-validate, then fit on everything and write the model if it beats the rules."""
    kb = load_kb(kb_path)
    rules = Tagger(kb, None, features=True)   # the rules decide; the features are for fitting
    X, y, groups = pairs(rules, articles)
    sources: dict[str, int] = {}
    for a in articles:
        sources[a.source] = sources.get(a.source, 0) + 1
    report = TrainingReport(len(articles), len(X), sum(y), sources)
    for fi, held in enumerate(folds_of(articles, folds)):
        held_set = set(held)
        Xt = [x for x, g in zip(X, groups) if g not in held_set]
        yt = [v for v, g in zip(y, groups) if g not in held_set]
        test = [articles[i] for i in held]
        fold_model = Tagger(kb, fit(kb, Xt, yt, {})) if len(set(yt)) == 2 else rules
        r, m = Counts(), Counts()
        for src in sorted({a.source for a in test}):
            part = [a for a in test if a.source == src]
            rs, ms = score(rules, part), score(fold_model, part)
            r.add(rs)
            m.add(ms)
            agg = report.by_source.setdefault(src, {"rules": Counts(), "model": Counts()})
            agg["rules"].add(rs)
            agg["model"].add(ms)
        report.rules.add(r)
        report.model.add(m)
        report.folds.append({"fold": fi + 1, "articles": len(test), "rules": r.as_dict(), "model": m.as_dict()})
        say(f"Pliegue {fi + 1}/{folds}: {len(test)} artículos; reglas P {r.precision:.3f} R {r.recall:.3f} "
            f"tema {r.theme:.3f}; modelo P {m.precision:.3f} R {m.recall:.3f} tema {m.theme:.3f}")
    better = (report.model.f1, report.model.theme) > (report.rules.f1, report.rules.theme)
    if out is not None and (better or force) and len(set(y)) == 2:
        digest = hashlib.sha256(json.dumps([X, y], sort_keys=True).encode()).hexdigest()[:12]
        meta = {"version": digest, "kb_version": kb.version, "articles": len(articles), "pairs": len(X),
                "positives": sum(y), "sources": sources, "seed": SEED, "folds": folds,
                "cv_rules": report.rules.as_dict(), "cv_model": report.model.as_dict()}
        fit(kb, X, y, meta).save(out)
        report.shipped, report.path = True, str(out)
    return report
