"""Mention tagger: names, acronyms, look-alikes, themes. Fixture texts are
invented for these tests (not taken from any corpus)."""
from __future__ import annotations

import pytest

from nlp.tagger import Mention, TagResult, Tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def accepted_ids(res: TagResult) -> set[str]:
    return {m.entity_id for m in res.mentions if m.accepted}


# --- ProDESC names, accents and case ---------------------------------------------

@pytest.mark.parametrize("text", [
    "La organización ProDESC presentó un informe.",
    "La organización PRODESC presentó un informe.",
    "La organización Prodesc presentó un informe.",
    "El Proyecto de Derechos Económicos, Sociales y Culturales presentó un informe.",
    "El proyecto de derechos economicos sociales y culturales presento un informe.",
    "Síguelos en @ProDESC_AC y en #ProDESC.",
    "Firmado por ProDESC-A.C. en la capital.",
    "Más información en prodesc.org.mx.",
])
def test_prodesc_names_any_case_accents_and_glued(tagger, text):
    res = tagger.tag("Informe anual", text, language="es")
    assert res.is_appearance
    assert res.theme == "institutional" and res.process is None
    assert "prodesc" in accepted_ids(res)


def test_prodesc_english_and_french_names(tagger):
    en = tagger.tag("Award", "The Economic, Social and Cultural Rights Project won an award.")
    fr = tagger.tag("Prix", "Le Projet des droits économiques, sociaux et culturels a reçu un prix.")
    assert en.language == "en" and en.is_appearance
    assert fr.language == "fr" and fr.is_appearance


def test_mention_offsets_snippet_and_field(tagger):
    title = "Premio para ProDESC"
    text = "Primera frase sin nombre. La abogada Alejandra Ancheita recibió el premio. Otra frase."
    res = tagger.tag(title, text, language="es")
    t = [m for m in res.mentions if m.field == "title"][0]
    assert title[t.start:t.end] == t.matched == "ProDESC"
    a = [m for m in res.mentions if m.entity_id == "ancheita"][0]
    assert a.field == "text" and text[a.start:a.end] == "Alejandra Ancheita"
    assert a.snippet == "La abogada Alejandra Ancheita recibió el premio."
    assert a.entity_kind == "person" and a.theme == "institutional" and a.accepted
    assert isinstance(a, Mention)


def test_no_mention_plain_article(tagger):
    res = tagger.tag("Llueve en la capital", "Se esperan lluvias fuertes durante la tarde.")
    assert not res.is_appearance and res.theme is None and res.process is None
    assert res.secondary_themes == ()


# --- the director -----------------------------------------------------------------

def test_full_name_counts_and_bare_surname_follows(tagger):
    res = tagger.tag("Entrevista", "Alejandra Ancheita habló del tema. Después, Ancheita insistió.",
                     language="es")
    anc = [m for m in res.mentions if m.entity_id == "ancheita"]
    assert len(anc) == 2 and all(m.accepted for m in anc)
    assert res.theme == "institutional"


def test_other_person_with_same_surname_is_rejected(tagger):
    res = tagger.tag("Mural en la colonia",
                     "El pintor Joaquín Ancheita terminó un mural. Ancheita dijo que volverá.",
                     language="es")
    assert not res.is_appearance
    assert any("other person" in m.reason for m in res.mentions)


def test_bare_surname_with_context_counts(tagger):
    res = tagger.tag("Premio", "La abogada Ancheita, fundadora de ProDESC, ganó el Martin Ennals.",
                     language="es")
    assert res.is_appearance and "ancheita" in accepted_ids(res)


def test_signed_column_counts_through_byline(tagger):
    res = tagger.tag("Sobre la justicia", "Una columna sobre el poder económico y la ley.",
                     language="es", author="Alejandra Ancheita")
    assert res.is_appearance and res.theme == "institutional"
    assert [m.field for m in res.mentions if m.accepted] == ["author"]
    assert not tagger.tag("Sobre la justicia", "Una columna sobre el poder económico.",
                          language="es", author="Juan Pérez").is_appearance


