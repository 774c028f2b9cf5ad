"""The rows the reports read: the weekly report and the annual report's media section.

Each function runs one query file of `warehouse/queries/` (`report_*.sql`) through the
query runner in warehouse/db.py and returns its rows as dicts keyed by column name.
Every row comes from the warehouse views (`weekly_counts`, `appearances`, `silent_outlets`)
or the frozen snapshot, so a decision taken in the review desk shows on the next run.
The year's tally itself is `warehouse.tally.tally`.
"""
from __future__ import annotations

from datetime import date

from warehouse.db import records, rows


def week_series(con, first: str, last: str) -> list[dict]:
    """Appearances per ISO week, theme and reach from week `first` to `last` ('2026-W36' .. '2026-W47');
    weeks without appearances have no rows."""
    return records(con, "report_week_series", {"first": first, "last": last})


def week_items(con, start: date, end: date, lang: str = "es") -> list[dict]:
    """Every appearance published from `start` to `end`, with its best sentence, the matched
    texts to highlight, its story (syndication group), process (named in `lang`) and latest review."""
    return records(con, "report_week_items", {"start": start, "end": end, "lang": lang})


def week_runs(con, start: date, end: date) -> list[dict]:
    """The successful crawl runs that looked at a day from `start` to `end` (ran then, or their
    --since/--until window overlaps it): run_id, ran_on, since, until (Mexico City dates)."""
    return records(con, "report_week_runs", {"start": start, "end": end})


def unregistered_outlets(con, start: date, end: date) -> list[dict]:
    """Sites not in the registry that published (or were first seen) from `start` to `end`."""
    return records(con, "report_unregistered_outlets", {"start": start, "end": end})


def silent_outlets(con) -> list[dict]:
    """Outlets whose feeds gave nothing in each of their last runs, with their reach."""
    return records(con, "report_silent_outlets")


def top_outlets(con, year: int, frozen: bool, limit: int) -> list[dict]:
    """The outlets with most appearances in `year` (live, or the frozen snapshot), by theme."""
    return records(con, "report_year_outlets", {"year": year, "frozen": frozen, "limit": limit})


def recent_weeks(con, weeks: int) -> list[tuple[str, int]]:
    """(week, appearances) for each of the last `weeks` ISO weeks up to today, newest first,
    weeks without appearances included (the demo's closing summary)."""
    return rows(con, "recent_weeks", {"weeks": weeks})


def year_items(con, year: int, frozen: bool, lang: str = "es") -> list[dict]:
    """Every appearance of `year` (live, or the frozen snapshot), case names in `lang`: the lists
    behind each cell of the annual table, and its spreadsheet."""
    return records(con, "report_year_items", {"year": year, "frozen": frozen, "lang": lang})
