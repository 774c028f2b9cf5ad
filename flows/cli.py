"""`prodesc-monitor`: the command line the communications team and analysts use.

Each command is a thin layer over library functions; its help text is written for
a person who is not a programmer.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

DEFAULT_SOURCES = Path("sources.yaml")
DEFAULT_DB = Path("data/monitor.duckdb")
DEMO_DB = Path("data/demo.duckdb")


def _quiet_prefect() -> None:
    """Prefect runs offline on its own temporary server: no telemetry, a patient start-up,
    and never through the crawl's HTTP proxy (the proxy is for the press, not for Prefect)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    loopback = "127.0.0.1,localhost,::1"
    for key in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(key, "")
        os.environ[key] = f"{current},{loopback}" if current else loopback


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2023-01-31") from None


def _print_summary(result) -> None:
    from flows.summary import summary_markdown
    print(summary_markdown(result))


def cmd_crawl(args) -> int:
    _quiet_prefect()
    from flows.crawl import crawl_flow

    if not args.sources.exists():
        print(f"The sources file {args.sources} does not exist. Give one with --sources FILE.", file=sys.stderr)
        return 2
    result = crawl_flow(str(args.sources), str(args.db), args.since, args.until)
    _print_summary(result)
    print(f"\nSaved in {args.db}.")
    return 0


def cmd_load(args) -> int:
    from flows.steps import load_staged, new_run_id
    summary = load_staged(args.db, args.sources, new_run_id())
    print(f"Loaded {summary.pages} staged pages: {summary.articles} articles, {summary.appearances} appearances.")
    return 0


def cmd_tally(args) -> int:
    from warehouse.db import connect
    from warehouse.tally import format_table, tally

    con = connect(args.db)
    try:
        print(format_table(tally(con, args.year), args.year, args.lang))
    finally:
        con.close()
    return 0


def cmd_demo(args) -> int:
    """Serve the sample web on this machine and run the real crawl against it."""
    _quiet_prefect()
    from flows.crawl import crawl_flow
    from flows.sampleweb import serving
    from flows.steps import LOCAL_SERVER_SETTINGS
    from warehouse.db import connect
    from warehouse.tally import format_table, tally

    sample = Path(__file__).parent / "sample_web"
    for suffix in ("", ".wal"):
        Path(str(args.db) + suffix).unlink(missing_ok=True)   # the demo always starts afresh
    print("Serving the offline sample web on this machine and crawling it (about a minute)...")
    with serving(sample / "web") as proxy:
        result = crawl_flow(str(sample / "sources.yaml"), str(args.db), "2023-01-01", None,
                            settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy, "HTTP_PROXY": proxy})
    _print_summary(result)
    con = connect(args.db)
    try:
        print()
        print(format_table(tally(con, 2023), 2023))
        print("\nLast weeks / últimas semanas:")
        for week, n in con.execute("""SELECT week, sum(appearances)::INT FROM weekly_counts
                                      GROUP BY week ORDER BY week DESC LIMIT 4""").fetchall():
            print(f"  {week}: {n} appearances")
    finally:
        con.close()
    print(f"\nThe demo database is {args.db}; open it with DuckDB to explore the views "
          "appearances, weekly_counts and yearly_tally.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="prodesc-monitor",
        description="Finds where ProDESC and the communities, collectives and unions it accompanies "
                    "appear in the press, and counts those appearances by theme and reach.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("crawl", help="read the outlets' feeds (and sitemaps for past dates) and store what is new",
                       description="Reads every feed in the sources file; with --since, also goes through the "
                                   "outlets' sitemaps for articles published in that period. Articles are read, "
                                   "checked for mentions of ProDESC and its processes, and stored in the database.")
    c.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="the outlets to follow (default: sources.yaml)")
    c.add_argument("--db", type=Path, default=DEFAULT_DB, help="the database file (default: data/monitor.duckdb)")
    c.add_argument("--since", type=_day, help="also look back through sitemaps to this date, e.g. 2023-01-01")
    c.add_argument("--until", type=_day, help="last publication date to include, e.g. 2023-12-31")
    c.set_defaults(func=cmd_crawl)

    d = sub.add_parser("demo", help="try everything offline on a small sample web served on this machine")
    d.add_argument("--db", type=Path, default=DEMO_DB, help="where to write the demo database (default: data/demo.duckdb)")
    d.set_defaults(func=cmd_demo)

    t = sub.add_parser("tally", help="print the year's appearances by theme and reach (the annual-report table)")
    t.add_argument("--year", type=int, default=date.today().year - 1, help="the year to count (default: last year)")
    t.add_argument("--db", type=Path, default=DEFAULT_DB, help="the database file (default: data/monitor.duckdb)")
    t.add_argument("--lang", choices=("both", "es", "en"), default="both", help="labels in Spanish, English or both")
    t.set_defaults(func=cmd_tally)

    lo = sub.add_parser("load", help="load pages a crawl fetched but could not store (e.g. the database was busy)")
    lo.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    lo.add_argument("--db", type=Path, default=DEFAULT_DB)
    lo.set_defaults(func=cmd_load)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
