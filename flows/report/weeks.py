"""ISO weeks, as the reports name them ('2026-W47'), and the error for a wrong argument."""
from __future__ import annotations

import re
from datetime import date, timedelta

from pipelines.vocabulary import today_mexico

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class ReportError(ValueError):
    """A wrong argument, explained for the person who typed it."""


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
        today = today_mexico()
    return week_of(today - timedelta(days=today.isoweekday()))


def weeks_ending(label: str, n: int) -> list[str]:
    monday, _ = parse_week(label)
    return [week_of(monday - timedelta(weeks=i)) for i in range(n - 1, -1, -1)]
