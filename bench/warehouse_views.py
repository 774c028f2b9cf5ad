"""Benchmark: how fast the analysts' views answer over many synthetic articles.

    PYTHONPATH=. .venv/bin/python bench/warehouse_views.py --articles 100000 1000000 --json views.json

Builds a throwaway warehouse per size with the real migrations and views, fills it with
synthetic articles (20 outlets, ~45% appearances, dates over four years) in chunks of
`--chunk` rows, one commit each, as daily loads would (on DuckLake every commit writes its
own Parquet files), then times each view query (best of `--repeats` after one warm-up run).

On DuckLake it times the queries twice: as the chunks left the lake, and after the
compaction every load ends with (`warehouse.db.compact`). The second is what analysts meet.
It then prints each figure's ratio to the figures of the previous storage (one DuckDB
file, commit 8682150), measured with this same bench and recorded in
docs/performance.md section 5 (`BEFORE` below): the old code is another commit, so both
cannot run in one process. Run against the old code (copy this file into a worktree of
8682150), it measures that storage and prints no ratio.

The issue-14 target: `weekly_counts` and `yearly_tally` under 200 ms at 1M articles.
No assertion: the figures go into docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

import warehouse.db
from warehouse.db import connect

# The lake (issue 14) or the previous storage (one DuckDB file): which code is on PYTHONPATH.
# (By file, not by import: an editable install elsewhere could answer `import warehouse.lake`.)
if (Path(warehouse.db.__file__).parent / "lake.py").exists():
    STORAGE, SUFFIX, compact = "ducklake", ".ducklake", warehouse.db.compact
else:
    STORAGE, SUFFIX, compact = "duckdb-file", ".duckdb", None

QUERIES = {
    "weekly_counts (one week)": "SELECT * FROM weekly_counts WHERE week = '2026-W47'",
    "weekly_counts (all)": "SELECT count(*) FROM weekly_counts",
    "yearly_tally (one year)": "SELECT * FROM yearly_tally WHERE year = 2023",
    "tally query (CLI)": "SELECT theme, reach, sum(appearances) FROM yearly_tally WHERE year = 2023 GROUP BY ALL",
    "appearances_by_outlet": "SELECT count(*) FROM appearances_by_outlet",
    "process_timeline": "SELECT count(*) FROM process_timeline",
    "drill-down of one tally cell": "SELECT url, title FROM appearances WHERE year(published_date) = 2023 "
                                    "AND theme = 'labour' AND reach = 'local'",
}
CONTRACT = ("weekly_counts (one week)", "yearly_tally (one year)")
TARGET_MS = 200

# The previous storage (one DuckDB file, commit 8682150), this bench with the same arguments
# (--articles 100000 1000000, --chunk 10000, --repeats 5), best of three runs interleaved with
# runs of the lake: see docs/performance.md section 5 for the date, the command and the machine.
BEFORE_DATE = "2026-12-06"
BEFORE: dict[int, dict[str, float]] = {
    100_000: {"weekly_counts (one week)": 17.2, "weekly_counts (all)": 16.2, "yearly_tally (one year)": 11.5,
              "tally query (CLI)": 13.0, "appearances_by_outlet": 14.7, "process_timeline": 10.4,
              "drill-down of one tally cell": 11.3},
    1_000_000: {"weekly_counts (one week)": 67.3, "weekly_counts (all)": 61.8, "yearly_tally (one year)": 35.5,
                "tally query (CLI)": 35.6, "appearances_by_outlet": 67.8, "process_timeline": 63.8,
                "drill-down of one tally cell": 63.4},
}

OUTLETS = """
INSERT INTO outlets SELECT 'outlet ' || i, ['local', 'national', 'international'][i % 3 + 1], '', 'es',
       ['o' || i || '.example'], true, now() FROM range(20) t(i);
INSERT INTO outlet_reach_history (outlet, reach, valid_from, source)
SELECT name, reach, DATE '0001-01-01', 'bench' FROM outlets;
"""
ARTICLES = """
INSERT INTO articles (url, url_key, outlet, domain, title, main_text, published_date, date_source, first_seen,
                      fetched_at, is_appearance, theme, process, secondary_themes, fingerprint_int)
SELECT 'http://o' || (i % 20) || '.example/a/' || i, 'o' || (i % 20) || '.example/a/' || i, 'outlet ' || (i % 20),
       'o' || (i % 20) || '.example', 'Título ' || i, 'texto', DATE '2023-01-01' + (i % 1460)::INTEGER, 'metadata',
       now(), now(), hash(i) % 100 < 45,
       CASE WHEN hash(i) % 100 < 45 THEN ['land_territory', 'labour', 'defenders', 'institutional'][(hash(i * 7) % 4)::BIGINT + 1] END,
       NULL, [], hash(i)
