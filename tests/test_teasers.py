"""In-body teasers ("Le puede interesar: <another headline>") are not the article (counting rules §1).

The fixtures are invented; the real pages' figures are in tests/reliability/test_hostile_realdata.py.
"""
from __future__ import annotations

import pytest

from pipelines.extract import extract_article
from pipelines.records import Skip
from pipelines.teasers import MAX_ITEMS, MAX_TEASER_WORDS, without_teasers
from tests.test_extract import fetched

PROSE = "El cabildo aprobó el presupuesto de obras para las colonias del oriente de la ciudad."


@pytest.mark.parametrize("teaser", [
    "Lee también: Comuneros presentan amparo contra parque eólico",
    "LE PUEDE INTERESAR: La ficha del exgobernador en la corte de Nueva York",
    "(Le puede interesar: Buscan responsables de bus quemado)",
    "► Te recomendamos | Cinco museos para visitar en diciembre",
    "MIRA: Madre se acerca a conocer los motivos de la captura de su hijo",
    "Vea también… La feria del libro abre sus puertas",
    "Noticia relacionada - El mercado municipal cambia de horario",
    "Read more: Looted colonial art: Germany to set up new contact office",
    "Lire aussi : Les critiques de la CNIL contre le projet de loi",
    "Síguenos en Telegram, Instagram, Facebook y X",
    "Escucha esta nota aquí",
    "HAZTE MIEMBRO Y DISFRUTA DE BENEFICIOS EXCLUSIVOS",
])
def test_a_teaser_line_is_dropped_and_the_prose_stays(teaser):
    assert without_teasers(f"{PROSE}\n{teaser}\n{PROSE}") == f"{PROSE}\n{PROSE}"


@pytest.mark.parametrize("prose", [
    "Mira, no vamos a permitir que se construya sin consulta, dijo la representante de la asamblea.",
    "Mira -dijo el comisario ejidal- aquí nadie firmó nada.",
    "Temas como el agua y la tierra dominaron la asamblea comunitaria de este domingo.",
    "Relacionado con el juicio agrario, el tribunal fijó audiencia para el 12 de enero.",
    # a whole paragraph after the phrase is the article's own text, not a headline
    "Lee también: " + " ".join(["la resolución del tribunal ordena consultar a la comunidad"] * 4) + ".",
])
def test_prose_that_starts_like_a_teaser_stays(prose):
    text = f"{PROSE}\n{prose}"
    assert without_teasers(text) is text


def test_a_teaser_longer_than_a_headline_stays():
    long_headline = " ".join(["palabra"] * (MAX_TEASER_WORDS + 1))
    text = f"{PROSE}\nLee también: {long_headline}"
    assert without_teasers(text) is text
    assert without_teasers(f"{PROSE}\nLee también: {' '.join(['palabra'] * MAX_TEASER_WORDS)}") == PROSE


def test_a_related_heading_takes_its_headlines_with_it_until_the_prose_resumes():
    text = "\n".join([PROSE, "NOTAS RELACIONADAS", "Hackers piden rescate al gobierno",
                      "Jueves 21 abril, 2022", "Comuneros de Unión Hidalgo denuncian al parque eólico",
                      PROSE, "Una frase corta sin punto"])
    assert without_teasers(text) == "\n".join([PROSE, PROSE, "Una frase corta sin punto"])


def test_a_heading_takes_at_most_a_few_headlines():
    items = [f"Titular número {i}" for i in range(MAX_ITEMS + 2)]
    assert without_teasers("\n".join([PROSE, "Lee también…", *items])).split("\n") == [PROSE, *items[MAX_ITEMS:]]


@pytest.fixture(scope="module")
def tagger():
    from nlp.tagger import Tagger
    return Tagger.load()


PAGE = """<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2026-11-04T10:00:00-06:00">
</head><body><nav><a href="/">Inicio</a></nav><article><h1>{title}</h1>{body}</article></body></html>"""


