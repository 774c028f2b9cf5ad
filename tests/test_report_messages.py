"""The reports' words are data (flows/report/messages/*.yaml): every language has every key,
placeholders match, and theme and reach names are the vocabulary's."""
from __future__ import annotations

import re

import pytest


def test_every_language_has_the_same_keys_and_placeholders():
    from flows.report.language import LANGS, messages

    es = messages("es")
    for lang in LANGS:
        text = messages(lang)
        assert set(text) == set(es), lang
        assert len(text["months"]) == 12, lang
        for key, value in text.items():
            if isinstance(value, str):
                assert set(re.findall(r"\{(\w+)\}", value)) == set(re.findall(r"\{(\w+)\}", es[key])), (lang, key)


def test_theme_and_reach_names_are_the_tallys():
    """One definition (pipelines.vocabulary): the report prints what `tally` prints."""
    from flows.report.language import LANGS, labels
    from pipelines.vocabulary import REACH_NAMES, THEME_NAMES

    for lang in LANGS:
        text = labels(lang)
        assert text["themes"] == {t: names[lang] for t, names in THEME_NAMES.items()}
        assert text["reaches"] == {r: names[lang] for r, names in REACH_NAMES.items()}


def test_an_unknown_language_is_explained():
    from flows.report import ReportError, labels

    with pytest.raises(ReportError, match="use es or en"):
        labels("fr")


def test_numbers_follow_mexican_conventions():
    """Mexico writes a decimal point and separates thousands with a comma (2.5; 1,234)."""
    from flows.report.language import format_number

    assert format_number(2.5, "es") == "2.5" and format_number(1234, "es") == "1,234"
    assert format_number(0.25, "es") == "0.2" and format_number(3.0, "en") == "3"


def test_the_evaluation_report_is_spanish_with_a_decimal_point():
    from flows.evaluate import format_report
    from warehouse.evaluation import Score

    score = Score(tp=3, fp=1, fn=1, theme_right=3, reach_right=3, date_right=2,
                  false_positives=[{"trap": "lookalike", "process": "bachoco", "url": "http://a.example/1"}],
                  false_negatives=[{"process": "xoco", "url": "http://a.example/2", "roles": None}],
                  tally_mismatches=["2023 labour local: 2 != 3"])
    text = format_report(score)
    assert text.splitlines()[0].startswith("Por artículo: precisión 0.750, exhaustividad 0.750")
    assert "(3 correctas, 1 contadas por error, 1 omitidas)" in text
    assert "1 × trampa=lookalike proceso=bachoco" in text and "Omitidas (por proceso):" in text
    assert "Conteos: 1 celda difiere de expected.json" in text
    for english in ("Article", "missed", "Counted", "Tallies", "right ones", "trap="):
        assert english not in text
