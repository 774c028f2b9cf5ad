"""Benchmark: the warehouse load alone at several batch sizes, to choose flows.steps.BATCH_SIZE.

    PYTHONPATH=. .venv/bin/python bench/batch_size.py STAGED.jsonl --sources SOURCES.yaml [--sizes 200 500 1000 2000]

Extracts and tags the staged pages once (a crawl's staging file, e.g. one that
bench/backfill.py --keep left beside its warehouse), then loads the same tagged articles
into a new warehouse per batch size, as `process_staged` does (`load_batch` per batch, then
the compaction every load ends with), and prints, per size: CPU ms and wall ms per article,
the Parquet files written. CPU time is this process's and DuckDB's threads' (less sensitive
than wall time to a busy machine). Every size stores the same rows (checked).
A batch is also what a loader redoes when it loses a commit race to another writer, and
what sits in memory between the extraction workers and the loader: bigger is not free.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("staged", type=Path)
    ap.add_argument("--sources", type=Path, required=True)
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 1000, 2000])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.json:   # its folder made now: a missing one failed only after the whole run
        args.json.parent.mkdir(parents=True, exist_ok=True)
    from nlp.tagger import Tagger
    from pipelines.process import batches, process_batch
    from pipelines.registry import load_registry
    from pipelines.staging import read_staged
    from warehouse.db import compact, connect
    from warehouse.load import load_batch, load_outlets

    registry, tagger = load_registry(args.sources), Tagger.load()
    results = [process_batch(b, registry, tagger) for b in batches(read_staged(args.staged), 1000)]
    tagged = [t for r in results for t in r.tagged]
    pages = {k: v for r in results for k, v in r.pages.items()}
    print(f"{len(tagged)} articles extracted and tagged; load average {os.getloadavg()[0]:.1f}")
    figures = {}
    counts = set()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            db = Path(tmp) / f"b{size}.ducklake"
            con = connect(db)
            load_outlets(con, registry, {t.article.domain for t in tagged})
            wall, cpu = time.perf_counter(), time.process_time()
            for i in range(0, len(tagged), size):
                chunk = tagged[i:i + size]
                load_batch(con, chunk, {t.article.raw_sha1: pages[t.article.raw_sha1] for t in chunk
                                        if t.article.raw_sha1 in pages}, [], "bench", tagger.kb_version)
            load_wall, load_cpu = time.perf_counter() - wall, time.process_time() - cpu
            files = con.execute("SELECT count(*) FROM ducklake_list_files('lake', 'articles')").fetchone()[0]
            compact(con, say=lambda m: None)
            total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
            counts.add(con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions), "
                                   "(SELECT count(*) FROM raw_pages)").fetchone())
            con.close()
            n = len(tagged)
            figures[size] = {"cpu_ms_per_article": round(1000 * total_cpu / n, 3),
                             "wall_ms_per_article": round(1000 * total_wall / n, 3),
                             "load_cpu_ms_per_article": round(1000 * load_cpu / n, 3),
                             "load_wall_ms_per_article": round(1000 * load_wall / n, 3),
                             "articles_parquet_files_before_compaction": files}
            f = figures[size]
            print(f"  batch {size:5}: {f['cpu_ms_per_article']:.2f} ms CPU, {f['wall_ms_per_article']:.2f} ms wall "
                  f"per article (batches {f['load_cpu_ms_per_article']:.2f} / {f['load_wall_ms_per_article']:.2f}, "
                  f"the rest compaction); {files} Parquet files for articles before compaction")
    print("same rows at every size" if len(counts) == 1 else f"DIFFERENT rows: {counts}")
    if args.json:
        args.json.write_text(json.dumps({"bench": "batch_size", "articles": len(tagged), "sizes": figures,
                                         "load_average": os.getloadavg()[0]}, indent=2) + "\n")


if __name__ == "__main__":
    main()