# --- look-alike organisations -----------------------------------------------------

@pytest.mark.parametrize("text,label", [
    ("El Centro Prodh ofreció un taller a familias.", "Centro Prodh"),
    ("La PROFEDET atendió quejas de trabajadores.", "PROFEDET"),
])
def test_other_organisations_are_not_prodesc(tagger, text, label):
    res = tagger.tag("Taller", text, language="es")
    assert not res.is_appearance
    assert any(not m.accepted and label in m.reason for m in res.mentions)


# --- acronyms are case-sensitive ----------------------------------------------------

def test_unica_word_vs_union(tagger):
    word = tagger.tag("La única tortillería", "Es la única del barrio y la única abierta de noche.",
                      language="es")
    assert not word.is_appearance and word.mentions == ()
    union = tagger.tag("Técnicos de cine se afilian a UNICA",
                       "El sindicato UNICA reunió a trabajadores de rodajes de series.", language="es")
    assert union.is_appearance and union.process == "unica" and union.theme == "labour"


def test_radar_word_and_weather_radar(tagger):
    low = tagger.tag("Nuevo radar", "El radar meteorológico vigila el huracán.", language="es")
    assert not low.is_appearance
    caps = tagger.tag("El RADAR vuelve a operar",
                      "El RADAR del Servicio Meteorológico Nacional detectó lluvias y tormenta.",
                      language="es")
    assert not caps.is_appearance
    assert any("weather" in m.reason for m in caps.mentions)
    prog = tagger.tag("Programa RADAR",
                      "El programa RADAR documenta abusos contra trabajadores migrantes con visas H-2.",
                      language="es")
    assert prog.is_appearance and prog.process == "coalicion_migrantes"


def test_uja_university_vs_union(tagger):
    uni = tagger.tag("Becas de la UJA", "La Universidad de Jaén (UJA) abre becas para estudiantes.",
                     language="es")
    assert not uni.is_appearance
    assert any("university" in m.reason for m in uni.mentions)
    union = tagger.tag("Jornaleros se organizan",
                       "La UJA recorre los campos de Sinaloa para hablar con jornaleras y jornaleros.",
                       language="es")
    assert union.is_appearance and union.process == "uja"


def test_acronym_with_wrong_case_is_not_matched(tagger):
    # "Clap" (applause) and "CLAP" (another programme) are not CLaP
    res = tagger.tag("Clap", "Clap, clap. Los CLAP llegaron tarde.", language="es")
    assert not res.is_appearance
    res = tagger.tag("CLaP", "Trabajadoras sexuales fundan la CLaP.", language="es")
    assert res.is_appearance and res.process == "clap"


# --- places and companies need the process's context ---------------------------------

def test_chichen_itza_tourism_vs_ejidos(tagger):
    tourism = tagger.tag("Chichén Itzá espera más turistas",
                         "La zona arqueológica de Chichen Itza recibió un récord de turistas "
                         "en vacaciones; los hoteles están llenos.", language="es")
    assert not tourism.is_appearance
    assert any("tourism" in m.reason for m in tourism.mentions)
    defence = tagger.tag("Ejido maya promueve amparo",
                         "Ejidatarios mayas de Xcalacoop, junto a Chichén Itzá, presentaron un amparo "
                         "por sus derechos agrarios.", language="es")
    assert defence.is_appearance and defence.process == "chichenitza"
    assert defence.theme == "land_territory"


def test_bachoco_finance_vs_poultry_farm_injunction(tagger):
    fin = tagger.tag("Bachoco reporta resultados", "Bachoco presentó su reporte trimestral en la Bolsa "
                     "Mexicana de Valores; sube el precio del pollo.", language="es")
    assert not fin.is_appearance
    farm = tagger.tag("Juez suspende granja", "Un juez ordenó suspender la granja avícola de Bachoco en "
                      "Peto tras el amparo de ejidos mayas.", language="es")
    assert farm.is_appearance and farm.process == "chichankanab"