FROM range(?, ?) t(i)
"""


def _time_queries(con, repeats: int) -> dict[str, float]:
    timings = {}
    for name, sql in QUERIES.items():
        con.execute(sql).fetchall()
        runs = []
        for _ in range(repeats):
            t = time.perf_counter()
            con.execute(sql).fetchall()
            runs.append(time.perf_counter() - t)
        timings[name] = round(min(runs) * 1000, 1)
    return timings


def _article_files(con) -> int | None:
    if STORAGE != "ducklake":
        return None
    return con.execute("SELECT file_count FROM ducklake_table_info('lake') WHERE table_name = 'articles'").fetchone()[0]


def run(n: int, chunk: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / f"bench{SUFFIX}")
        t0 = time.perf_counter()
        for statement in OUTLETS.strip().split(";\n"):
            if statement.strip():
                con.execute(statement)
        step = chunk or n
        for start in range(0, n, step):
            con.execute(ARTICLES, [start, min(start + step, n)])   # autocommit: one commit per chunk
        result = {"articles": n, "chunk": step, "commits": -(-n // step), "fill_s": round(time.perf_counter() - t0, 2)}
        result["article_files"] = _article_files(con)
        result["ms"] = _time_queries(con, repeats)
        if compact is not None:
            t = time.perf_counter()
            result["compaction"] = compact(con)
            result["compaction_s"] = round(time.perf_counter() - t, 2)
            result["article_files_compacted"] = _article_files(con)
            result["ms_as_loaded"] = result["ms"]
            result["ms"] = _time_queries(con, repeats)
        con.close()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--chunk", type=int, default=10_000,
                    help="articles per commit while filling (a day's load; 0 = all in one)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per query (the best is kept)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if args.json:   # its folder made now: a missing one failed only after the whole run
        args.json.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    results = {n: run(n, args.chunk, args.repeats) for n in args.articles}
    load_after = os.getloadavg()
    sizes = args.articles

    print(f"storage: {STORAGE} (DuckDB {duckdb.__version__}); {os.cpu_count()} cores; "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    for n in sizes:
        r = results[n]
        line = f"{n:,} articles: filled in {r['fill_s']} s ({r['commits']} commits of {r['chunk']:,})"
        if r.get("article_files") is not None:
            line += f"; articles in {r['article_files']} Parquet files"
            if "compaction_s" in r:
                line += f", {r['article_files_compacted']} after compaction ({r['compaction_s']} s)"
        print(line)
    ratio_sizes = [n for n in sizes if n in BEFORE and STORAGE == "ducklake"]
    header = "| query (ms, best of %d) | " % args.repeats + " | ".join(f"{n:,} articles" for n in sizes)
    if STORAGE == "ducklake":
        header += " | " + " | ".join(f"{n:,} as loaded" for n in sizes)
    header += "".join(f" | {n:,} before | ratio" for n in ratio_sizes) + " |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    ratios: dict[int, dict[str, float]] = {n: {} for n in ratio_sizes}
    for name in QUERIES:
        cells = [f"{results[n]['ms'][name]:.1f}" for n in sizes]
        if STORAGE == "ducklake":
            cells += [f"{results[n]['ms_as_loaded'][name]:.1f}" for n in sizes]
        for n in ratio_sizes:
            before = BEFORE[n][name]
            ratios[n][name] = round(results[n]["ms"][name] / before, 2)
            cells += [f"{before:.1f}", f"{ratios[n][name]:.2f}x"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    top = max(sizes)
    verdict = {name: results[top]["ms"][name] < TARGET_MS for name in CONTRACT}
    print(f"target (< {TARGET_MS} ms at {top:,} articles): "
          + ", ".join(f"{name} {results[top]['ms'][name]:.1f} ms {'met' if ok else 'NOT met'}"
                      for name, ok in verdict.items()))
    if args.json:
        args.json.write_text(json.dumps({
            "bench": "warehouse_views", "storage": STORAGE, "duckdb": duckdb.__version__,
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                        "load_average": [round(load_before[0], 2), round(load_after[0], 2)]},
            "arguments": {"articles": sizes, "chunk": args.chunk, "repeats": args.repeats},
            "results": {str(n): r for n, r in results.items()},
            "before": {"date": BEFORE_DATE, "commit": "8682150", "ms": {str(n): BEFORE[n] for n in ratio_sizes}},
            "ratio_after_before": {str(n): v for n, v in ratios.items()},
            "target_met": verdict,
        }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
