"""The annual report's media section: the paragraph in the 2023 report's own shape, the year's
tally by theme and reach (every number a link to the list of its appearances), the share of
each reach, the chart, appearances per month, the comparison with the previous year, the
featured outlets (national and international, as the report lists them) and every appearance
of the year (HTML), with the same rows as CSV and XLSX (a summary sheet first).

For a frozen year it shows the frozen snapshot, the number printed in the annual report,
unless `live`; the previous year, when frozen, is compared by its published number too.
"""
from __future__ import annotations

from pathlib import Path

from flows.report.charts import year_chart
from flows.report.html import environment, safe_href, write_page
from flows.report.language import format_change, format_date, format_moment, format_number, labels, messages
from pipelines.vocabulary import REACHES, THEMES, now_mexico
from warehouse import reports
from warehouse.spreadsheet import Sheet, write_csv, write_xlsx
from warehouse.tally import frozen_years, tally

FEATURED = 6                                   # outlets per reach under "Medios destacados"
FEATURED_REACHES = ("national", "international")   # as the 2023 report lists them
ITEM_WIDTHS = (12, 28, 70, 60, 28, 16, 40)     # date, outlet, title, link, theme, reach, case
MONTH_WIDTHS = (14, 14, 14, 14, 14, 10)


def table_rows(table: dict[str, dict[str, int]], text: dict) -> tuple[list[str], list[list]]:
    """The tally as a header and rows (totals last) in the words of `labels(lang)`."""
    head = [text["theme"], *[text["reaches"][r] for r in (*REACHES, "total")]]
    rows = [[text["themes"][t], *[cells.get(r, 0) for r in REACHES], sum(cells.values())] for t, cells in table.items()]
    totals = [sum(table[t].get(r, 0) for t in table) for r in REACHES]
    rows.append([text["reaches"]["total"], *totals, sum(totals)])
    return head, rows


def _join(parts: list[str], last: str) -> str:
    """'a, b y c' / 'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + last + parts[-1]


def year_paragraph(table: dict[str, dict[str, int]], year: int, lang: str = "es") -> str:
    """The annual report's sentence about the media, in its own shape: "Durante 2023, ProDESC y
    los procesos que acompaña tuvieron presencia en medios de comunicación con un total de 213
    apariciones. En cuanto a la defensa de la tierra y el territorio, 104 en medios locales, 32
    en nacionales y 3 en internacionales; …". A zero cell is left out (nobody writes "0 en
    internacionales"); a theme without appearances is said once at the end; an empty year
    says so. Numbers with a thousands comma (Mexico)."""
    text = messages(lang)
    grand = sum(sum(cells.values()) for cells in table.values())
    if not grand:
        return text["paragraph_empty"].format(year=year)
    opening = (text["paragraph_total_one"].format(year=year) if grand == 1
               else text["paragraph_total"].format(year=year, n=format_number(grand, lang)))
    clauses, without = [], []
    for theme in THEMES:
        cells = table.get(theme, {})
        present = [r for r in REACHES if cells.get(r, 0)]
        if not present:
            without.append(text["paragraph_topic"][theme])
            continue
        parts = [text["paragraph_first_reach" if i == 0 else "paragraph_next_reach"][r].format(
            n=format_number(cells[r], lang)) for i, r in enumerate(present)]
        clauses.append(f"{text['paragraph_about'][theme]}, {_join(parts, text['paragraph_and'])}")
    sentence = "; ".join(clauses)
    out = [opening, sentence[:1].upper() + sentence[1:] + "."]
    if without:
        out.append(text["paragraph_without"].format(topics=text["paragraph_nor"].join(without)))
    return " ".join(out)


def cell_id(theme: str, reach: str) -> str:
    """The anchor of a cell's list: 'lista-labour-national'; theme or reach 'total' for the margins."""
    return f"lista-{theme}-{reach}"


