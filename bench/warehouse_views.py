"""Benchmark: how fast the analysts' views answer over many synthetic articles.

    .venv/bin/python bench/warehouse_views.py --articles 100000 1000000

Builds a throwaway database per size with the real migrations and views, fills it
in bulk with synthetic articles (20 outlets, ~45% appearances, dates over four
years), then times each view query (best of 5 after one warm-up run) and prints a
table. No assertion: the figures go into docs/performance.md.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from warehouse.db import connect

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

FILL = """
INSERT INTO outlets SELECT 'outlet ' || i, ['local', 'national', 'international'][i % 3 + 1], '', 'es',
       ['o' || i || '.example'], true, now() FROM range(20) t(i);
INSERT INTO outlet_reach_history (outlet, reach, valid_from, source)
SELECT name, reach, DATE '0001-01-01', 'bench' FROM outlets;
INSERT INTO articles (url, url_key, outlet, domain, title, main_text, published_date, date_source, first_seen,
                      fetched_at, is_appearance, theme, process, secondary_themes, fingerprint_int)
SELECT 'http://o' || (i % 20) || '.example/a/' || i, 'o' || (i % 20) || '.example/a/' || i, 'outlet ' || (i % 20),
       'o' || (i % 20) || '.example', 'Título ' || i, 'texto', DATE '2023-01-01' + (i % 1460)::INTEGER, 'metadata',
       now(), now(), hash(i) % 100 < 45,
       CASE WHEN hash(i) % 100 < 45 THEN ['land_territory', 'labour', 'defenders', 'institutional'][(hash(i * 7) % 4)::BIGINT + 1] END,
       NULL, [], hash(i)
FROM range(?) t(i);
"""


def run(n: int, repeats: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.ducklake")
        t0 = time.perf_counter()
        for statement in FILL.strip().split(";\n"):
            if statement.strip():
                con.execute(statement, [n] if "?" in statement else [])
        fill = time.perf_counter() - t0
        timings = {"(bulk fill, s)": fill}
        for name, sql in QUERIES.items():
            con.execute(sql).fetchall()
            runs = []
            for _ in range(repeats):
                t = time.perf_counter()
                con.execute(sql).fetchall()
                runs.append(time.perf_counter() - t)
            timings[name] = min(runs) * 1000
        con.close()
    return timings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, nargs="+", default=[100_000, 1_000_000])
    args = ap.parse_args()
    results = {n: run(n) for n in args.articles}
    names = list(next(iter(results.values())))
    print("| query (ms, best of 5) | " + " | ".join(f"{n:,} articles" for n in args.articles) + " |")
    print("|---|" + "---:|" * len(args.articles))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{results[n][name]:.1f}" for n in args.articles) + " |")


if __name__ == "__main__":
    main()
