"""Reports for the communications team: the Monday report and the annual report's media section.

`prodesc-monitor report weekly [--week 2026-W47] [--lang es|en]` writes one self-contained
HTML file (styles and chart inside it: it opens offline and can be attached to an email)
and the same appearances as CSV and XLSX. `prodesc-monitor report year --year 2023` writes
the annual report's media section.

Every number comes from the warehouse views (`weekly_counts`, `appearances`, `yearly_tally`
or the frozen snapshot), read by warehouse/reports.py, so a decision taken in the review desk
changes the report on the next run. Everything that comes from the web (titles, sentences,
outlet names) is escaped by Jinja2's autoescape; spreadsheet cells that would start a formula
are neutralised (warehouse/spreadsheet.py).

    weekly.py     the Monday report: context, HTML, CSV and XLSX
    annual.py     the annual report's media section: context, HTML, CSV
    charts.py     the charts (matplotlib) as PNG data URIs
    html.py       the Jinja2 environment (templates in flows/templates/), links, highlighted mentions
    language.py   the words (messages/es.yaml, messages/en.yaml), dates and numbers for people
    weeks.py      ISO weeks ('2026-W47') and ReportError

The names below are the ones the rest of the project (CLI, flows, review desk, tests) uses.
"""
from __future__ import annotations

from flows.report.annual import write_year, year_context
from flows.report.html import environment, highlight, safe_href
from flows.report.language import LANGS, format_date, format_moment, format_span, format_week, labels, messages
from flows.report.weekly import render_weekly_html, weekly_cells, weekly_context, write_weekly, write_weekly_report
from flows.report.weeks import ReportError, last_full_week, parse_week, week_of, weeks_ending
from warehouse.spreadsheet import safe_cell

__all__ = [
    "LANGS", "ReportError", "environment", "format_date", "format_moment", "format_span", "format_week", "highlight", "labels", "messages",
    "last_full_week", "parse_week", "render_weekly_html", "safe_cell", "safe_href", "week_of", "weekly_cells",
    "weekly_context", "weeks_ending", "write_weekly", "write_weekly_report", "write_year", "year_context",
]
