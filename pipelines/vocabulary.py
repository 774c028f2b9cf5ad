"""The project's vocabulary, its time zone and "today", defined once.

Every theme and reach the counting rules know (`../shared/spec/counting-rules.md`)
is listed here and nowhere else; the SQL views and the knowledge base use the same
codes. "Today" is Mexico City's date everywhere, so a report, a tally and a
scheduled flow agree on the morning of 1 January (UTC is already 2 January at
18:00 local time on 1 January).
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

TIMEZONE_NAME = "America/Mexico_City"
MEXICO_CITY = ZoneInfo(TIMEZONE_NAME)


class Theme(StrEnum):
    """What an appearance is about (counting rules, rule 3)."""
    LAND_TERRITORY = "land_territory"
    LABOUR = "labour"
    DEFENDERS = "defenders"
    INSTITUTIONAL = "institutional"


class Reach(StrEnum):
    """How far the outlet reaches (counting rules, rule 4); `unclassified` until a person decides."""
    LOCAL = "local"
    NATIONAL = "national"
    INTERNATIONAL = "international"
    UNCLASSIFIED = "unclassified"


THEMES: tuple[str, ...] = tuple(t.value for t in Theme)
PROCESS_THEMES: tuple[str, ...] = (Theme.LAND_TERRITORY, Theme.LABOUR, Theme.DEFENDERS)
REACHES: tuple[str, ...] = tuple(r.value for r in Reach)
CLASSIFIED_REACHES: tuple[str, ...] = tuple(r.value for r in Reach if r is not Reach.UNCLASSIFIED)

# What people read for each code, in Spanish (Mexico) and English: the tally, the reports and
# the review desk all print these names, so they are defined here with the codes.
THEME_NAMES: dict[str, dict[str, str]] = {
    Theme.LAND_TERRITORY: {"es": "Tierra y territorio", "en": "Land and territory"},
    Theme.LABOUR: {"es": "Derechos humanos laborales", "en": "Labour rights"},
    Theme.DEFENDERS: {"es": "Derecho a defender derechos", "en": "Right to defend rights"},
    Theme.INSTITUTIONAL: {"es": "Institucional", "en": "Institutional"},
}
REACH_NAMES: dict[str, dict[str, str]] = {
    Reach.LOCAL: {"es": "Local", "en": "Local"},
    Reach.NATIONAL: {"es": "Nacional", "en": "National"},
    Reach.INTERNATIONAL: {"es": "Internacional", "en": "International"},
    Reach.UNCLASSIFIED: {"es": "Sin clasificar", "en": "Unclassified"},
    "total": {"es": "Total", "en": "Total"},
}

# What each mention reason code (nlp/reasons.py: ReasonCode, stored in mentions.reason_code)
# means, in Spanish. Shown for mentions stored before the tagger wrote its reasons in Spanish
# (`mentions.reason_es` NULL until a retag) instead of the English text: a Spanish page shows
# no English.
REASON_CODE_NAMES_ES: dict[str, str] = {
    "unambiguous_name": "nombre inequívoco",
    "name_variant": "otra forma de escribir el nombre",
    "acronym": "sigla (mayúsculas exactas)",
    "byline": "firma el artículo",
    "same_entity": "la nota también lo nombra sin ambigüedad",
    "context": "la nota trata del caso (palabras de contexto)",
    "lookalike_name": "homónimo: otra organización o persona con nombre parecido",
    "other_person": "homónimo: otra persona con el mismo apellido",
    "missing_required": "falta el contexto necesario",
    "common_word": "palabra común sola, no un nombre",
    "lookalike_context": "homónimo: la nota trata de otro tema",
    "insufficient_context": "no hay suficiente contexto para saber si la nota trata del caso",
    "passing_mention": "solo se menciona de paso",
    "not_main_text": "el nombre está fuera del texto principal",
}


def reason_es(text_es: str | None, code: str | None) -> str:
    """The Spanish reason of a stored mention: its own Spanish text, else what its code means,
    else "sin motivo registrado" — never the English text."""
    return text_es or REASON_CODE_NAMES_ES.get(code or "", "sin motivo registrado")


def now_mexico() -> datetime:
    """The current moment in Mexico City, with its zone."""
    return datetime.now(MEXICO_CITY)


def today_mexico() -> date:
    """Today's date in Mexico City: the only "today" the project uses."""
    return now_mexico().date()


def last_year() -> int:
    """The default year of a tally: the year before Mexico City's current one."""
    return today_mexico().year - 1
