"""Reports for the communications team: the Monday report and the annual report's media section.

`prodesc-monitor report weekly [--week 2026-W47] [--lang es|en]` writes one self-contained
HTML file (styles and chart inside it: it opens offline and can be attached to an email)
and the same appearances as CSV and XLSX. `prodesc-monitor report year --year 2023` writes
the annual report's media section.

Every number comes from the warehouse views (`weekly_counts`, `appearances`, `yearly_tally`
or the frozen snapshot), so a decision taken in the review desk changes the report on the
next run. Everything that comes from the web (titles, sentences, outlet names) is escaped
by Jinja2's autoescape; spreadsheet cells that would start a formula are neutralised.

The functions here are plain: `weekly_context` / `year_context` read the database into a
dict, `render_*` turn it into HTML, `write_*` write the files.
"""
from __future__ import annotations

import argparse
import base64
import csv
import io
import re
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from warehouse.tally import REACH_LABELS, REACHES, THEME_LABELS, THEMES

TEMPLATES = Path(__file__).parent / "templates"
LANGS = ("es", "en")

# Words shown to people. Theme and reach names come from warehouse.tally.
TEXT = {
    "es": {
        "weekly_title": "Apariciones en medios — semana {week}",
        "week_span": "del {start} al {end}",
        "generated": "Generado el {when} desde la base {db}.",
        "summary": "Resumen de la semana",
        "total_week": "{n} apariciones esta semana",
        "total_week_one": "1 aparición esta semana",
        "by_theme_reach": "Apariciones por tema y alcance",
        "by_theme": "Por tema, comparado con semanas anteriores",
        "by_reach": "Por alcance, comparado con semanas anteriores",
        "week": "Semana", "theme": "Tema", "reach": "Alcance", "total": "Total",
        "this_week": "Esta semana", "prev_week": "Semana anterior", "change": "Cambio",
        "avg4": "Promedio de las 4 semanas anteriores",
        "vs_avg": "Frente al promedio",
        "chart_title": "Últimas 12 semanas por tema",
        "chart_alt": "Gráfica de barras: apariciones por semana y tema en las últimas 12 semanas",
        "chart_y": "Apariciones",
        "all_items": "Todas las apariciones de la semana",
        "none_week": "No hubo apariciones esta semana.",
        "outlet": "Medio", "date": "Fecha", "title": "Título", "link": "Enlace", "sentence": "Frase",
        "copies": "La misma nota publicada también por:",
        "copy_of": "Copia de",
        "reviewed_by": "Revisada por {who}",
        "manual": "Registrada a mano",
        "decided_by": "Decidido por",
        "tagger": "monitor", "review": "revisión", "person": "persona",
        "process": "Proceso",
        "unregistered": "Medios nuevos, fuera del registro (por clasificar)",
        "unregistered_help": "Sus apariciones cuentan como «Sin clasificar» hasta que alguien les asigne un alcance "
                             "en la mesa de revisión (prodesc-monitor review).",
        "none_unregistered": "Ningún medio nuevo esta semana.",
        "articles": "Notas", "appearances": "Apariciones", "example": "Ejemplo",
        "silent": "Medios que dejaron de publicar en sus canales",
        "silent_help": "Sus canales (RSS) no dieron ninguna nota en sus últimas {n} revisiones: "
                       "puede que hayan cambiado de dirección.",
        "none_silent": "Todos los canales respondieron.",
        "silent_since": "Sin notas desde", "problem": "Problema",
        "how_to_fix": "¿Algo está mal? Corríjalo en la mesa de revisión (prodesc-monitor review): "
                      "el siguiente informe ya lo tendrá en cuenta.",
        "year_title": "ProDESC en medios de comunicación, {year}",
        "year_total": "{n} apariciones en medios en {year}",
        "frozen_note": "Cifra congelada el {when}{by}: es la publicada en el informe anual.",
        "live_note": "Cifra en vivo (todavía puede cambiar con nuevas revisiones).",
        "live_but_frozen": "Cifra en vivo; la cifra congelada de este año es {n}.",
        "top_outlets": "Medios con más apariciones",
        "year_chart_title": "Apariciones {year} por tema y alcance",
        "year_chart_alt": "Gráfica de barras: apariciones del año por tema, divididas por alcance",
        "share": "Porcentaje",
        "files": "Escrito:",
        "by_who": " por {who}",
    },
    "en": {
        "weekly_title": "Media appearances — week {week}",
        "week_span": "from {start} to {end}",
        "generated": "Generated on {when} from the database {db}.",
        "summary": "The week at a glance",
        "total_week": "{n} appearances this week",
        "total_week_one": "1 appearance this week",
        "by_theme_reach": "Appearances by theme and reach",
        "by_theme": "By theme, compared with earlier weeks",
        "by_reach": "By reach, compared with earlier weeks",
        "week": "Week", "theme": "Theme", "reach": "Reach", "total": "Total",
        "this_week": "This week", "prev_week": "Previous week", "change": "Change",
        "avg4": "Average of the previous 4 weeks",
        "vs_avg": "Against the average",
        "chart_title": "Last 12 weeks by theme",
        "chart_alt": "Bar chart: appearances per week and theme over the last 12 weeks",
        "chart_y": "Appearances",
        "all_items": "Every appearance of the week",
        "none_week": "There were no appearances this week.",
        "outlet": "Outlet", "date": "Date", "title": "Title", "link": "Link", "sentence": "Sentence",
        "copies": "The same story was also published by:",
        "copy_of": "Copy of",
        "reviewed_by": "Reviewed by {who}",
        "manual": "Entered by hand",
        "decided_by": "Decided by",
        "tagger": "monitor", "review": "review", "person": "person",
        "process": "Process",
        "unregistered": "New outlets, not in the registry (to classify)",
        "unregistered_help": "Their appearances count as 'Unclassified' until someone assigns a reach in the "
                             "review desk (prodesc-monitor review).",
        "none_unregistered": "No new outlet this week.",
        "articles": "Articles", "appearances": "Appearances", "example": "Example",
        "silent": "Outlets that went silent",
        "silent_help": "Their feeds (RSS) gave no item in their last {n} checks: they may have moved.",
        "none_silent": "Every feed answered.",
        "silent_since": "Silent since", "problem": "Problem",
        "how_to_fix": "Something wrong? Correct it in the review desk (prodesc-monitor review): "
                      "the next report will take it into account.",
        "year_title": "ProDESC in media outlets, {year}",
        "year_total": "{n} media appearances in {year}",
        "frozen_note": "Number frozen on {when}{by}: the one published in the annual report.",
        "live_note": "Live number (it can still change with new reviews).",
        "live_but_frozen": "Live number; this year's frozen number is {n}.",
        "top_outlets": "Outlets with most appearances",
        "year_chart_title": "Appearances {year} by theme and reach",
        "year_chart_alt": "Bar chart: the year's appearances by theme, split by reach",
        "share": "Share",
        "files": "Written:",
        "by_who": " by {who}",
    },
}
MONTHS = {
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
# Okabe-Ito colours (told apart by colour-blind readers) plus a hatch each, so print in grey works too.
THEME_STYLE = {
    "land_territory": ("#009E73", "//"),
    "labour": ("#E69F00", ".."),
    "defenders": ("#56B4E9", "xx"),
    "institutional": ("#CC79A7", ""),
}
REACH_STYLE = {
    "local": ("#009E73", "//"),
    "national": ("#0072B2", ""),
    "international": ("#E69F00", ".."),
    "unclassified": ("#BBBBBB", "xx"),
}
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
SILENT_RUNS = 3   # as in warehouse/views/45_silent_outlets.sql


class ReportError(ValueError):
    """A wrong argument, explained for the person who typed it."""


# --------------------------------------------------------------------------- weeks and formats

def parse_week(label: str) -> tuple[date, date]:
    """'2026-W47' -> (Monday, Sunday) of that ISO week."""
    m = WEEK_RE.match(label.strip())
    if not m:
        raise ReportError(f"'{label}' is not a week like 2026-W47 (year, W, week number)")
    try:
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise ReportError(f"{label}: that year has no week {m[2]}") from None
    return monday, monday + timedelta(days=6)


def week_of(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def last_full_week(today: date | None = None) -> str:
    """The week the Monday report is about: the last complete ISO week before today
    (today in Mexico City, whatever the machine's clock zone: counting rules §5)."""
    if today is None:
        from pipelines.dates import MEXICO_CITY
        today = datetime.now(MEXICO_CITY).date()
    return week_of(today - timedelta(days=today.isoweekday()))


def weeks_ending(label: str, n: int) -> list[str]:
    monday, _ = parse_week(label)
    return [week_of(monday - timedelta(weeks=i)) for i in range(n - 1, -1, -1)]


def format_date(day, lang: str) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}, {day:%H:%M}"
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def format_number(x: float, lang: str) -> str:
    text = f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))
    return text.replace(".", ",") if lang == "es" else text


