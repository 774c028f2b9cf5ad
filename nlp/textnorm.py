"""Folding text for matching: lower-case with accents stripped.

Journalists and readers write "Unión Hidalgo" and "Union Hidalgo",
"Mítikah" and "Mitikah", "Chichén Itzá" and "Chichen Itza"; matching on the
folded form makes all of them one name. The fold is cached because the same
words recur across thousands of articles.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

# Characters that NFD does not decompose but that writers use as variants.
EXTRA_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
                        "’": "'", "‘": "'", "´": "'", "`": "'"})


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics ("Mítikah" -> "mitikah")."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(EXTRA_FOLDS)