def test_an_unrelated_article_whose_teaser_names_prodesc_is_not_an_appearance(registry, tagger):
    paragraphs = [f"<p>{PROSE} Los vecinos pidieron mejor alumbrado en las calles del centro ({k}).</p>" for k in range(6)]
    paragraphs.insert(3, '<p><b>Lee también: <a href="/nota/2">ProDESC acompaña a comuneros de Unión Hidalgo '
                         'en su amparo</a></b></p>')
    html = PAGE.format(title="Aprueban obras para el oriente de Mérida", body="".join(paragraphs))
    article = extract_article(fetched(html.encode()), registry)
    assert not isinstance(article, Skip)
    assert "ProDESC" not in article.text and article.text.count(PROSE) == 6
    assert not tagger.tag(article.title, article.text, author=article.author).is_appearance

    # the same sentence as the article's own text is an appearance
    paragraphs[3] = "<p>ProDESC acompaña a comuneros de Unión Hidalgo en su amparo contra el parque eólico.</p>"
    html = PAGE.format(title="Aprueban obras para el oriente de Mérida", body="".join(paragraphs))
    article = extract_article(fetched(html.encode()), registry)
    assert tagger.tag(article.title, article.text, author=article.author).is_appearance


@pytest.mark.parametrize("content, says", [
    ("avances: [lee también\n", "teasers.yaml:2: no es YAML válido"),
    ("avances:\n  - lee también\notra: []\n", "debe tener solo las listas avances y anuncios"),
    ("avances: lee también\n", "«avances» debe ser una lista de frases"),
    ("avances:\n  - lee también\nanuncios:\n  - 3\n", "«anuncios» debe ser una lista de frases"),
])
def test_a_broken_phrase_file_is_one_line_naming_it(tmp_path, content, says):
    from pipelines.errors import ConfigError
    from pipelines.teasers import read_phrases

    (tmp_path / "teasers.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_phrases(tmp_path / "teasers.yaml")
    assert says in str(error.value) and "\n" not in str(error.value)


def test_an_empty_list_drops_nothing(tmp_path):
    from pipelines.teasers import read_phrases

    (tmp_path / "teasers.yaml").write_text("avances:\n  - lee también\nanuncios: []\n", encoding="utf-8")
    found = read_phrases(tmp_path / "teasers.yaml")
    assert not found.promo.match("una línea corta") and found.teaser.match("lee tambien: un titular")   # it reads folded lines


def test_a_broken_phrase_file_stops_the_load_before_anything_is_read(tmp_path, monkeypatch, registry_file):
    import pipelines.teasers
    from flows.steps import load_staged
    from pipelines.errors import ConfigError

    broken = tmp_path / "teasers.yaml"
    broken.write_text("avances: [lee también\n", encoding="utf-8")
    monkeypatch.setattr(pipelines.teasers, "PHRASES_FILE", broken)
    pipelines.teasers.phrases.cache_clear()
    try:
        with pytest.raises(ConfigError, match="teasers.yaml:2: no es YAML válido"):
            load_staged(tmp_path / "w.ducklake", registry_file, tagger=object())
        assert not list(tmp_path.glob("w.ducklake*"))   # stopped before the warehouse was opened
    finally:
        pipelines.teasers.phrases.cache_clear()   # the next test reads the real file again


def test_every_phrase_of_the_file_is_found_as_written_in_capitals_and_unaccented():
    from ruamel.yaml import YAML

    from pipelines.authors import fold
    from pipelines.teasers import PHRASES_FILE

    data = YAML(typ="safe").load(PHRASES_FILE.read_text(encoding="utf-8"))
    for phrase in data["avances"]:
        for written in (phrase, phrase.upper(), fold(phrase), phrase.capitalize()):
            assert without_teasers(f"{PROSE}\n{written}: Un titular de otra nota") == PROSE, written
            assert without_teasers(f"{PROSE}\n{written}\nUn titular de otra nota") == PROSE, written
    for phrase in data["anuncios"]:
        for written in (phrase, phrase.upper(), fold(phrase)):
            assert without_teasers(f"{PROSE}\n{written} Telegram y Facebook") == PROSE, written


def test_a_phrase_file_saved_in_another_encoding_names_the_line(tmp_path):
    from pipelines.errors import ConfigError
    from pipelines.teasers import read_phrases

    (tmp_path / "teasers.yaml").write_bytes("avances:\n  - lee también\n".encode("cp1252"))
    with pytest.raises(ConfigError, match=r"teasers\.yaml:2: el archivo debe guardarse con la codificación UTF-8"):
        read_phrases(tmp_path / "teasers.yaml")
