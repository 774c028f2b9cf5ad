"""A byline as analysts need it: the people who signed, apart from the desk or agency credit.

What a page gives as its author is rarely a clean name. The extractor returns what the page
says, glued together: "Camille Dorval Mexico; Correspondance" (a name, a dateline and a credit),
"Por Alberto Mejía | 12 de noviembre de 2026 10:00" (a visible byline with its date),
"Redacción NVI", "Daniela Ortega / AFP". Counting who writes about ProDESC needs the names;
counting wire copies needs the credits; neither should be mistaken for the other. The raw text
stays what it was (`articles.author`, which the tagger also reads for signed columns: it is
never rewritten here); `parse_byline` only derives `author_names` and `desk_byline` from it.

Pure functions on strings (no lxml, no extractor): the warehouse may use them too.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words that make a part of a byline a desk or agency credit, not a person (compared without
# accents or case). "Correspondance" (French: from our correspondent), "Rédaction"...
DESK_WORDS = frozenset({
    "redaccion", "redaction", "staff", "agencia", "agencias", "agences", "agence", "newsroom", "editorial",
    "corresponsal", "corresponsales", "correspondance", "correspondant", "correspondent", "correspondents",
    "afp", "efe", "ap", "reuters", "notimex", "dpa", "ansa", "xinhua", "apro", "cuartoscuro", "europa press",
    "associated press", "bloomberg", "digital", "wires", "news", "noticias", "diario", "online", "presse",
    "press", "redaktion", "agentur", "sport", "deportes", "business",
})
# Agencies, which follow a reporter's name in the same part ("JILL LAWLESS Associated Press").
AGENCIES = frozenset({"afp", "efe", "ap", "reuters", "notimex", "dpa", "ansa", "xinhua", "apro", "europa press",
                      "associated press", "bloomberg"})
# Not a byline at all (a CMS's placeholder or the site's address).
NOT_NAMES = frozenset({"no author", "username", "anonimo", "anonymous", "admin", "administrador", "www", "com"})
# A dateline glued after a name ("Camille Dorval Mexico") or given as its own part ("en Oaxaca"):
# where the piece was filed, never part of a name. Mexico's states and the cities bylines name.
PLACES = frozenset({
    "mexico", "ciudad de mexico", "cdmx", "mexico city", "df", "aguascalientes", "baja california",
    "baja california sur", "campeche", "chiapas", "chihuahua", "coahuila", "colima", "durango",
    "estado de mexico", "guanajuato", "guerrero", "hidalgo", "jalisco", "michoacan", "morelos", "nayarit",
    "nuevo leon", "oaxaca", "puebla", "queretaro", "quintana roo", "san luis potosi", "sinaloa", "sonora",
    "tabasco", "tamaulipas", "tlaxcala", "veracruz", "yucatan", "zacatecas", "merida", "ciudad juarez",
    "juarez", "monterrey", "guadalajara", "tijuana", "culiacan", "los mochis", "topolobampo", "paris",
    "madrid", "washington", "nueva york", "new york", "londres", "london", "bruselas", "brussels", "ginebra",
    "geneva", "bogota", "lima", "santiago", "buenos aires", "berlin", "roma", "rome", "hamburg", "germany",
    "alemania", "france", "francia", "spain", "espana", "estados unidos", "united states", "usa",
})
# Places that are surnames too ("Leticia Ramírez Guerrero"): dropped only as a part of their own
# ("en Guerrero"), never from the end of a name.
SURNAME_PLACES = frozenset({"guerrero", "hidalgo", "juarez", "morelos", "colima", "durango", "sonora", "campeche",
                            "puebla", "tabasco", "jalisco", "merida", "lima", "santiago", "roma", "paris",
                            "london", "madrid", "washington", "berlin", "rome", "geneva"})
_LEAD = re.compile(r"^\s*(?:(?:analysis|opinion|análisis|opinión|story|texto|text|escrito|written)\s+)?"
                   r"(?:por|by|par|from)\s*[:\-]?\s+", re.I)
_ROLE = re.compile(r"\b(?:enviad[oa]s? especial(?:es)?|special correspondent|envoy[ée]e? sp[ée]ciale?"
                   r"|(?:is an? )?(?:senior |staff |news )*(?:reporter|writer|editor(?:-at-large)?))\b.*$", re.I)
_SPLIT = re.compile(r"\s*(?:[;|/·•,]|\s[-–—]\s|\s(?:y|and|et|&)\s)\s*", re.I)   # not " e ": "Sarah E Needleman"
_ARTICLES = ("el ", "la ", "los ", "las ", "le ", "les ", "the ", "l'", "il ", "o ", "a ")   # a newspaper's name
_DATELINE_LEAD = re.compile(r"^(?:en|in|à|a|desde|from|depuis)\s+", re.I)
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "van", "von", "da", "di", "du", "le", "el", "dos",
                        "das", "der", "den", "ben", "bin", "al", "mc", "st"})
MAX_NAME_WORDS = 6


def fold(text: str) -> str:
    """Lower case without accents: how bylines are compared."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if unicodedata.category(c) != "Mn")


