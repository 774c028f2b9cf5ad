#!/usr/bin/env python3
"""Score the mention tagger on a labelled corpus (development loop).

    .venv/bin/python bench/tag_corpus.py [--corpus /work/shared/corpus] [-v]

Reads ``articles/*.json`` (title, subtitle, author, body paragraphs) and
``labels.jsonl`` (matched by article ``id``). An article is predicted positive
when ``TagResult.is_appearance``; the predicted theme is compared with the
label's ``theme``. Prints precision/recall/F1, theme accuracy (over articles
that are appearances in both), the errors with their ``trap``/``process``,
and throughput. ``truth_notes`` are never read by the tagger.
"""
from __future__ import annotations

import argparse
import glob
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.tagger import Tagger  # noqa: E402


def load_articles(corpus: Path) -> list[dict]:
    arts = []
    for f in sorted(glob.glob(str(corpus / "articles" / "*.json"))):
        with open(f, encoding="utf-8") as fh:
            arts.append(json.load(fh))
    return arts


def article_text(a: dict) -> str:
    """Main text = lead (subtitle) + body paragraphs."""
    parts = [a.get("subtitle") or ""] + list(a.get("body") or [])
    return "\n".join(p for p in parts if p)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/work/shared/corpus", type=Path)
    ap.add_argument("--kb", default=None, help="knowledge base file (default: packaged)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show mentions of every error")
    ap.add_argument("--repeat", type=int, default=3, help="timing passes over the corpus")
    args = ap.parse_args()

    labels = {}
    with open(args.corpus / "labels.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            labels[row["id"]] = row
    arts = [a for a in load_articles(args.corpus) if a["id"] in labels]

    t0 = time.perf_counter()
    tagger = Tagger.load(args.kb)
    for lang in ("es", "en", "fr"):
        tagger.tag("", "x", language=lang)          # build pipelines before timing
    t_load = time.perf_counter() - t0

    results = {}
    t0 = time.perf_counter()
    for _ in range(max(1, args.repeat)):
        for a in arts:
            results[a["id"]] = tagger.tag(a.get("title") or "", article_text(a),
                                          author=a.get("author"))
    elapsed = time.perf_counter() - t0
    n_tagged = len(arts) * max(1, args.repeat)
    n_chars = sum(len(article_text(a)) for a in arts) * max(1, args.repeat)

    tp = fp = fn = tn = 0
    theme_ok = theme_n = 0
    errors = []
    for a in arts:
        lab, res = labels[a["id"]], results[a["id"]]
        gold, pred = bool(lab["mention"]), res.is_appearance
        if gold and pred:
            tp += 1
            theme_n += 1
            if res.theme == lab["theme"]:
                theme_ok += 1
            else:
                errors.append(("THEME", a, lab, res))
        elif pred:
            fp += 1
            errors.append(("FP", a, lab, res))
        elif gold:
            fn += 1
            errors.append(("FN", a, lab, res))
        else:
            tn += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    acc = theme_ok / theme_n if theme_n else 0.0

    for kind, a, lab, res in errors:
        print(f"{kind:5} {a['id']} [{res.language}] gold={lab['mention']}/{lab['theme']}/{lab['process']} "
              f"trap={lab['trap']} pred={res.is_appearance}/{res.theme}/{res.process}  {a['title'][:70]}")
        for m in res.mentions:
            if args.verbose or m.accepted or kind == "FN":
                print(f"        {'+' if m.accepted else '-'} {m.entity_id:18} {m.field:5} "
                      f"{m.matched!r}: {m.reason}")
    print()
    print(f"articles: {len(arts)}  positives(gold): {tp + fn}  tp={tp} fp={fp} fn={fn} tn={tn}")
    print(f"precision={p:.3f} recall={r:.3f} F1={f1:.3f} theme_accuracy={acc:.3f} ({theme_ok}/{theme_n})")
    print(f"kb_version={tagger.kb_version}  load+build={t_load:.2f}s")
    print(f"throughput: {n_tagged / elapsed:.0f} articles/s ({n_tagged / elapsed * 60:.0f}/min, "
          f"{n_chars / elapsed / 1e6:.2f} M chars/s) on one core, {n_tagged} taggings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