def test_edf_energy_vs_union_hidalgo_lawsuit(tagger):
    energy = tagger.tag("EDF y sus reactores", "EDF anunció nuevos reactores nucleares en Francia.",
                        language="es")
    assert not energy.is_appearance
    case = tagger.tag("Unión Hidalgo contra EDF",
                      "La comunidad zapoteca de Union Hidalgo demandó a EDF en Francia por el "
                      "parque eólico Gunaa Sicarú, con la ley del deber de vigilancia.", language="es")
    assert case.is_appearance and case.process == "unionhidalgo"
    reasons = [m.reason for m in case.mentions if m.matched == "Union Hidalgo"]
    assert reasons and reasons[0].startswith("same process named unambiguously (Gunaa Sicarú)")


def test_union_hidalgo_town_news_is_not_the_process(tagger):
    res = tagger.tag("Boxeador de Unión Hidalgo gana",
                     "El púgil de Unión Hidalgo ganó su pelea de box en el Istmo.", language="es")
    assert not res.is_appearance


def test_edf_alone_is_not_its_own_context(tagger):
    res = tagger.tag("EDF Renewables y EDF", "EDF Renewables y EDF firmaron un acuerdo.", language="es")
    assert not res.is_appearance


def test_mitikah_mall_vs_xoco_defence(tagger):
    mall = tagger.tag("Nueva tienda en Mítikah", "Una marca de ropa abrió una tienda en Mitikah para la "
                      "temporada de compras.", language="es")
    assert not mall.is_appearance
    xoco = tagger.tag("Vecinas de Xoco", "El pueblo originario de San Sebastián Xoco mantiene un amparo "
                      "contra Mítikah porque no hubo consulta previa.", language="es")
    assert xoco.is_appearance and xoco.process == "xoco"


def test_sixteen_october_date_vs_collective(tagger):
    date = tagger.tag("Feria el 16 de octubre", "El 16 de octubre se celebra el Día Mundial de la "
                      "Alimentación con una feria en Tlaxcala.", language="es")
    assert not date.is_appearance
    coll = tagger.tag("Colectivo demanda", "El Colectivo 16 de Octubre de Calpulalpan acudió al tribunal "
                      "agrario contra el parque solar Nueva Xcala.", language="es")
    assert coll.is_appearance and coll.process == "calpulalpan"


def test_calpulalpan_school_panels_are_not_the_process(tagger):
    res = tagger.tag("Paneles en escuelas de Calpulalpan", "El ayuntamiento de Calpulalpan instaló "
                     "paneles solares en escuelas primarias para el ciclo escolar.", language="es")
    assert not res.is_appearance


def test_h2_visa_news_without_the_coalition(tagger):
    gen = tagger.tag("Fraudes con visas H-2A", "Alertan por reclutadores que cobran por visas H-2A.",
                     language="es")
    assert not gen.is_appearance
    coal = tagger.tag("Migrantes", "La Coalición de Trabajadores Migrantes Temporales de Sinaloa "
                      "orientó a trabajadores con visas H-2A en Topolobampo.", language="es")
    assert coal.is_appearance and coal.process == "coalicion_migrantes"


def test_juarez_drivers_generic_vs_cxj(tagger):
    gen = tagger.tag("Choferes de Juárez", "Los conductores de plataformas de Juárez trabajan con miedo.",
                     language="es")
    assert not gen.is_appearance
    cxj = tagger.tag("Choferas", "Conductorxs por Juarez (CXJ) organiza rutas seguras.", language="es")
    assert cxj.is_appearance and cxj.process == "cxj"


def test_everyday_slogan_needs_required_context(tagger):
    res = tagger.tag("Mensaje", "ProDESC agradeció a sus donantes: juntos lo lograremos.", language="es")
    assert res.theme == "institutional"     # not the UJA union
    assert any("missing required context" in m.reason for m in res.mentions)