def _previous(con, year: int, frozen: dict, text: dict, lang: str, table: dict) -> dict:
    """The comparison with the year before, per theme and per reach (its published number when frozen)."""
    prev = year - 1
    before = tally(con, prev, frozen=prev in frozen)

    def row(label, now, was):
        return {"label": label, "before": was, "now": now, "change": format_change(now, was, lang)}

    themes = [row(text["themes"][t], sum(table[t].values()), sum(before[t].values())) for t in THEMES]
    reaches = [row(text["reaches"][r], sum(table[t].get(r, 0) for t in table), sum(before[t].get(r, 0) for t in before))
               for r in REACHES]
    total = row(text["total"], sum(x["now"] for x in themes), sum(x["before"] for x in themes))
    return {"year": prev, "frozen": prev in frozen, "themes": themes, "reaches": reaches, "total": total,
            "empty": total["before"] == 0}


def year_context(con, year: int, lang: str = "es", live: bool = False, top: int = 10, chart: bool = True) -> dict:
    """The annual report's media section: paragraph, tally with a list per cell, totals, months,
    previous year, outlets, chart."""
    text = labels(lang)
    frozen = {y[0]: y for y in frozen_years(con)}
    use_frozen = year in frozen and not live
    table = tally(con, year, frozen=use_frozen)
    head, rows = table_rows(table, text)
    grand = rows[-1][-1]
    if use_frozen:
        _, at, by, total, _ = frozen[year]
        note = text["frozen_note"].format(when=format_moment(at, lang), by=text["by_who"].format(who=by) if by else "")
    elif year in frozen:
        note = text["live_but_frozen"].format(n=format_number(frozen[year][3], lang))
    else:
        note = text["live_note"]

    items = [{**r, "date_text": format_date(r["published_date"], lang), "href": safe_href(r["url"]),
              "theme_label": text["themes"].get(r["theme"], r["theme"]),
              "reach_label": text["reaches"].get(r["reach"], r["reach"])}
             for r in reports.year_items(con, year, use_frozen, lang)]
    lists = {}
    for theme in THEMES:
        for reach in REACHES:
            lists[(theme, reach)] = [i for i in items if i["theme"] == theme and i["reach"] == reach]
    grid = [{"theme": t, "label": text["themes"][t],
             "cells": [{"reach": r, "n": table[t].get(r, 0), "id": cell_id(t, r)} for r in REACHES],
             "total": {"n": sum(table[t].values()), "id": cell_id(t, "total")}} for t in THEMES]
    reach_totals = [{"reach": r, "n": sum(table[t].get(r, 0) for t in THEMES), "id": cell_id("total", r)}
                    for r in REACHES]
    themes_lists = [{"theme": t, "label": text["themes"][t], "id": cell_id(t, "total"),
                     "n": sum(len(lists[(t, r)]) for r in REACHES),
                     "groups": [{"reach": r, "label": text["reaches"][r], "id": cell_id(t, r), "rows": lists[(t, r)]}
                                for r in REACHES if lists[(t, r)]]} for t in THEMES]
    reach_lists = [{"reach": r, "label": text["reaches"][r], "id": cell_id("total", r),
                    "rows": [i for t in THEMES for i in lists[(t, r)]]} for r in REACHES]

    month_names = text["month_names"]
    months = [{"label": month_names[m], "by_theme": [0] * len(THEMES), "n": 0} for m in range(12)]
    for i in items:
        m = months[i["published_date"].month - 1]
        m["n"] += 1
        if i["theme"] in THEMES:
            m["by_theme"][THEMES.index(i["theme"])] += 1

    outlets = reports.top_outlets(con, year, use_frozen, 10_000)
    for o in outlets:
        o["reach_label"] = text["reaches"].get(o["reach"], o["reach"])
    featured = [{"reach": r, "label": text["featured_reach"][r],
                 "outlets": [o for o in outlets if o["reach"] == r][:FEATURED]} for r in FEATURED_REACHES]
    reach_n = [x["n"] for x in reach_totals]
    return {
        "lang": lang, "t": text, "year": year, "head": head, "rows": rows, "table": table, "total": grand,
        "title": text["year_title"].format(year=year),
        "total_text": (text["year_total_one"].format(year=year) if grand == 1
                       else text["year_total"].format(n=format_number(grand, lang), year=year)),
        "num": lambda n: format_number(n, lang),     # 1,234: Mexico's thousands comma, in both languages
        "paragraph": year_paragraph(table, year, lang), "empty_text": text["year_empty"].format(year=year),
        "note": note, "frozen": use_frozen, "outlets": outlets[:top], "featured": featured,
        "grid": grid, "reach_totals": reach_totals, "grand_id": cell_id("total", "total"),
        "reaches": [{"key": r, "label": text["reaches"][r]} for r in REACHES],
        "theme_labels": [text["themes"][t] for t in THEMES],
        "items": items, "themes_lists": themes_lists, "reach_lists": reach_lists, "months": months,
        "previous": _previous(con, year, frozen, text, lang, table),
        "shares": [{"label": text["reaches"][r], "n": n,
                    "pct": format_number(round(100 * n / grand, 1), lang) if grand else "0"}
                   for r, n in zip(REACHES, reach_n)],
        # an empty year has no chart (and matplotlib is never started for it)
        "chart": year_chart(table, year, lang) if chart and grand else None,
        "generated": text["year_generated"].format(when=format_moment(now_mexico(), lang)),
    }