def format_change(now: float, before: float, lang: str) -> str:
    diff = now - before
    if abs(diff) < 1e-9:
        return "="
    return ("+" if diff > 0 else "−") + format_number(abs(diff), lang)


def safe_href(url: str | None) -> str | None:
    """Only web addresses become links: a `javascript:` or `data:` URL from the web never does."""
    if url and re.match(r"^https?://", url, re.IGNORECASE):
        return url
    return None


def highlight(text: str | None, terms) -> list[tuple[str, bool]]:
    """Split a sentence into (piece, is_mention) so a template can mark the mentions (escaped)."""
    if not text:
        return []
    terms = sorted({t for t in (terms or []) if t and t.strip()}, key=len, reverse=True)
    if not terms:
        return [(text, False)]
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # not allowed in XLSX (tab, CR, LF are)


def safe_cell(value):
    """A spreadsheet cell that can never run as a formula (CSV/XLSX injection) and that XLSX
    accepts (control characters from the web are dropped)."""
    if isinstance(value, str):
        value = CONTROL_CHARS.sub("", value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return value


def labels(lang: str) -> dict:
    if lang not in LANGS:
        raise ReportError(f"language '{lang}': use es or en")
    return {**TEXT[lang],
            "themes": {t: THEME_LABELS[t][lang] for t in THEMES},
            "reaches": {r: REACH_LABELS[r][lang] for r in (*REACHES, "total")}}


def _rows(con, sql_name: str, params: dict) -> list[dict]:
    from warehouse.db import query
    cur = con.execute(query(sql_name), params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def environment():
    """Jinja2 with autoescape on for every template (HTML from the web shows as text)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["href"] = safe_href
    return env


# --------------------------------------------------------------------------- charts

def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 10, "axes.titlesize": 12, "hatch.color": "#333333",
                         "hatch.linewidth": 0.6, "svg.fonttype": "none"})
    return plt


def weeks_chart(weeks: list[str], by_theme: dict[str, list[int]], lang: str) -> str:
    """Stacked bars of the last weeks by theme, totals written on top; a PNG data URI."""
    plt = _pyplot()
    text = labels(lang)
    fig, ax = plt.subplots(figsize=(7.2, 3.8))   # printed about life-size on A4/Letter: 10 pt stays 10 pt
    bottom = [0] * len(weeks)
    xs = range(len(weeks))
    for theme in THEMES:
        values = by_theme.get(theme, [0] * len(weeks))
        colour, hatch = THEME_STYLE[theme]
        ax.bar(xs, values, bottom=bottom, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.6,
               label=text["themes"][theme], width=0.7)
        bottom = [b + v for b, v in zip(bottom, values)]
    for x, total in zip(xs, bottom):
        if total:
            ax.text(x, total + 0.05 * max(1, max(bottom)), str(total), ha="center", va="bottom", fontsize=10,
                    fontweight="bold")
    ax.set_xticks(list(xs), [w.replace("-W", "\nS" if lang == "es" else "\nW") for w in weeks], fontsize=9)
    ax.set_ylabel(text["chart_y"])
    ax.set_ylim(0, max(bottom + [1]) * 1.2 + 0.5)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(text["chart_title"])
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    return _png(fig)


def year_chart(table: dict[str, dict[str, int]], year: int, lang: str) -> str:
    """Horizontal bars per theme, split by reach, each segment labelled; a PNG data URI."""
    plt = _pyplot()
    text = labels(lang)
    themes = [t for t in THEMES if t in table]
    fig, ax = plt.subplots(figsize=(7.2, 0.75 * len(themes) + 1.6))
    left = [0] * len(themes)
    ys = list(range(len(themes)))[::-1]
    for reach in REACHES:
        values = [table[t].get(reach, 0) for t in themes]
        if not any(values):
            continue
        colour, hatch = REACH_STYLE[reach]
        bars = ax.barh(ys, values, left=left, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.6,
                       label=text["reaches"][reach], height=0.6)
        for bar, v in zip(bars, values):
            if v:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(v),
                        ha="center", va="center", fontsize=10, fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
        left = [a + b for a, b in zip(left, values)]
    for y, total in zip(ys, left):
        ax.text(total + 0.01 * max(1, max(left)), y, f" {total}", va="center", fontsize=10)
    ax.set_yticks(ys, [text["themes"][t] for t in themes])
    ax.set_xlim(0, max(left + [1]) * 1.12)
    ax.set_title(text["year_chart_title"].format(year=year))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4, frameon=False)
    return _png(fig)


# --------------------------------------------------------------------------- weekly report

def weekly_context(con, week: str, lang: str = "es", db_name: str = "", chart: bool = True) -> dict:
    """Everything the weekly report shows, read from the warehouse."""
    text = labels(lang)
    start, end = parse_week(week)
    series_weeks = weeks_ending(week, 12)
    series = _rows(con, "report_week_series", {"first": series_weeks[0], "last": week})
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

    items = _rows(con, "report_week_items", {"start": start, "end": end})
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
                    for r in _rows(con, "report_unregistered_outlets", {"start": start, "end": end})]
    silent = [{**r, "since_text": format_date(r["silent_since"], lang),
               "reach_label": text["reaches"].get(r["reach"] or "unclassified", r["reach"])}
              for r in _rows(con, "report_silent_outlets", {})]
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
        "generated": text["generated"].format(when=format_date(datetime.now().replace(microsecond=0), lang),
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
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ctx = weekly_context(con, week, lang, db_name=db_name)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / (f"informe-semanal-{week}" if lang == "es" else f"weekly-report-{week}")
    html = stem.with_suffix(".html")
    html.write_text(render_weekly_html(ctx), encoding="utf-8")
    head, rows = weekly_table(ctx)
    with open(stem.with_suffix(".csv"), "w", newline="", encoding="utf-8-sig") as fh:   # BOM: Excel reads accents
        writer = csv.writer(fh)
        writer.writerow(head)
        writer.writerows([[safe_cell(v if not isinstance(v, date) else v.isoformat()) for v in row] for row in rows])
    book = Workbook()
    sheet = book.active
    sheet.title = week
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        sheet.cell(row=sheet.max_row, column=4).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGHIJK", (10, 26, 14, 12, 24, 60, 50, 80, 40, 30, 20)):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A2"
    book.save(stem.with_suffix(".xlsx"))
    return [html, stem.with_suffix(".csv"), stem.with_suffix(".xlsx")]


def write_weekly_report(db, out_dir, week: str | None = None, lang: str = "es") -> list[Path]:
    """Open the database read-only, write the weekly report files (default: the last full week)."""
    from warehouse.db import connect

    con = connect(db, read_only=True)
    try:
        return write_weekly(con, week or last_full_week(), out_dir, lang, db_name=Path(db).name)
    finally:
        con.close()


# --------------------------------------------------------------------------- annual report

def year_context(con, year: int, lang: str = "es", live: bool = False, top: int = 10, chart: bool = True) -> dict:
    """The annual report's media section: tally, totals, top outlets, chart."""
    from warehouse.tally import frozen_years, table_rows, tally

    text = labels(lang)
    frozen = {y[0]: y for y in frozen_years(con)}
    use_frozen = year in frozen and not live
    table = tally(con, year, frozen=use_frozen)
    head, rows = table_rows(table, lang)
    grand = rows[-1][-1]
    if use_frozen:
        _, at, by, total, _ = frozen[year]
        note = text["frozen_note"].format(when=format_date(at, lang), by=text["by_who"].format(who=by) if by else "")
    elif year in frozen:
        note = text["live_but_frozen"].format(n=frozen[year][3])
    else:
        note = text["live_note"]
    outlets = _rows(con, "report_year_outlets", {"year": year, "frozen": use_frozen, "limit": top})
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
        "generated": text["generated"].format(when=format_date(datetime.now().replace(microsecond=0), lang), db=""),
    }


def render_year_html(ctx: dict) -> str:
    return environment().get_template("year.html").render(**ctx)


def write_year(con, year: int, out_dir, lang: str = "es", live: bool = False) -> list[Path]:
    ctx = year_context(con, year, lang, live=live)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / (f"medios-{year}" if lang == "es" else f"media-{year}")
    html = stem.with_suffix(".html")
    html.write_text(render_year_html(ctx), encoding="utf-8")
    with open(stem.with_suffix(".csv"), "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(ctx["head"])
        writer.writerows([[safe_cell(v) for v in row] for row in ctx["rows"]])
    return [html, stem.with_suffix(".csv")]


# --------------------------------------------------------------------------- command line

def _week_arg(text: str) -> str:
    try:
        parse_week(text)
    except ReportError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def cmd_report_weekly(args) -> int:
    files = write_weekly_report(args.db, args.out, args.week, args.lang)
    print(TEXT[args.lang]["files"] + "\n" + "\n".join(f"  {f}" for f in files))
    return 0


def cmd_report_year(args) -> int:
    from warehouse.db import connect

    con = connect(args.db, read_only=True)
    try:
        files = write_year(con, args.year, args.out, args.lang, live=args.live)
    finally:
        con.close()
    print(TEXT[args.lang]["files"] + "\n" + "\n".join(f"  {f}" for f in files))
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


if __name__ == "__main__":   # a stand-in until flows/cli.py registers the commands
    parser = argparse.ArgumentParser(prog="prodesc-monitor")
    add_report_commands(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args()
    sys.exit(ns.func(ns))
