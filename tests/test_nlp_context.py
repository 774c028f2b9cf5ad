"""Context rules on invented look-alike and real-process stories (es/en/pt).

Each case is one short article written for this test: the place, company or
acronym is the same, only the surrounding story decides.
"""
from __future__ import annotations

import pytest

from nlp.tagger import Tagger

CASES = [
("El parque eólico de Unión Hidalgo produjo energía récord","Los aerogeneradores del parque eólico de Unión Hidalgo, en el Istmo de Tehuantepec, generaron más energía que nunca en enero.",False),
("EDF Renewables inaugura parque eólico en Oaxaca","La empresa EDF Renewables inauguró un parque eólico de 250 MW en el Istmo de Tehuantepec.",False),
("Comuneros de Unión Hidalgo denuncian parque eólico","Comuneros zapotecos de Unión Hidalgo denunciaron que el parque eólico se instaló en sus tierras comunales sin consulta previa, libre e informada.",True),
("Artesanos de Pisté","Ejidatarios de Pisté venden artesanías a turistas en Chichén Itzá durante las vacaciones; los hoteles reportan ocupación alta.",False),
("Estromatolitos de la laguna Chichancanab","Investigadores estudian los estromatolitos de la laguna Chichancanab, en Quintana Roo, un sistema lagunar único.",False),
("Indigenous community sues EDF in Paris","An Indigenous Zapotec community in Mexico has sued EDF in a Paris court under France's duty of vigilance law over a wind farm on its land.",True),
("Final de futbol","El capitán dijo: juntos lo lograremos. El equipo de Sinaloa jugará la final.",False),
("A UNICA prevê safra recorde","A UNICA, entidade da indústria de cana-de-açúcar, prevê safra recorde de etanol no Brasil.",False),
("Policía comunitaria","La policía comunitaria de Guerrero refuerza la seguridad comunitaria en la Montaña.",False),
("Xoco sin agua","Vecinos de Xoco bloquean la avenida por falta de agua.",False),
("Ancheita recibe premio","La defensora Alejandra Ancheita recibió un premio en Ginebra.",True),
("Calpulalpan inaugura parque solar","El municipio de Calpulalpan inauguró un parque solar para alumbrado público.",False),
("Coalición opositora","La coalición opositora presentó su candidata en Sinaloa.",False),
("Rosa Luxemburgo, 100 años","Una columna recuerda a Rosa Luxemburgo y su crítica al capitalismo.",False),
("Granjas en Yucatán","Bachoco abrirá una nueva granja avícola en Yucatán, informó la empresa a sus inversionistas.",False),
("Bachoco y ejidos","Ejidos mayas del sur de Yucatán obtuvieron la suspensión de una granja avícola de Bachoco en Peto.",True),
("Juez suspende granja Akutzá","Un juez federal suspendió la construcción de la granja Akutzá.",True),
("Mujeres jornaleras de la UJA","Las jornaleras de la Unión de Jornaleros Agrícolas exigen guarderías en los campos de Culiacán.",True),
]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


@pytest.mark.parametrize("title,text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_context_decides(tagger, title, text, expected):
    res = tagger.tag(title, text)
    assert res.is_appearance is expected, [(m.matched, m.reason) for m in res.mentions]
    for m in res.mentions:
        assert m.reason                       # every candidate explains itself
