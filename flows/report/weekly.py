"""The Monday report: last week's appearances for the communications team.

One self-contained HTML file (styles and chart inside it: it opens offline and can be
attached to an email) and the same appearances as CSV and XLSX, in Spanish or English.
`weekly_context` reads the warehouse into a dict, `render_weekly_html` turns it into HTML,
`write_weekly` writes the files.

What a digest reader expects first: one line saying how many appearances, against last week
and the weeks before, and what they were mostly about; then the counts, each number a link
to the very appearances it counts (lists further down the same file, `#t-labour-national`,
`#r-national`, `#c-<case>`, `#o-<n>`), the cases, the outlets, the most reprinted story and
every appearance.

Weeks the monitor did not watch are "sin datos", never 0 (see `monitored_weeks`).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from functools import cache
from pathlib import Path

from flows.report.charts import weeks_chart
from flows.report.html import environment, highlight, safe_href, write_page
from flows.report.language import format_change, format_date, format_moment, format_number, format_week, labels
from flows.report.weeks import last_full_week, parse_week, week_of, weeks_ending
from pipelines.vocabulary import REACHES, THEMES, now_mexico
from warehouse import reports
from warehouse.spreadsheet import Sheet, write_csv, write_xlsx

SILENT_RUNS = 3   # as in warehouse/views/45_silent_outlets.sql
XLSX_WIDTHS = (10, 26, 14, 12, 24, 60, 50, 80, 40, 30, 20)   # week, theme, reach, date, outlet, title, link...
TOP_OUTLETS = 5
AVERAGE_WEEKS = 4


def monitored_weeks(con, weeks: list[str], counts: dict[str, dict]) -> set[str]:
    """The weeks of `weeks` for which the report has data, the others being "sin datos".

    A week has data when a successful crawl run (table crawl_runs, status 'ok') looked at it:
    the run started during the week (the daily feed reading sees that week's articles), or
    the week overlaps its --since/--until window (a sitemap run going back in time; without
    --until, the window ends the day it ran). A failed run records no row, so it covers nothing.

    A week with stored appearances has data too, whatever the runs say: an article stored
    was found by some run (one recorded before crawl_runs existed, or whose record failed),
    and a manual appearance (`prodesc-monitor add`: print, radio, TV) is a person's record of
    that week. Showing "sin datos" over a non-zero count would contradict the count itself.
    What such a week cannot say is that nothing else appeared: 0 is only ever shown for a
    week a run watched and found nothing.
    """
    first, _ = parse_week(weeks[0])
    _, last = parse_week(weeks[-1])
    wanted = set(weeks)
    seen = {w for w in weeks if counts.get(w)}
    for run in reports.week_runs(con, first, last):
        seen.add(week_of(run["ran_on"]))
        if run["since"] is not None:
            day, until = max(run["since"], first), min(run["until"], last)
            if day <= until:
                seen.add(week_of(until))
            while day <= until:
                seen.add(week_of(day))
                day += timedelta(days=7)
    return seen & wanted


def _words(text: str | None) -> str:
    return re.sub(r"[\W_]+", " ", text or "").strip().casefold()


def _plain(name: str) -> str:
    """A name compared without capitals or accents ("AKUTZA" is Akutzá)."""
    return "".join(c for c in unicodedata.normalize("NFD", _words(name)) if not unicodedata.combining(c))


@cache
def never_marked() -> frozenset[str]:
    """Names the tagger may accept as evidence of a case but that name the other side: the
    companies, farms and projects the communities oppose, marked `counterpart: true` in the
    knowledge base (EDF, Bachoco, Akutzá, Mítikah...). In a sentence the report marks who
    appears (ProDESC, its director, the communities and collectives), so these are never
    marked, even when accepted: a yellow "Bachoco" would tell the reader the company is the
    mention (counting rules §2)."""
    from nlp.kb import load_kb

    return frozenset(_plain(a.text) for e in load_kb().entities for a in e.aliases if a.counterpart)


def marked_names(matched) -> list[str]:
    """The accepted texts to mark in a sentence, less the other side's names (never_marked)."""
    return [m for m in matched or [] if _plain(m) not in never_marked()]


MIN_WORDS = 6   # a replacement sentence has at least this many words: shorter lines are bylines or datelines


def sentences(opening: str | None) -> list[str]:
    """The sentences of the start of an article's text, line by line."""
    return [s.strip() for line in (opening or "").splitlines()
            for s in re.split(r"(?<=[.!?…])\s+", line.strip()) if s.strip()]


def _strip_names(sentence: str, names: set[str]) -> str:
    """The sentence without the names in it: what is left of a byline or a dateline is at most a word."""
    rest = _words(sentence)
    for name in sorted(names, key=len, reverse=True):
        rest = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", rest)
    return rest


def excerpt(row: dict) -> str | None:
    """The sentence to show under a headline. The tagger's best sentence, unless it is only a
    name (at most one word besides the names): an opinion column signed by Alejandra Ancheita
    often has her name alone on the first line of the text, and «Alejandra Ancheita» says
    nothing about the column; a dateline ("Unión Hidalgo, Oax.") says as little. Then the first real sentence of the text
    that names a mention, else its first real sentence, else the title; the author is shown
    on a line of its own by the template."""
    names = {_words(row.get("author"))} | {_words(m) for m in row.get("matched") or []}
    names.discard("")
    snippet = row.get("snippet")
    if snippet and len(_words(_strip_names(snippet, names)).split()) >= 2:
        return snippet
    real = [s for s in sentences(row.get("opening")) if len(s.split()) >= MIN_WORDS and _words(s) not in names]
    naming = [s for s in real if any(n in _words(s) for n in names if n != _words(row.get("author")))]
    return (naming or real or [None])[0] or row.get("title") or snippet


def _trend(now: int, before: int | None, avg: float | None, avg_n: int, text: dict, lang: str) -> str:
    """', 5 más que la semana anterior y por encima del promedio de las 4 semanas previas (9.5)'."""
    parts = []
    if before is None:
        parts.append(text["trend_prev_nodata"])
    elif now > before:
        parts.append(text["trend_prev_more"].format(n=format_number(now - before, lang)))
    elif now < before:
        parts.append(text["trend_prev_fewer"].format(n=format_number(before - now, lang)))
    else:
        parts.append(text["trend_prev_same"])
    if avg is not None:
        weeks = text["avg_weeks_all"].format(n=avg_n) if avg_n == AVERAGE_WEEKS else (
            text["avg_weeks_one"] if avg_n == 1 else text["avg_weeks_some"].format(n=avg_n))
        key = "trend_avg_above" if now > avg else "trend_avg_below" if now < avg else "trend_avg_equal"
        parts.append(text[key].format(weeks=weeks, avg=format_number(avg, lang)))
    return ", " + text["and"].join(parts)


def _main_theme(current: dict, text: dict, lang: str) -> str:
    """'; la mayoría sobre tierra y territorio' (more than half), '; sobre todo sobre ...'
    (the most, alone), or nothing (a tie, or no appearance)."""
    by_theme: dict[str, int] = {}
    for (theme, _), n in current.items():
        by_theme[theme] = by_theme.get(theme, 0) + n
    total = sum(by_theme.values())
    if not total:
        return ""
    ranked = sorted(by_theme.items(), key=lambda kv: -kv[1])
    theme, n = ranked[0]
    if len(ranked) > 1 and ranked[1][1] == n:
        return ""
    name = text["themes"].get(theme, theme)
    name = name[0].lower() + name[1:]   # mid-sentence: "la mayoría sobre tierra y territorio"
    return text["theme_majority" if 2 * n > total else "theme_most"].format(theme=name)


def weekly_context(con, week: str, lang: str = "es", db_name: str = "", chart: bool = True) -> dict:
    """Everything the weekly report shows, read from the warehouse."""
    text = labels(lang)
    start, end = parse_week(week)
    series_weeks = weeks_ending(week, 12)
    series = reports.week_series(con, series_weeks[0], week)
    counts: dict[str, dict[tuple[str, str], int]] = {w: {} for w in series_weeks}
    for r in series:
        counts.setdefault(r["week"], {})[(r["theme"], r["reach"])] = r["appearances"]
    with_data = monitored_weeks(con, series_weeks, counts)
    current = counts[week]
    has_data = week in with_data
    previous_week = series_weeks[-2]
    previous = counts[previous_week] if previous_week in with_data else None
    earlier = [w for w in series_weeks[-1 - AVERAGE_WEEKS:-1] if w in with_data]

    def total(cells, theme=None, reach=None):
        return sum(n for (t, r), n in cells.items() if (theme is None or t == theme) and (reach is None or r == reach))

    def average(**which):
        return sum(total(counts[w], **which) for w in earlier) / len(earlier) if earlier else None

    def compare_row(key, label, href, **which):
        now = total(current, **which) if has_data else None
        before = total(previous, **which) if previous is not None else None
        avg = average(**which)
        return {"key": key, "label": label, "now": now, "href": href if now else None, "before": before,
                "change": format_change(now, before, lang) if None not in (now, before) else "—",
                "avg": format_number(avg, lang) if avg is not None else text["no_data"],
                "vs_avg": format_change(now, avg, lang) if None not in (now, avg) else "—"}

    themes_present = list(THEMES) + sorted({t for c in counts.values() for t, _ in c} - set(THEMES))
    grid = [{"theme": t, "label": text["themes"].get(t, t),
             "cells": [{"reach": r, "n": current.get((t, r), 0), "href": f"#t-{t}-{r}"} for r in REACHES],
             "total": total(current, theme=t), "href": f"#theme-{t}"} for t in themes_present]
    reach_totals = [{"reach": r, "n": total(current, reach=r), "href": f"#r-{r}"} for r in REACHES]
    by_theme = [compare_row(t, text["themes"].get(t, t), f"#theme-{t}", theme=t) for t in themes_present]
    by_reach = [compare_row(r, text["reaches"][r], f"#r-{r}", reach=r) for r in REACHES]
    by_theme.append(compare_row("total", text["total"], "#items"))
    by_reach.append(compare_row("total", text["total"], "#items"))

    items = reports.week_items(con, start, end, lang)
    shown: list[dict] = []
    for i, r in enumerate(items, 1):
        sentence = excerpt(r)
        language = r["language"]
        shown.append({**r, "anchor": f"a-{i}", "date_text": format_date(r["published_date"], lang),
                      "reach_label": text["reaches"].get(r["reach"], r["reach"]),
                      "href": safe_href(r["url"]), "sentence": sentence,
                      "pieces": highlight(sentence, marked_names(r["matched"])),
                      "language_text": text["in_language"].format(
                          language=text["language_names"].get(language, language))
                      if language and language != "es" else "",
                      "decided_at_text": format_moment(r["decided_at"], lang) if r["decided_at"] else ""})
    groups = []
    for theme in themes_present:
        rows = [r for r in shown if r["theme"] == theme]
        if not rows:
            continue
        stories: dict[str, dict] = {}
        for item in rows:
            story = stories.setdefault(item["story"], {"lead": None, "copies": []})
            if story["lead"] is None or item["url"] == item["story"]:
                if story["lead"] is not None:
                    story["copies"].insert(0, story["lead"])
                story["lead"] = item
            else:
                story["copies"].append(item)
        groups.append({"theme": theme, "label": text["themes"].get(theme, theme), "count": len(rows),
                       "stories": list(stories.values())})

    # The lists each number links to: exactly the appearances it counts.
    lists = []

    def add_list(anchor, title, rows):
        if rows:
            lists.append({"id": anchor, "title": title, "rows": rows})

    for t in themes_present:
        for r in REACHES:
            add_list(f"t-{t}-{r}", f"{text['themes'].get(t, t)} · {text['reaches'][r]}",
                     [i for i in shown if i["theme"] == t and i["reach"] == r])
    for r in REACHES:
        add_list(f"r-{r}", text["reaches"][r], [i for i in shown if i["reach"] == r])

    cases: dict[str, list[dict]] = {}
    for item in shown:
        cases.setdefault(item["process"] or "", []).append(item)
    by_case = []
    # the cases first, most appearances first; what names no case (ProDESC, its director) last
    for key, rows in sorted(cases.items(), key=lambda kv: (kv[0] == "", -len(kv[1]), rows_name(kv[1]))):
        label = rows[0]["process_name"] or rows[0]["process"] if key else text["no_case"]
        slug = re.sub(r"[^a-z0-9_-]+", "-", key.lower()) or "none"    # a manual row's process may be any text
        by_case.append({"key": key or "none", "label": label, "n": len(rows), "href": f"#c-{slug}"})
        add_list(f"c-{slug}", label, rows)

    outlets: dict[str, list[dict]] = {}
    for item in shown:
        outlets.setdefault(item["outlet"], []).append(item)
    top_outlets = []
    for n, (outlet, rows) in enumerate(sorted(outlets.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP_OUTLETS], 1):
        top_outlets.append({"outlet": outlet, "n": len(rows), "reach_label": rows[0]["reach_label"],
                            "href": f"#o-{n}"})
        add_list(f"o-{n}", outlet, rows)

    # The most reprinted story: the syndication group published by most outlets (each outlet's
    # copy is its own appearance, counting rules §1; two copies on one outlet count once there).
    reprinted = None
    for g in groups:
        for story in g["stories"]:
            members = [story["lead"], *story["copies"]]
            n_outlets = len({m["outlet"] for m in members})
            if n_outlets > 1 and (reprinted is None or n_outlets > reprinted["n_outlets"]):
                reprinted = {"lead": story["lead"], "n_outlets": n_outlets,
                             "outlets": sorted({m["outlet"] for m in members}), "href": "#" + story["lead"]["anchor"]}

    unregistered = [{**r, "href": safe_href(r["example_url"]), "date_text": format_date(r["last_published"], lang)}
                    for r in reports.unregistered_outlets(con, start, end)]
    silent = [{**r, "since_text": format_date(r["silent_since"], lang),
               "reach_label": text["reaches"].get(r["reach"] or "unclassified", r["reach"])}
              for r in reports.silent_outlets(con)]
    by_week = {t: [total(counts[w], theme=t) for w in series_weeks] for t in THEMES}
    chart_uri = None
    if chart:
        chart_uri = weeks_chart(series_weeks, by_week, lang, no_data={w for w in series_weeks if w not in with_data})
    chart_weeks = [{"week": w, "short": text["week_short"] + w.split("-W")[1], "label": format_week(w, lang),
                    "n": total(counts[w]) if w in with_data else None,
                    "href": "#items" if w == week and total(counts[w]) else None} for w in series_weeks]
    n = total(current)
    avg_total = average()
    if has_data:
        count = text["count_one"] if n == 1 else text["count_many"].format(n=format_number(n, lang))
        summary = text["summary_line"].format(
            count=count, week=format_week(week, lang),
            trend=_trend(n, total(previous) if previous is not None else None, avg_total, len(earlier), text, lang),
            theme=_main_theme(current, text, lang))
    else:
        summary = text["no_data_week"]
    moment = format_moment(now_mexico().replace(microsecond=0), lang)
    return {
        "lang": lang, "t": text, "week": week, "week_label": format_week(week, lang), "start": start, "end": end,
        "total": n, "has_data": has_data, "summary": summary,
        "reaches": [{"key": r, "label": text["reaches"][r]} for r in REACHES],
        "grid": grid, "reach_totals": reach_totals, "by_theme": by_theme, "by_reach": by_reach,
        "previous_week": previous_week, "previous_label": format_week(previous_week, lang),
        "average_weeks": series_weeks[-1 - AVERAGE_WEEKS:-1], "average_with_data": earlier,
        "average_note": _average_note(series_weeks[-1 - AVERAGE_WEEKS:-1], earlier, text),
        "series_weeks": series_weeks, "with_data": sorted(with_data), "chart": chart_uri, "chart_weeks": chart_weeks,
        "theme_legend": [{"theme": t, "label": text["themes"][t], "n": total(current, theme=t),
                          "href": f"#theme-{t}" if total(current, theme=t) else None} for t in THEMES],
        "groups": groups, "items": items, "lists": lists, "by_case": by_case, "top_outlets": top_outlets,
        "reprinted": reprinted,
        "unregistered": unregistered, "silent": silent, "silent_runs": SILENT_RUNS,
        "generated": (text["generated_from"].format(when=moment, db=db_name) if db_name
                      else text["generated_at"].format(when=moment)),
    }


def rows_name(rows: list[dict]) -> str:
    return rows[0]["process_name"] or ""


def _average_note(weeks: list[str], with_data: list[str], text: dict) -> str:
    """'semanas 43–46' or 'semanas 43–46; 2 con datos' under the average's column header."""
    span = text["weeks_span"].format(first=int(weeks[0].split("-W")[1]), last=int(weeks[-1].split("-W")[1]))
    if len(with_data) == len(weeks):
        return span
    return span + "; " + text["weeks_with_data"].format(n=len(with_data))


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
                rows.append([ctx["week_label"], g["label"], item["reach_label"], item["published_date"], item["outlet"],
                             item["title"] or "", item["url"], item["sentence"] or "",
                             "" if item["url"] == item["story"] else item["story"], item["process_name"] or "", who])
    return head, rows


def summary_sheet(ctx: dict) -> Sheet:
    """The XLSX's first sheet, what a reader opening the file sees: the summary line and the
    theme × reach table of the week (the appearances are on the next sheet)."""
    t = ctx["t"]
    head = [t["theme"], *[r["label"] for r in ctx["reaches"]], t["total"]]
    rows = [[row["label"], *[c["n"] for c in row["cells"]], row["total"]] for row in ctx["grid"]]
    rows.append([t["total"], *[c["n"] for c in ctx["reach_totals"]], ctx["total"]])
    return Sheet(t["summary_sheet"], head, rows, title=t["weekly_title"].format(week=ctx["week_label"]),
                 lines=[ctx["summary"]], widths=(30, 12, 12, 14, 14, 10))


def write_weekly(con, week: str, out_dir, lang: str = "es", db_name: str = "") -> list[Path]:
    """The HTML report and the same rows as CSV and XLSX. Returns the files written."""
    ctx = weekly_context(con, week, lang, db_name=db_name)
    stem = write_page(out_dir, f"informe-semanal-{week}" if lang == "es" else f"weekly-report-{week}",
                      render_weekly_html(ctx))
    html = stem.with_suffix(".html")
    head, rows = weekly_table(ctx)
    write_csv(stem.with_suffix(".csv"), head, rows)
    write_xlsx(stem.with_suffix(".xlsx"), [summary_sheet(ctx),
                                           Sheet(ctx["t"]["items_sheet"], head, rows, widths=XLSX_WIDTHS,
                                                 date_columns=(4,), link_columns=(7, 9), freeze_head=True)])
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
