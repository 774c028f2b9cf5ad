"""Links to other articles that sit inside an article's body, dropped from its text.

Outlets break their articles with lines such as "Le puede interesar: <another headline>",
"NOTAS RELACIONADAS" followed by headlines, or "Síguenos en Telegram". trafilatura keeps
them (they are paragraphs of the body), but they are not the article: the counting rules
(§1) leave "related news" out, so an unrelated article whose teaser links a ProDESC story
must not be an appearance. On the 168 real pages of ../shared/realdata they were about
half of the "without" snippets our extraction kept (docs/performance.md, section 7).

The phrases are data the team can extend (`teasers.yaml`, in Spanish); this module only
reads the lines' shape: a phrase, a separator and a short headline; a phrase alone as a
heading, with the short headlines under it; a short promotion. A paragraph of prose that
merely starts with such a word ("Mira, no vamos a…") has no separator and stays.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

from pipelines.authors import fold
from pipelines.datafiles import read_utf8
from pipelines.errors import ConfigError

MAX_TEASER_WORDS = 30     # "Lee también: <headline>": a headline, never a paragraph of the article
MAX_PROMO_WORDS = 40      # "Síguenos en Telegram, Instagram…"
MAX_ITEM_WORDS = 20       # a headline (or its date) listed under "Notas relacionadas"
MAX_ITEMS = 10            # how many of them, at most, one heading takes with it
# what may stand before the phrase ("► Lee también", "- Mira:") and between it and the headline
_LEAD = r"^[^\w¿¡]*"
# (a dash only with spaces around it: "Mira -dijo el alcalde- no…" is prose)
_SEPARATOR = r"(?:\s*(?:[:|»>]|\.\.\.|…)|\s+[-–—](?=\s))+\s*"


_ACCENTED = {"a": "[aáàâäã]", "e": "[eéèêë]", "i": "[iíìîï]", "o": "[oóòôöõ]", "u": "[uúùûü]", "n": "[nñ]",
             "c": "[cç]"}


def _with_accents(pattern: str) -> str:
    """A folded pattern that also matches its letters accented (the escapes are ASCII, untouched:
    no letter of a regex escape such as `\\s` is one of these vowels)."""
    return "".join(_ACCENTED.get(c, c) for c in pattern)


class _Phrases:
    """The data file's phrases as patterns on folded lines (accents and capitals do not count), and
    one on the whole casefolded text that says whether any line may hold one."""

    def __init__(self, teasers: list[str], promos: list[str]):
        def alternatives(phrases: list[str]) -> str:
            # longest first, so "lee también" is tried before a shorter phrase it starts with
            folded = sorted({" ".join(fold(p).split()) for p in phrases if p and p.strip()}, key=len, reverse=True)
            # an empty list matches nothing (an empty alternative would match every line)
            return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in folded) or "(?!)"

        teaser, promo = alternatives(teasers), alternatives(promos)
        # the same phrases with their accents allowed back, read on the casefolded text in one
        # search: most articles have no such line and never pay for folding every line
        self.any_line = re.compile(rf"(?m)^[^\w¿¡\n]*(?:{_with_accents(teaser)}|{_with_accents(promo)})")
        self.teaser = re.compile(rf"{_LEAD}(?:{teaser}){_SEPARATOR}(?P<rest>\S.*)$")
        self.heading = re.compile(rf"{_LEAD}(?:{teaser})\s*(?:[:.…]+)?\s*$")
        self.promo = re.compile(rf"{_LEAD}(?:{promo})\b")


PHRASES_FILE = files("pipelines").joinpath("teasers.yaml")
_KEYS = ("avances", "anuncios")   # teasers, promotions


@lru_cache(maxsize=1)
def phrases() -> _Phrases:
    """The phrases of `teasers.yaml`, read once per process. A file the team broke is a
    `ConfigError` naming it: `flows.steps` reads it before loading anything, so a bad edit
    stops the load with one line instead of failing every page's extraction."""
    return read_phrases(PHRASES_FILE)


def read_phrases(path) -> _Phrases:
    """The phrases of the file at `path` (teasers.yaml, or a test's), checked."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    _, text = read_utf8(path, "la lista de frases de avances", ConfigError)
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: no es YAML válido; revise la sangría y los guiones de esa línea") from None
    if not isinstance(data, dict) or set(data) - set(_KEYS):
        raise ConfigError(f"{path}: debe tener solo las listas {' y '.join(_KEYS)}")
    lists = {}
    for key in _KEYS:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
            raise ConfigError(f"{path}: «{key}» debe ser una lista de frases, una por línea después de un guion")
        lists[key] = value
    return _Phrases(lists["avances"], lists["anuncios"])


def _headline_like(folded: str) -> bool:
    words = len(folded.split())
    return 0 < words <= MAX_ITEM_WORDS and not folded.endswith(".")   # `folded` has no outer spaces


def without_teasers(text: str) -> str:
    """`text` without its teaser, related-headline and promotion lines (the same object when none)."""
    found = phrases()
    if not found.any_line.search(text.casefold()):
        return text
    lines = text.split("\n")
    kept: list[str] = []
    items_left = 0   # headlines still to drop under a "Notas relacionadas" heading
    for line in lines:
        folded = " ".join(fold(line).split())
        if items_left:
            if _headline_like(folded):
                items_left -= 1
                continue
            items_left = 0
        if not folded:
            kept.append(line)
            continue
        teaser = found.teaser.match(folded)
        if teaser and len(teaser.group("rest").split()) <= MAX_TEASER_WORDS:
            continue
        if found.heading.match(folded):
            items_left = MAX_ITEMS
            continue
        if found.promo.match(folded) and len(folded.split()) <= MAX_PROMO_WORDS:
            continue
        kept.append(line)
    return text if len(kept) == len(lines) else "\n".join(kept).strip()
