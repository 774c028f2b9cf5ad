"""Benchmark: tagging cost as the knowledge base grows (1x vs 10x entities).

    .venv/bin/python bench/kb_scaling.py --corpus ../shared/corpus --factor 10

Builds a synthetic knowledge base `factor` times larger (every process repeated with
made-up names and acronyms that never occur in the text, its context cues kept), and
tags the corpus's articles with the real and the large one. Matching is hash lookups
(spaCy's PhraseMatcher), so the cost should hardly move with the number of entries.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from tagging import load_articles   # bench/ is on sys.path when run as a script
from nlp.tagger import Tagger

KB = Path(__file__).resolve().parent.parent / "nlp" / "knowledge_base.yaml"


def grow(kb: dict, factor: int) -> dict:
    copies = []
    processes = [e for e in kb["entities"] if e.get("kind") == "process"]
    for k in range(1, factor):
        tag = "".join(chr(ord("a") + int(d)) for d in str(k))
        for e in processes:
            c = {key: value for key, value in e.items() if key not in ("look_alike_names",)}
            c["id"] = f"{e['id']}_{k}"
            for key in ("names", "ambiguous_names"):
                if key in e:
                    c[key] = [(f"{x} zq{tag}" if isinstance(x, str) else {**x, "text": f"{x['text']} zq{tag}"})
                              for x in e[key]]
            for key in ("acronyms", "ambiguous_acronyms"):
                if key in e:
                    c[key] = [(f"{x}ZQ{tag.upper()}" if isinstance(x, str) else {**x, "text": f"{x['text']}ZQ{tag.upper()}"})
                              for x in e[key]]
            copies.append(c)
    return {**kb, "entities": [*kb["entities"], *copies]}


def rate(tagger: Tagger, items, repeat: int = 3) -> float:
    """Best of `repeat` timed passes, after one pass that builds every language's pipeline."""
    for t, x in items:
        tagger.tag(t, x)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for t, x in items:
            tagger.tag(t, x)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--copies", type=int, default=5)
    args = ap.parse_args()
    items = load_articles(args.corpus) * args.copies
    base = yaml.safe_load(KB.read_text(encoding="utf-8"))
    big = grow(base, args.factor)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kb.yaml"
        path.write_text(yaml.safe_dump(big, allow_unicode=True, sort_keys=False), encoding="utf-8")
        t0 = time.perf_counter()
        normal = Tagger.load()
        normal.tag("x", "ProDESC")
        build_normal = time.perf_counter() - t0     # includes building the spaCy pipeline itself
        t0 = time.perf_counter()
        large = Tagger.load(path)
        large.tag("x", "ProDESC")
        build_large = time.perf_counter() - t0      # the pipeline is cached: matchers and patterns only
        r_normal, r_large = rate(normal, items), rate(large, items)
        same = all(normal.tag(t, x).is_appearance == large.tag(t, x).is_appearance for t, x in items[:200])
    print(f"entities: {len(base['entities'])} -> {len(big['entities'])}")
    print(f"  first use (es): {build_normal:.1f} s (pipeline + patterns); patterns of the large base: {build_large:.1f} s")
    print(f"  tagging: {r_normal:.0f} -> {r_large:.0f} articles/s ({r_large / r_normal:.2f}x); same verdicts: {same}")


if __name__ == "__main__":
    main()