@dataclass(frozen=True)
class Byline:
    names: tuple[str, ...]          # the people who signed, in order, each once
    desk: str | None                # the desk or agency credit(s) as written, joined by ", "; None if none


def _is_desk(part: str, outlets: tuple[str, ...]) -> bool:
    folded = fold(part)
    if folded in DESK_WORDS or any(w in DESK_WORDS for w in re.split(r"[\s\-]+", folded)):
        return True
    if folded.startswith(_ARTICLES) or (part.isupper() and part.isalpha() and len(part) <= 5):
        return True      # "Le Monde", "El Espectador", "The Economist"; "CNN", "BBC": a newsroom signs
    if any(phrase in folded for phrase in DESK_WORDS if " " in phrase):
        return True
    # the outlet signing its own piece ("Desinformémonos", "La Jornada Maya", "Redacción NVI")
    return any(o and (folded == fold(o) or folded.startswith(fold(o) + " ")) for o in outlets)


def _trailing_credit(part: str) -> tuple[str, str | None]:
    """A name followed by its agency in one part: ("Jill Lawless", "Associated Press")."""
    words = part.split()
    for size in (2, 1):
        tail = fold(" ".join(words[-size:]))
        if len(words) - size >= 2 and tail in AGENCIES:
            return " ".join(words[:-size]), " ".join(words[-size:])
    return part, None


def _strip_place(words: list[str]) -> list[str]:
    """Drop a dateline glued at the end of a name: "Camille Dorval Mexico" -> Camille Dorval."""
    for size in (3, 2, 1):
        place = fold(" ".join(words[-size:]))
        if len(words) - size >= 2 and place in PLACES and place not in SURNAME_PLACES:
            return words[:-size]
    return words


def _as_name(part: str) -> str | None:
    """The part as a person's name, or None when it is not one (a date, a place, a sentence)."""
    part = _ROLE.sub("", _LEAD.sub("", part)).strip(" .:-–—\t\n")
    if not part or any(ch.isdigit() for ch in part) or "@" in part or "http" in part.lower():
        return None
    if fold(_DATELINE_LEAD.sub("", part)) in PLACES:
        return None
    if fold(part) in NOT_NAMES or any(fold(w) in NOT_NAMES for w in part.split()):
        return None
    words = _strip_place(part.split())
    if not 1 < len(words) <= MAX_NAME_WORDS and not (len(words) == 1 and len(words[0]) > 2 and words[0][0].isupper()):
        return None
    if not words[0][:1].isupper():
        return None
    if any(not w[:1].isupper() and fold(w) not in _PARTICLES for w in words):
        return None      # "parte de la UABJO": a sentence, not a byline
    name = " ".join(words)
    if name.isupper() and len(name) > 3:
        name = name.title()
    return name


def parse_byline(raw: str | None, outlets: tuple[str, ...] | list[str] = ()) -> Byline:
    """Split a raw byline into names and the desk credit. `outlets`: names of the outlet that
    published it (its own name as a byline is a desk credit, not a person)."""
    if not raw or not raw.strip():
        return Byline((), None)
    text = " ".join(raw.split())
    names: list[str] = []
    desks: list[str] = []
    for part in _SPLIT.split(_LEAD.sub("", text)):
        part = part.strip()
        if not part:
            continue
        role_less = _ROLE.sub("", part).strip()
        if role_less != part and len(role_less.split()) < 2:    # "Guardian staff reporter": a newsroom
            desks.append(part)
            continue
        person, credit = _trailing_credit(role_less)
        part = role_less
        if credit:                      # "JILL LAWLESS Associated Press": a name, then the agency
            desks.append(credit)
            part = person
        elif _is_desk(part, tuple(outlets)):
            desks.append(_LEAD.sub("", part).strip())
            continue
        name = _as_name(part)
        if name and name not in names:
            names.append(name)
    return Byline(tuple(names), ", ".join(dict.fromkeys(desks)) or None)