def test_ambiguous_name_accepted_when_prodesc_named(tagger):
    res = tagger.tag("Acompañamiento", "ProDESC acompaña a la comunidad de Unión Hidalgo.", language="es")
    uh = [m for m in res.mentions if m.entity_id == "unionhidalgo"][0]
    assert uh.accepted and "ProDESC named" in uh.reason
    assert res.process == "unionhidalgo" and res.theme == "land_territory"


# --- theme selection ----------------------------------------------------------------

def test_theme_is_process_named_most_often(tagger):
    text = ("La UNICA, sindicato de cine, y la CNDDHL se reunieron. La Escuela de Justicia Transnacional "
            "formó a defensoras. La Escuela de Justicia Transnacional abrió convocatoria. "
            "La Escuela de Justicia Transnacional tiene egresadas.")
    res = tagger.tag("Reunión", text, language="es")
    assert res.process == "ejt" and res.theme == "defenders"
    assert res.secondary_themes == ("labour",)


def test_theme_tie_goes_to_first_named(tagger):
    res = tagger.tag("Encuentro", "La CNDDHL y la Escuela de Justicia Transnacional organizaron un foro.",
                     language="es")
    assert res.process == "cnddhl" and res.theme == "labour"
    assert res.secondary_themes == ("defenders",)
    res2 = tagger.tag("Encuentro", "La Escuela de Justicia Transnacional y la CNDDHL organizaron un foro.",
                      language="es")
    assert res2.process == "ejt" and res2.theme == "defenders"


def test_title_counts_as_named_first(tagger):
    res = tagger.tag("P3N cierra su curso", "La CNDDHL asistió al cierre.", language="es")
    assert res.process == "p3n"


def test_institutional_when_no_process(tagger):
    res = tagger.tag("Campaña de donativos", "ProDESC lanzó una campaña de donativos.", language="es")
    assert res.theme == "institutional" and res.process is None and res.secondary_themes == ()


# --- English and French articles --------------------------------------------------------

def test_french_devoir_de_vigilance(tagger):
    res = tagger.tag("Au Mexique, une communauté contre EDF",
                     "La communauté zapotèque d'Unión Hidalgo poursuit EDF devant la justice française "
                     "au nom du devoir de vigilance, à cause d'un parc éolien.")
    assert res.language == "fr" and res.process == "unionhidalgo"


def test_english_sex_workers_coalition(tagger):
    res = tagger.tag("Sex workers organise", "Sex workers in Mexico City formed CLaP, a coalition "
                     "that demands labour rights and social security.")
    assert res.language == "en" and res.process == "clap" and res.theme == "labour"


# --- API surface ----------------------------------------------------------------------

def test_entities_rows_and_version(tagger):
    rows = tagger.entities()
    ids = {r["id"] for r in rows}
    assert {"prodesc", "ancheita", "unionhidalgo", "chichankanab", "chichenitza", "xoco", "calpulalpan",
            "coalicion_migrantes", "cnddhl", "caopt", "clap", "cxj", "uja", "unica", "mrdh_caflt",
            "ejt", "p3n", "seguridad"} <= ids
    for r in rows:
        assert set(r) == {"id", "name", "name_en", "kind", "theme", "aliases"}
        assert r["aliases"] and all(isinstance(a, str) for a in r["aliases"])
    assert len(tagger.kb_version) == 12 and int(tagger.kb_version, 16) >= 0


def test_snippet_stops_at_paragraph_and_sentence(tagger):
    text = "Primer párrafo sin nombre\nSegundo párrafo: ProDESC (Sin.) habló «hoy». Tercera frase."
    res = tagger.tag("x", text, language="es")
    m = [m for m in res.mentions if m.entity_id == "prodesc"][0]
    assert m.snippet.startswith("Segundo párrafo: ProDESC")
    assert "Primer" not in m.snippet and "Tercera" not in m.snippet
