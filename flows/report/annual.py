"""The annual report's media section: the year's tally by theme and reach, the share of each
reach, the outlets with most appearances and a chart (HTML), and the table as CSV.

For a frozen year it shows the frozen snapshot, the number printed in the annual report,
unless `live`.
"""
from __future__ import annotations

from pathlib import Path

from flows.report.charts import year_chart
from flows.report.html import environment, write_page
from flows.report.language import format_date, format_number, labels
from pipelines.vocabulary import REACHES, now_mexico
from warehouse import reports
from warehouse.spreadsheet import write_csv
from warehouse.tally import frozen_years, tally


def table_rows(table: dict[str, dict[str, int]], text: dict) -> tuple[list[str], list[list]]:
    """The tally as a header and rows (totals last) in the words of `labels(lang)`."""
    head = [text["theme"], *[text["reaches"][r] for r in (*REACHES, "total")]]
    rows = [[text["themes"][t], *[cells.get(r, 0) for r in REACHES], sum(cells.values())] for t, cells in table.items()]
    totals = [sum(table[t].get(r, 0) for t in table) for r in REACHES]
    rows.append([text["reaches"]["total"], *totals, sum(totals)])
    return head, rows


def year_context(con, year: int, lang: str = "es", live: bool = False, top: int = 10, chart: bool = True) -> dict:
    """The annual report's media section: tally, totals, top outlets, chart."""
    text = labels(lang)
    frozen = {y[0]: y for y in frozen_years(con)}
    use_frozen = year in frozen and not live
    table = tally(con, year, frozen=use_frozen)
    head, rows = table_rows(table, text)
    grand = rows[-1][-1]
    if use_frozen:
        _, at, by, total, _ = frozen[year]
        note = text["frozen_note"].format(when=format_date(at, lang), by=text["by_who"].format(who=by) if by else "")
    elif year in frozen:
        note = text["live_but_frozen"].format(n=frozen[year][3])
    else:
        note = text["live_note"]
    outlets = reports.top_outlets(con, year, use_frozen, top)
    for o in outlets:
        o["reach_label"] = text["reaches"].get(o["reach"], o["reach"])
    reach_totals = rows[-1][1:-1]
    return {
        "lang": lang, "t": text, "year": year, "head": head, "rows": rows, "table": table, "total": grand,
        "title": text["year_title"].format(year=year), "total_text": text["year_total"].format(n=grand, year=year),
        "note": note, "frozen": use_frozen, "outlets": outlets,
        "shares": [{"label": text["reaches"][r], "n": n,
                    "pct": format_number(round(100 * n / grand, 1), lang) if grand else "0"}
                   for r, n in zip(REACHES, reach_totals)],
        "chart": year_chart(table, year, lang) if chart else None,
        "generated": text["generated"].format(when=format_date(now_mexico().replace(microsecond=0, tzinfo=None), lang), db=""),
    }


def render_year_html(ctx: dict) -> str:
    return environment().get_template("year.html").render(**ctx)


def write_year(con, year: int, out_dir, lang: str = "es", live: bool = False) -> list[Path]:
    """The section as HTML and its table as CSV. Returns the files written."""
    ctx = year_context(con, year, lang, live=live)
    stem = write_page(out_dir, f"medios-{year}" if lang == "es" else f"media-{year}", render_year_html(ctx))
    write_csv(stem.with_suffix(".csv"), ctx["head"], ctx["rows"])
    return [stem.with_suffix(".html"), stem.with_suffix(".csv")]