def render_year_html(ctx: dict) -> str:
    return environment().get_template("year.html").render(**ctx)


def year_items_table(ctx: dict) -> tuple[list[str], list[list]]:
    """Every appearance of the year as spreadsheet rows: outlet, date, title, link, theme, reach,
    case (named in the report's language)."""
    t = ctx["t"]
    head = [t["date"], t["outlet"], t["title"], t["link"], t["theme"], t["reach"], t["case"]]
    rows = [[i["published_date"], i["outlet"], i["title"] or "", i["url"], i["theme_label"], i["reach_label"],
             i["process_name"] or ""] for i in ctx["items"]]
    return head, rows


def write_year(con, year: int, out_dir, lang: str = "es", live: bool = False) -> list[Path]:
    """The section as HTML, its tally as CSV, the year's appearances as CSV, and everything as one
    XLSX (summary sheet first: the paragraph, the tally, the featured outlets, the previous year;
    then the appearances, linked; then the months). Returns the files written."""
    ctx = year_context(con, year, lang, live=live)
    t = ctx["t"]
    stem = write_page(out_dir, f"medios-{year}" if lang == "es" else f"media-{year}", render_year_html(ctx))
    csv_path = write_csv(stem.with_suffix(".csv"), ctx["head"], ctx["rows"])
    head, rows = year_items_table(ctx)
    items_csv = write_csv(stem.parent / f"{stem.name}-{'apariciones' if lang == 'es' else 'appearances'}.csv",
                          head, rows)
    summary_after = [[t["featured"]]]
    for f in ctx["featured"]:
        summary_after += [[f["label"]], *([o["outlet"], o["appearances"]] for o in f["outlets"])]
        if not f["outlets"]:
            summary_after.append([t["featured_none"]])
    prev = ctx["previous"]
    summary_after += [[], [t["compare_title"].format(prev=prev["year"])]]
    if prev["empty"]:
        summary_after.append([t["compare_none"].format(prev=prev["year"])])
    else:
        for rows_, label in ((prev["themes"], t["theme"]), (prev["reaches"], t["reach"])):
            summary_after += [[label, prev["year"], year, t["change"]],
                              # the change as a number: a cell "=" would be a formula (shown "'=")
                              *([r["label"], r["before"], r["now"], r["now"] - r["before"]]
                                for r in (*rows_, prev["total"])), []]
    month_head = [t["month"], *ctx["theme_labels"], t["total"]]
    month_rows = [[m["label"], *m["by_theme"], m["n"]] for m in ctx["months"]]
    xlsx = write_xlsx(stem.with_suffix(".xlsx"), [
        Sheet(t["summary_sheet"], ctx["head"], ctx["rows"], title=ctx["title"], lines=[ctx["paragraph"], ctx["note"]],
              widths=(32, 12, 12, 14, 14, 10), after=summary_after),
        Sheet(t["items_sheet"], head, rows, widths=ITEM_WIDTHS, date_columns=(1,), link_columns=(4,), freeze_head=True),
        Sheet(t["months_sheet"], month_head, month_rows, widths=(14, *MONTH_WIDTHS)),
    ])
    return [stem.with_suffix(".html"), csv_path, items_csv, xlsx]
