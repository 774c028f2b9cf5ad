"""The command line's words: `messages/<lang>.yaml`, Spanish (Mexico) by default.

The language is `--lang`, else the environment variable PRODESC_MONITOR_LANG (es or en;
`es_MX.UTF-8` and the like are read as es), else Spanish. Numbers are written as Mexico
writes them, in both languages: a decimal point (0.8) and a comma between thousands (1,234).
"""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from pipelines.errors import UserError

LANGS = ("es", "en")
LANG_ENV = "PRODESC_MONITOR_LANG"
MESSAGES = Path(__file__).parent / "messages"


def default_lang(choices: tuple[str, ...] = LANGS, fallback: str = "es") -> str:
    """PRODESC_MONITOR_LANG if set (its first two letters: es_MX.UTF-8 is es), else `fallback`."""
    value = os.environ.get(LANG_ENV, "").strip()
    if not value:
        return fallback
    lang = value[:2].lower()
    if lang not in choices:
        raise UserError(f"La variable {LANG_ENV} vale «{value}», que no es un idioma del monitor: use "
                        f"{' o '.join(choices)} (o bórrela para usar español).")
    return lang


def artifact_lang() -> str:
    """The language of what a scheduled run writes for people (its summary): the configured one,
    Spanish if PRODESC_MONITOR_LANG is not a language (a run does not fail over its words)."""
    try:
        return default_lang()
    except UserError:
        return "es"


@cache
def messages(lang: str) -> dict:
    """Everything `messages/<lang>.yaml` holds (read once per process)."""
    import yaml

    if lang not in LANGS:
        lang = "es"
    return yaml.safe_load((MESSAGES / f"{lang}.yaml").read_text(encoding="utf-8"))


def number(n: float) -> str:
    """1,234 and 0.8: Mexico's way (comma between thousands, decimal point), in both languages."""
    if n == int(n):
        return f"{int(n):,}"
    return f"{n:,.2f}".rstrip("0").rstrip(".")


def counted(text: str | list[str], n: int) -> str:
    """`["{n} nota", "{n} notas"]` with n filled in, singular for 1."""
    if isinstance(text, list):
        text = text[0] if n == 1 else text[1]
    return text.format(n=number(n))


class Words:
    """`words = Words(lang)`; `words("saved", db=...)`, `words.n("articles", 3)`, `words["columns"]`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "es"
        self.text = messages(self.lang)

    def __getitem__(self, key: str):
        return self.text[key]

    def __call__(self, key: str, **values) -> str:
        return self.text[key].format(**values)

    def n(self, key: str, n: int) -> str:
        return counted(self.text[key], n)
