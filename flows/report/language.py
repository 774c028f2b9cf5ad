"""The words of the reports, in Spanish (default) and English, and numbers and dates written
for people. The words themselves are data: `messages/es.yaml` and `messages/en.yaml`.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from pipelines.vocabulary import REACH_NAMES, REACHES, THEME_NAMES, THEMES
from flows.report.weeks import ReportError

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
