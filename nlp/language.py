"""Offline language identification with py3langid, restricted to our languages.

The monitored press writes in Spanish, English and French (Portuguese for
some Latin American outlets). Restricting the model to these languages makes
short texts such as headlines reliable; the result only picks the spaCy
pipeline (tokeniser exceptions, lemmatiser), so a rare mistake costs little.
"""
from __future__ import annotations

import threading

LANGUAGES = ("es", "en", "fr", "pt")
DEFAULT_LANGUAGE = "es"
_SAMPLE_CHARS = 800

_identifier = None
_lock = threading.Lock()


def _get_identifier():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier
                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                ident.set_languages(list(LANGUAGES))
                _identifier = ident
    return _identifier


def identify(title: str, text: str = "") -> str:
    """Return the ISO 639-1 code of the article (``es`` when there is no text)."""
    sample = f"{title or ''}\n{(text or '')[:_SAMPLE_CHARS]}".strip()
    if not sample:
        return DEFAULT_LANGUAGE
    lang, _prob = _get_identifier().classify(sample)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
