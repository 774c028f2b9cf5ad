"""Name variants by rule, bare common words, reason codes and the learned model.

The texts are invented for the tests (no press excerpt is copied here)."""
from __future__ import annotations

import json

import pytest

from nlp.features import feature_names
from nlp.kb import load_kb
from nlp.model import Model, ModelError, load_model
from nlp.reasons import ACCEPTED_CODES, ReasonCode
from nlp.tagger import Tagger
from nlp.variants import content_stems, stem


@pytest.fixture(scope="module")
def tagger():
    return Tagger.load(use_model=False)


def _accepted(result, entity):
    return [m for m in result.mentions if m.entity_id == entity and m.accepted]


def test_stems_fold_gender_number_and_demonyms():
    assert stem("Trabajadoras") == stem("trabajadores") == stem("Trabajadorxs") == stem("trabajador@s")
    assert stem("Sinaloenses") == stem("Sinaloa")
    assert content_stems("Coordinadora Nacional de Defensoras de los Derechos") == \
        content_stems("Coordinadora Nacional de Defensoras de Derechos")


@pytest.mark.parametrize("written", [
    "la Coordinadora Nacional de Defensoras de los Derechos Humanos Laborales",        # articles added
    "la Coalición de Trabajadoras y Trabajadores Temporales Sinaloenses",                # inclusive, demonym
    "la Coalición de Trabajadores Migrantes Temporales Sinaloenses",
    "el colectivo Conductores y Conductoras por Juárez",
    "la Coalición Laboral, Puteril",                                                     # a comma inside
])
def test_names_written_otherwise_are_found(tagger, written):
    r = tagger.tag("Nota", f"Integrantes de {written} presentaron un informe este martes.", language="es")
    assert r.is_appearance, [m.reason for m in r.mentions]
    codes = {m.code for m in r.mentions if m.accepted}
    assert codes <= {c.value for c in ACCEPTED_CODES}


def test_a_variant_keeps_the_distinctive_and_last_words(tagger):
    # the generic words of a name without its place are not the name
    r = tagger.tag("Nota", "La Asamblea Ciudadana del Pueblo se reunió en la plaza principal de Tlalpan.",
                   language="es")
    assert not _accepted(r, "xoco")
    # an English name with another kind of body at the end is another body
    r = tagger.tag("Note", "The Economic, Social and Cultural Rights Group met in Madrid.", language="en")
    assert not _accepted(r, "prodesc")


def test_a_bare_common_word_is_never_a_name_alone(tagger):
    r = tagger.tag("Nota", "La coalición de partidos presentó su plataforma; la coalición habló de trabajo sexual "
                   "y de las trabajadoras sexuales en campaña.", language="es")
    assert not r.is_appearance
    assert any(m.code == ReasonCode.COMMON_WORD.value for m in r.mentions)


def test_every_mention_has_a_code_and_a_spanish_reason(tagger):
    r = tagger.tag("Chichén Itzá recibe turistas", "Miles de turistas visitaron Chichén Itzá en el equinoccio; "
                   "los hoteles reportaron ocupación hotelera récord.", language="es")
    assert r.mentions and not r.is_appearance
    for m in r.mentions:
        assert ReasonCode(m.code) and m.reason and m.reason_es
        assert m.code == ReasonCode.LOOKALIKE_CONTEXT.value
        assert "homónimo: turismo" in m.reason_es
        # plain words for the team: no "score", no "<" comparison; a minus sign for a negative score
        assert "score" not in m.reason_es and "<" not in m.reason_es and "necesita 2" in m.reason_es


def test_every_reason_code_has_a_spanish_meaning():
    """Mentions stored before reason_es existed show what their code means, never English."""
    from pipelines.vocabulary import REASON_CODE_NAMES_ES, reason_es
    assert set(REASON_CODE_NAMES_ES) == {c.value for c in ReasonCode}
    assert reason_es(None, "lookalike_context") == "homónimo: la nota trata de otro tema"
    assert reason_es("contexto: amparo", "context") == "contexto: amparo"
    assert reason_es(None, None) == "sin motivo registrado"


def test_candidates_carry_the_features_the_model_reads():
    tagger = Tagger(load_kb(), None, features=True)   # what `train` uses; tagging alone skips them
    assert not Tagger(load_kb(), None).tag("Xoco", "Vecinos de Xoco y Mítikah.", language="es").candidates
    r = tagger.tag("Vecinos de Xoco protestan contra Mítikah",
                   "Vecinos del pueblo de Xoco clausuraron de forma simbólica la plaza Mítikah; un juez "
                   "concedió un amparo.", language="es")
    [cand] = [c for c in r.candidates if c.entity_id == "xoco"]
    feats = cand.as_dict(tagger.features)
    assert feats["in_title"] == 1.0 and feats["distinct_names"] == 2.0
    assert feats["vocab_legal"] > 0 and feats["vocab_organising"] > 0


def _model(kb, coef_by_name: dict, intercept: float = 0.0) -> Model:
    names = feature_names(kb)
    return Model(names, tuple(0.0 for _ in names), tuple(1.0 for _ in names),
                 tuple(coef_by_name.get(n, 0.0) for n in names), intercept, {"version": "test"})


def test_the_model_decides_the_borderline_and_says_so():
    kb = load_kb()
    text = ("Vecinos del pueblo de Xoco clausuraron la plaza Mítikah; denuncian despojo ante un juez.")
    rules = Tagger(kb, None).tag("Xoco contra Mítikah", text, language="es")
    yes = Tagger(kb, _model(kb, {}, intercept=5.0)).tag("Xoco contra Mítikah", text, language="es")
    no = Tagger(kb, _model(kb, {}, intercept=-5.0)).tag("Xoco contra Mítikah", text, language="es")
    assert yes.is_appearance and not no.is_appearance
    assert all("modelo" in m.reason_es for m in yes.mentions if m.entity_id == "xoco")
    # unambiguous names are the rules' alone, whatever the model says
    named = Tagger(kb, _model(kb, {}, intercept=-5.0)).tag(
        "Nota", "La Asamblea Ciudadana del Pueblo de Xoco y Mítikah.", language="es")
    assert named.is_appearance
    assert rules.mentions   # the rules still give their evidence


def test_model_file_round_trip_and_refusal(tmp_path):
    kb = load_kb()
    m = _model(kb, {"in_title": 1.5}, intercept=-0.5)
    path = tmp_path / "model.json"
    m.save(path)
    again = load_model(path, feature_names(kb))
    assert again == m
    data = json.loads(path.read_text())
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="train"):
        load_model(path, feature_names(kb))
    assert load_model(tmp_path / "absent.json", feature_names(kb)) is None
