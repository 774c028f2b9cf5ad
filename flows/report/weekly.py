"""The Monday report: last week's appearances for the communications team.

One self-contained HTML file (styles and chart inside it: it opens offline and can be
attached to an email) and the same appearances as CSV and XLSX, in Spanish or English.
`weekly_context` reads the warehouse into a dict, `render_weekly_html` turns it into HTML,
`write_weekly` writes the files.
"""
from __future__ import annotations

from pathlib import Path

from flows.report.charts import weeks_chart
from flows.report.html import environment, highlight, safe_href, write_page
from flows.report.language import format_change, format_date, format_number, labels
from flows.report.weeks import last_full_week, parse_week, weeks_ending
from pipelines.vocabulary import REACHES, THEMES, now_mexico
from warehouse import reports
from warehouse.spreadsheet import Sheet, write_csv, write_xlsx

SILENT_RUNS = 3   # as in warehouse/views/45_silent_outlets.sql
XLSX_WIDTHS = (10, 26, 14, 12, 24, 60, 50, 80, 40, 30, 20)   # week, theme, reach, date, outlet, title, link...


def weekly_context(con, week: str, lang: str = "es", db_name: str = "", chart: bool = True) -> dict:
    """Everything the weekly report shows, read from the warehouse."""
    text = labels(lang)
    start, end = parse_week(week)
    series_weeks = weeks_ending(week, 12)
    series = reports.week_series(con, series_weeks[0], week)
    counts: dict[str, dict[tuple[str, str], int]] = {w: {} for w in series_weeks}
    for r in series:
        counts.setdefault(r["week"], {})[(r["theme"], r["reach"])] = r["appearances"]
    current = counts[week]
    previous = counts[series_weeks[-2]]
    earlier4 = [counts[w] for w in series_weeks[-5:-1]]

    def total(cells, theme=None, reach=None):
        return sum(n for (t, r), n in cells.items() if (theme is None or t == theme) and (reach is None or r == reach))

    def compare_row(key, label, **which):
        now, before = total(current, **which), total(previous, **which)
        avg = sum(total(c, **which) for c in earlier4) / 4
        return {"key": key, "label": label, "now": now, "before": before, "change": format_change(now, before, lang),
                "avg": format_number(avg, lang), "vs_avg": format_change(now, avg, lang)}

    themes_present = list(THEMES) + sorted({t for c in counts.values() for t, _ in c} - set(THEMES))
    grid = [{"theme": t, "label": text["themes"].get(t, t),
             "cells": [{"reach": r, "n": current.get((t, r), 0)} for r in REACHES],
             "total": total(current, theme=t)} for t in themes_present]
    reach_totals = [{"reach": r, "n": total(current, reach=r)} for r in REACHES]
    by_theme = [compare_row(t, text["themes"].get(t, t), theme=t) for t in themes_present]
    by_reach = [compare_row(r, text["reaches"][r], reach=r) for r in REACHES]
    by_theme.append(compare_row("total", text["total"]))
    by_reach.append(compare_row("total", text["total"]))

    items = reports.week_items(con, start, end, lang)
    groups = []
    for theme in themes_present:
        rows = [r for r in items if r["theme"] == theme]
        if not rows:
            continue
        stories: dict[str, dict] = {}
        for r in rows:
            item = {**r, "date_text": format_date(r["published_date"], lang),
                    "reach_label": text["reaches"].get(r["reach"], r["reach"]),
                    "href": safe_href(r["url"]), "pieces": highlight(r["snippet"], r["matched"]),
                    "decided_at_text": format_date(r["decided_at"], lang) if r["decided_at"] else ""}
            story = stories.setdefault(r["story"], {"lead": None, "copies": []})
            if story["lead"] is None or r["url"] == r["story"]:
                if story["lead"] is not None:
                    story["copies"].insert(0, story["lead"])
                story["lead"] = item
            else:
                story["copies"].append(item)
        groups.append({"theme": theme, "label": text["themes"].get(theme, theme), "count": len(rows),
                       "stories": list(stories.values())})

    unregistered = [{**r, "href": safe_href(r["example_url"]), "date_text": format_date(r["last_published"], lang)}
                    for r in reports.unregistered_outlets(con, start, end)]
    silent = [{**r, "since_text": format_date(r["silent_since"], lang),
               "reach_label": text["reaches"].get(r["reach"] or "unclassified", r["reach"])}
              for r in reports.silent_outlets(con)]
    chart_uri = None
    if chart:
        chart_uri = weeks_chart(series_weeks, {t: [total(counts[w], theme=t) for w in series_weeks] for t in THEMES},
                                lang)
    n = total(current)
    return {
        "lang": lang, "t": text, "week": week, "start": start, "end": end,
        "span": text["week_span"].format(start=format_date(start, lang), end=format_date(end, lang)),
        "total": n, "total_text": text["total_week_one"] if n == 1 else text["total_week"].format(n=n),
        "reaches": [{"key": r, "label": text["reaches"][r]} for r in REACHES],
        "grid": grid, "reach_totals": reach_totals, "by_theme": by_theme, "by_reach": by_reach,
        "previous_week": series_weeks[-2], "average_weeks": series_weeks[-5:-1],
        "series_weeks": series_weeks, "chart": chart_uri, "groups": groups, "items": items,
        "unregistered": unregistered, "silent": silent, "silent_runs": SILENT_RUNS,
        "generated": text["generated"].format(when=format_date(now_mexico().replace(microsecond=0, tzinfo=None), lang),
                                              db=db_name),
    }


