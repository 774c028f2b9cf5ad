"""The words of the reports, in Spanish (default) and English, and numbers and dates written
for people. The words themselves are data: `messages/es.yaml` and `messages/en.yaml`.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path

from pipelines.vocabulary import MEXICO_CITY, REACH_NAMES, REACHES, THEME_NAMES, THEMES
from flows.report.weeks import ReportError, parse_week

MESSAGES = Path(__file__).parent / "messages"
LANGS = ("es", "en")


@cache
def messages(lang: str) -> dict:
    """Everything `messages/<lang>.yaml` holds (read once per process)."""
    import yaml

    if lang not in LANGS:
        raise ReportError(f"language '{lang}': use es or en")
    return yaml.safe_load((MESSAGES / f"{lang}.yaml").read_text(encoding="utf-8"))


def labels(lang: str) -> dict:
    """The report's words in one language: key -> text, plus "themes" and "reaches" (code -> name,
    from pipelines.vocabulary, the names the tally prints too)."""
    text = messages(lang)
    return {**{k: v for k, v in text.items() if k != "months"},
            "themes": {t: THEME_NAMES[t][lang] for t in THEMES},
            "reaches": {r: REACH_NAMES[r][lang] for r in (*REACHES, "total")}}


def format_date(day, lang: str) -> str:
    if day is None:
        return ""
    months = messages(lang)["months"]
    if isinstance(day, datetime):
        return f"{day.day} {months[day.month - 1]} {day.year}, {day:%H:%M}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


def format_span(start: date, end: date, lang: str) -> str:
    """Two days as people write a range: '16–22 nov 2026', '30 nov–6 dic 2026',
    '29 dic 2025–4 ene 2026' (the year and month said once when they are shared)."""
    months = messages(lang)["months"]
    if start.year != end.year:
        return f"{format_date(start, lang)}–{format_date(end, lang)}"
    if start.month != end.month:
        return f"{start.day} {months[start.month - 1]}–{end.day} {months[end.month - 1]} {end.year}"
    return f"{start.day}–{end.day} {months[end.month - 1]} {end.year}"


def format_week(label: str, lang: str) -> str:
    """An ISO week ('2026-W47', the form of --week and of the files) as the team names it:
    'semana 47 (16–22 nov 2026)' / 'week 47 (16–22 Nov 2026)'."""
    monday, sunday = parse_week(label)
    return messages(lang)["week_label"].format(n=monday.isocalendar()[1], span=format_span(monday, sunday, lang))


def format_moment(moment: datetime | None, lang: str) -> str:
    """A moment in Mexico City time with its zone, whatever zone it was stored or taken in:
    '3 dic 2026 a las 02:28 (hora de la Ciudad de México)'. A naive datetime is taken as
    already in Mexico City time (the warehouse's session time zone)."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(MEXICO_CITY)
    return messages(lang)["moment"].format(day=format_date(moment.date(), lang), time=f"{moment:%H:%M}")


def format_number(x: float, lang: str) -> str:
    """One decimal at most, written with a decimal point in both languages: Mexico writes
    2.5 and 1,234 (the comma separates thousands there, unlike in Spain)."""
    if x == int(x):
        return f"{int(x):,}"
    return f"{x:,.1f}".rstrip("0").rstrip(".")


def format_change(now: float, before: float, lang: str) -> str:
    diff = now - before
    if abs(diff) < 1e-9:
        return "="
    return ("+" if diff > 0 else "−") + format_number(abs(diff), lang)
