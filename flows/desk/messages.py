"""The desk's words: flows/desk/messages/<lang>.yaml (Spanish, with Mexican conventions, is the
default; English with `--lang en`), on top of the report's labels (theme and reach names)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

MESSAGES = Path(__file__).parent / "messages"
DEFAULT_LANG = "es"


@lru_cache(maxsize=None)
def _desk_messages(lang: str) -> dict:
    return yaml.safe_load((MESSAGES / f"{lang}.yaml").read_text(encoding="utf-8"))


def desk_text(lang: str = DEFAULT_LANG) -> dict:
    """Every text a desk page shows in `lang`: the report's labels, then the desk's own
    messages (which win where a key is in both). A fresh dict: callers may add to it."""
    from flows.report import labels

    return {**labels(lang), **_desk_messages(lang)}   # labels() refuses a language we do not write
