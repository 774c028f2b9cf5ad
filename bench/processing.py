"""Benchmark: the per-article processing stage against bare trafilatura extraction.

    .venv/bin/python bench/processing.py --staged FILE [--repeat 5]
    .venv/bin/python bench/processing.py --html-dir ../shared/realdata/html

Input: a staging file written by a crawl (data/staging/loaded/*.jsonl), or a folder of
saved HTML pages. Each stage runs once to warm up (pipelines are built lazily per
language, dateparser compiles its patterns on first use), then is timed over the same
pages in the same run:
  bare      trafilatura.extract(body, url)                      (the reference)
  extract   our extraction (text, metadata, date rules, canonical URL, page kind)
  tag       language identification + spaCy tagging
  load      the DuckDB load of those articles (one batch, temporary database)
and prints seconds, ms per page and ratios to `bare`.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import trafilatura

from nlp.tagger import Tagger
from pipelines.extract import extract_article
from pipelines.records import FetchedPage, Skip, Tagged
from pipelines.registry import Registry, load_registry
from pipelines.staging import read_staged


def pages_from_dir(folder: Path) -> list[FetchedPage]:
    now = datetime.now(timezone.utc).isoformat()
    return [FetchedPage(url=f"http://realdata.example/{p.name}", final_url=f"http://realdata.example/{p.name}",
                        status=200, content_type="text/html", body=p.read_bytes(), discovered_via="feed",
                        source_url="", listed_at=None, listed_title=None, fetched_at=now)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix.lower() in (".html", ".htm", "")]


def timed(fn, repeat: int) -> float:
    fn()   # warm-up
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--staged", type=Path)
    ap.add_argument("--html-dir", type=Path)
    ap.add_argument("--sources", type=Path, default=Path("../shared/corpus/sources.yaml"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.staged:
        pages = [p for p, err in read_staged(args.staged) if p is not None and p.body]
        registry = load_registry(args.sources)
    else:
        pages = pages_from_dir(args.html_dir)
        registry = Registry(outlets=())
    tagger = Tagger.load()
    articles = []

    def bare():
        for p in pages:
            trafilatura.extract(p.body, url=p.final_url)

    def extract():
        articles.clear()
        for p in pages:
            a = extract_article(p, registry)
            if not isinstance(a, Skip):
                articles.append(a)

    def tag():
        return [Tagged(a, tagger.tag(a.title, a.text, author=a.author)) for a in articles]

    t_bare = timed(bare, args.repeat)
    t_extract = timed(extract, args.repeat)
    tagged = tag()
    t_tag = timed(tag, args.repeat)

    def load():
        from warehouse.db import connect
        from warehouse.load import load_batch, load_outlets
        with tempfile.TemporaryDirectory() as tmp:
            con = connect(Path(tmp) / "b.ducklake")
            load_outlets(con, registry, {a.domain for a in articles})
            load_batch(con, tagged, {}, [], "bench", tagger.kb_version)
            con.close()
    t_load = timed(load, 1)
    n = len(pages)
    tokens = sum(len(a.text.split()) + len(a.title.split()) for a in articles)
    print(f"{n} pages, {len(articles)} articles, ~{tokens} words")
    for name, t in (("bare trafilatura.extract", t_bare), ("our extraction", t_extract), ("tagging", t_tag),
                    ("DuckDB load (batch)", t_load)):
        print(f"  {name:26} {t:7.3f} s  {1000 * t / n:7.2f} ms/page  {t / t_bare:5.2f}x bare")
    total = t_extract + t_tag + t_load
    print(f"  {'whole stage':26} {total:7.3f} s  {1000 * total / n:7.2f} ms/page  {total / t_bare:5.2f}x bare")
    print(f"  tagging throughput: {len(articles) / t_tag:.0f} articles/s, {tokens / t_tag:.0f} words/s (one core)")


if __name__ == "__main__":
    main()
