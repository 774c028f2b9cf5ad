"""Offline language identification and the per-language pipelines."""
from __future__ import annotations

import pytest

from nlp.language import identify
from nlp.pipelines import get_pipeline
from nlp.textnorm import fold


@pytest.mark.parametrize("title,text,lang", [
    ("Ejidatarios piden amparo", "Los ejidatarios mayas presentaron una demanda ante el juez.", "es"),
    ("Workers organise", "Sex workers in Mexico City are organising to demand labour rights.", "en"),
    ("Les paysans contestent", "Les paysans de la région contestent un parc solaire construit sur leurs terres.", "fr"),
    ("Trabalhadores", "Os trabalhadores rurais denunciaram as condições de trabalho nas fazendas.", "pt"),
    ("Chaleur : un nouvel épisode", "", "fr"),
])
def test_identify(title, text, lang):
    assert identify(title, text) == lang


def test_identify_empty_defaults_to_spanish():
    assert identify("", "") == "es"


def test_tagger_reports_identified_language():
    from nlp.tagger import Tagger
    t = Tagger.load()
    assert t.tag("Un nouveau rapport", "Le rapport de ProDESC a été publié cette semaine à Paris.").language == "fr"
    assert t.tag("x", "y", language="en").language == "en"


def test_fold():
    assert fold("Mítikah") == "mitikah"
    assert fold("UNIÓN Hidalgo") == "union hidalgo"
    assert fold("Chichén Itzá") == "chichen itza"


def test_pipeline_norm_lemma_and_glued_tokens():
    nlp = get_pipeline("es")
    assert get_pipeline("es") is nlp                      # built once, cached
    doc = nlp("Los Ejidos de Unión Hidalgo, @ProDESC_AC y EDF-Unión.")
    assert [t.norm_ for t in doc][:5] == ["los", "ejidos", "de", "union", "hidalgo"]
    assert doc[1].lemma_ == "ejido"
    texts = [t.text for t in doc]
    assert "ProDESC" in texts and "EDF" in texts and "Unión" in texts
    assert get_pipeline("xx") is get_pipeline("es")       # unknown language -> Spanish
