"""Benchmark: what a second crawl costs compared with the first (incremental runs).

    .venv/bin/python bench/incremental.py --corpus ../shared/corpus [--fast]

Runs the real crawl twice into a fresh database through the corpus's replay proxy,
and reads the proxy's request log: requests and bytes per run, wall time, and the
appearances stored. The second run should only revalidate feeds and sitemaps
(304s) and fetch nothing it already has. `--fast` lifts the politeness delays (the
server is on this machine); without it the run is as polite as in production.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from flows.evaluate import replay_proxy
from flows.steps import LOCAL_SERVER_SETTINGS, crawl


def run(corpus: Path, fast: bool) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "inc.ducklake", Path(tmp) / "requests.jsonl"
        with replay_proxy(corpus, log) as proxy:
            for n in (1, 2):
                before = len(log.read_text().splitlines()) if log.exists() else 0
                t = time.perf_counter()
                result = crawl(corpus / "sources.yaml", db, "2023-01-01", None,
                               settings=LOCAL_SERVER_SETTINGS if fast else None,
                               env={"http_proxy": proxy}, say=lambda m: None)
                wall = time.perf_counter() - t
                lines = [json.loads(x) for x in log.read_text().splitlines()[before:]]
                results.append({"run": n, "seconds": round(wall, 1), "requests": len(lines),
                                "bytes": sum(x["bytes"] for x in lines),
                                "answered_304": sum(x["status"] == 304 for x in lines),
                                "pages_fetched": result.loaded.pages, "new_articles": result.loaded.new_articles})
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--fast", action="store_true", help="no politeness delays (local server)")
    args = ap.parse_args()
    first, second = run(args.corpus, args.fast)
    for r in (first, second):
        print(json.dumps(r))
    print(f"second/first: bytes {second['bytes'] / first['bytes']:.3f}, requests "
          f"{second['requests'] / first['requests']:.3f}, time {second['seconds'] / first['seconds']:.3f}")


if __name__ == "__main__":
    main()
