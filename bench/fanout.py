"""Benchmark: extraction + tagging + load of staged pages, one process vs worker processes.

    .venv/bin/python bench/fanout.py --corpus ../shared/corpus --copies 20

Crawls the corpus once (politeness off: the server is on this machine) to get real
staged pages, repeats them `copies` times (each copy is the same work: extract, detect
language, tag, load), then runs the real `load staged pages` Prefect flow over them
with the default task runner (one thread) and with `--workers` worker processes
(`flows.processes`). Prints wall times, pages per second and the speed-up, and checks
that every runner stored the same appearances.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def staged_corpus(corpus: Path, work: Path) -> Path:
    from flows.evaluate import replay_proxy
    from flows.steps import LOCAL_SERVER_SETTINGS, fetch
    with replay_proxy(corpus, work / "requests.jsonl") as proxy:
        fetch(corpus / "sources.yaml", work / "seed.ducklake", "seed", "2023-01-01", None,
              LOCAL_SERVER_SETTINGS, {"http_proxy": proxy})
    return work / "staging" / "seed.jsonl"


def replicate(staged: Path, target: Path, copies: int) -> int:
    lines = [x for x in staged.read_text(encoding="utf-8").splitlines() if x.strip()]
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as fh:
        for _ in range(copies):
            fh.write("\n".join(lines) + "\n")
    return len(lines) * copies


def run(sources: Path, staged: Path, copies: int, workers: int | None) -> tuple[float, int, list]:
    import duckdb

    from flows.flows import load_flow
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "b.ducklake"
        pages = replicate(staged, Path(tmp) / "staging" / "bench.jsonl", copies)
        t = time.perf_counter()
        load_flow(str(sources), str(db), workers)
        wall = time.perf_counter() - t
        con = duckdb.connect(str(db), read_only=True)
        rows = con.execute("SELECT url, theme, reach FROM appearances ORDER BY url").fetchall()
        con.close()
    return wall, pages, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp())
    try:
        staged = staged_corpus(args.corpus, work)
        results = {}
        for label, workers in (("default (1 thread)", None), (f"{args.workers} worker processes", args.workers)):
            results[label] = run(args.corpus / "sources.yaml", staged, args.copies, workers)
        base = next(iter(results.values()))
        print(f"{base[1]} pages ({args.copies} copies of the corpus's staged pages), {os.cpu_count()} cores")
        for label, (wall, pages, rows) in results.items():
            same = "same appearances" if rows == base[2] else "DIFFERENT appearances"
            print(f"  {label:22} {wall:6.1f} s  {pages / wall:6.1f} pages/s  speed-up {base[0] / wall:4.2f}x  {same}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