def weekly_cells(ctx: dict) -> dict[str, int]:
    """The week's counts as 'theme|reach' -> n (non-zero cells only), like expected.json's weekly_2026."""
    return {f"{row['theme']}|{c['reach']}": c["n"] for row in ctx["grid"] for c in row["cells"] if c["n"]}


def render_weekly_html(ctx: dict) -> str:
    return environment().get_template("weekly.html").render(**ctx)


def weekly_table(ctx: dict) -> tuple[list[str], list[list]]:
    """The week's appearances as spreadsheet rows (the same rows as the HTML report)."""
    t = ctx["t"]
    head = [t["week"], t["theme"], t["reach"],
            t["date"], t["outlet"], t["title"], t["link"], t["sentence"], t["copy_of"], t["process"],
            t["decided_by"]]
    rows = []
    for g in ctx["groups"]:
        for story in g["stories"]:
            for item in [story["lead"], *story["copies"]]:
                who = t.get(item["decided_by"], item["decided_by"])
                if item["reviewer"]:
                    who = f"{who}: {item['reviewer']}"
                rows.append([ctx["week"], g["label"], item["reach_label"], item["published_date"], item["outlet"],
                             item["title"] or "", item["url"], item["snippet"] or "",
                             "" if item["url"] == item["story"] else item["story"], item["process_name"] or "", who])
    return head, rows


def write_weekly(con, week: str, out_dir, lang: str = "es", db_name: str = "") -> list[Path]:
    """The HTML report and the same rows as CSV and XLSX. Returns the files written."""
    ctx = weekly_context(con, week, lang, db_name=db_name)
    stem = write_page(out_dir, f"informe-semanal-{week}" if lang == "es" else f"weekly-report-{week}",
                      render_weekly_html(ctx))
    html = stem.with_suffix(".html")
    head, rows = weekly_table(ctx)
    write_csv(stem.with_suffix(".csv"), head, rows)
    write_xlsx(stem.with_suffix(".xlsx"), [Sheet(week, head, rows, widths=XLSX_WIDTHS, date_columns=(4,),
                                                 freeze_head=True)])
    return [html, stem.with_suffix(".csv"), stem.with_suffix(".xlsx")]


def write_weekly_report(db, out_dir, week: str | None = None, lang: str = "es") -> list[Path]:
    """Open the database read-only, write the weekly report files (default: the last full week)."""
    from warehouse.db import connect
    from warehouse.lake import locate

    # The report names its warehouse by its file; a PostgreSQL catalog by "PostgreSQL", never by
    # its connection string, which may hold a host, a user or a password (issue 14).
    location = locate(db)
    db_name = location.label if location.is_postgres else Path(db).name
    con = connect(db, read_only=True)
    try:
        return write_weekly(con, week or last_full_week(), out_dir, lang, db_name=db_name)
    finally:
        con.close()

