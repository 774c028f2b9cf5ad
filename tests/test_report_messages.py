"""The reports' words are data (flows/report/messages/*.yaml): every language has every key,
placeholders match, and theme and reach names agree with what `tally` prints."""
from __future__ import annotations

import re

import pytest


def test_every_language_has_the_same_keys_and_placeholders():
    from flows.report.language import LANGS, messages

    es = messages("es")
    for lang in LANGS:
        text = messages(lang)
        assert set(text) == set(es), lang
        assert set(text["themes"]) == set(es["themes"]) and set(text["reaches"]) == set(es["reaches"]), lang
        assert len(text["months"]) == 12, lang
        for key, value in text.items():
            if isinstance(value, str):
                assert set(re.findall(r"\{(\w+)\}", value)) == set(re.findall(r"\{(\w+)\}", es[key])), (lang, key)


def test_theme_and_reach_names_agree_with_the_tally():
    """warehouse/tally.py cannot read flows/ (layers run one way), so it keeps its own copy."""
    from flows.report.language import LANGS, labels
    from warehouse.tally import REACH_LABELS, THEME_LABELS

    for lang in LANGS:
        text = labels(lang)
        assert text["themes"] == {t: names[lang] for t, names in THEME_LABELS.items()}
        assert text["reaches"] == {r: names[lang] for r, names in REACH_LABELS.items()}


def test_an_unknown_language_is_explained():
    from flows.report import ReportError, labels

    with pytest.raises(ReportError, match="use es or en"):
        labels("fr")
