"""The `report` command: `report weekly` and `report year`, registered by flows/cli.py."""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from flows.report.annual import write_year
from flows.report.language import LANGS, messages
from flows.report.weekly import write_weekly_report
from flows.report.weeks import ReportError, parse_week


def _week_arg(text: str) -> str:
    try:
        parse_week(text)
    except ReportError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def cmd_report_weekly(args) -> int:
    files = write_weekly_report(args.db, args.out, args.week, args.lang)
    print(messages(args.lang)["files"] + "\n" + "\n".join(f"  {f}" for f in files))
    return 0


def cmd_report_year(args) -> int:
    from warehouse.db import connect

    con = connect(args.db, read_only=True)
    try:
        files = write_year(con, args.year, args.out, args.lang, live=args.live)
    finally:
        con.close()
    print(messages(args.lang)["files"] + "\n" + "\n".join(f"  {f}" for f in files))
    return 0


def add_report_commands(sub) -> None:
    """Register `report weekly` and `report year` on the CLI's subparsers."""
    default_db = Path("data/monitor.duckdb")
    rep = sub.add_parser("report", help="write the weekly report or the annual report's media section (HTML, CSV, XLSX)",
                         description="Writes reports for the communications team. The HTML file is self-contained: "
                                     "it opens without internet and can be attached to an email.")
    kinds = rep.add_subparsers(dest="report_kind", required=True, metavar="KIND")
    w = kinds.add_parser("weekly", help="last week's appearances: counts, chart, every appearance, outlets to classify",
                         description="Writes the weekly report (HTML) and the week's appearances as CSV and XLSX.")
    w.add_argument("--week", type=_week_arg, help="the ISO week, e.g. 2026-W47 (default: last full week)")
    w.add_argument("--lang", choices=LANGS, default="es", help="language of the report (default: es, Spanish)")
    w.add_argument("--db", type=Path, default=default_db, help="the database file (default: data/monitor.duckdb)")
    w.add_argument("--out", type=Path, default=Path("reports"), help="folder to write into (default: reports)")
    w.set_defaults(func=cmd_report_weekly)
    y = kinds.add_parser("year", help="the annual report's media section: tally, totals, top outlets, chart",
                         description="Writes the media section of the annual report (HTML) and its table (CSV). "
                                     "For a frozen year it shows the frozen (published) number unless --live.")
    y.add_argument("--year", type=int, default=date.today().year - 1, help="the year (default: last year)")
    y.add_argument("--lang", choices=LANGS, default="es", help="language (default: es, Spanish)")
    y.add_argument("--live", action="store_true", help="for a frozen year, show today's count instead")
    y.add_argument("--db", type=Path, default=default_db, help="the database file (default: data/monitor.duckdb)")
    y.add_argument("--out", type=Path, default=Path("reports"), help="folder to write into (default: reports)")
    y.set_defaults(func=cmd_report_year)

