"""Benchmark: tagging throughput with the full knowledge base, one process and two.

    .venv/bin/python bench/tagging.py --corpus ../shared/corpus --copies 10

Tags the corpus's written articles (title + body; `copies` times over) with the real
tagger: once in this process, and once with `nlp.pipe`'s own multiprocessing
(`Tagger.tag` per article in a `multiprocessing.Pool` of 2 workers that each build
the pipelines once: what the worker processes of `--workers` do). Prints articles/s and words/s.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path

_TAGGER = None


def _init():
    global _TAGGER
    from nlp.tagger import Tagger
    _TAGGER = Tagger.load()
    _TAGGER.tag("calentamiento", "ProDESC y el ejido de Unión Hidalgo. UNICA. EDF. Mítikah.")   # build pipelines


def _tag(item):
    title, text = item
    result = _TAGGER.tag(title, text)
    return result.is_appearance


def load_articles(corpus: Path) -> list[tuple[str, str]]:
    items = []
    for path in sorted((corpus / "articles").glob("*.json")):
        a = json.loads(path.read_text(encoding="utf-8"))
        body = a.get("body") or a.get("paragraphs") or []
        items.append((a.get("title", ""), "\n\n".join(body) if isinstance(body, list) else str(body)))
    return items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--processes", type=int, default=2)
    args = ap.parse_args()
    items = load_articles(args.corpus) * args.copies
    words = sum(len(t.split()) + len(x.split()) for t, x in items)
    _init()
    _ = [_tag(i) for i in items[:50]]   # warm every language's pipeline
    t = time.perf_counter()
    single = [_tag(i) for i in items]
    t1 = time.perf_counter() - t
    with multiprocessing.get_context("spawn").Pool(args.processes, initializer=_init) as pool:
        pool.map(_tag, items[: args.processes * 20], chunksize=10)   # warm the workers
        t = time.perf_counter()
        multi = pool.map(_tag, items, chunksize=50)
        t2 = time.perf_counter() - t
    assert single == multi
    print(f"{len(items)} articles, {words} words, full knowledge base")
    print(f"  1 process : {len(items) / t1:7.0f} articles/s  {words / t1:9.0f} words/s")
    print(f"  {args.processes} processes: {len(items) / t2:7.0f} articles/s  {words / t2:9.0f} words/s  "
          f"speed-up {t1 / t2:.2f}x")


if __name__ == "__main__":
    main()
