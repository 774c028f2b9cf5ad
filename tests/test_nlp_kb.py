"""Knowledge-base validation: every error names the file and the line."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nlp.kb import DEFAULT_KB_PATH, KnowledgeBaseError, load_kb
from nlp.tagger import Tagger

GOOD = """\
settings:
  threshold: 2
entities:
  - id: prodesc
    kind: organisation
    name: ProDESC
    theme: institutional
    names: [ProDESC]
  - id: town
    kind: process
    name: A town's defence
    theme: land_territory
    ambiguous_names:
      - Villa Test
    context:
      - weight: 2
        phrases: [amparo]
    look_alikes:
      - label: sport
        weight: -2
        phrases: [futbol]
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "kb.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def error_of(tmp_path: Path, text: str) -> str:
    p = write(tmp_path, text)
    with pytest.raises(KnowledgeBaseError) as exc:
        load_kb(p)
    msg = str(exc.value)
    assert msg.startswith(str(p) + ":"), msg
    return msg


def test_packaged_kb_loads_and_versions():
    kb = load_kb()
    assert kb.path == str(DEFAULT_KB_PATH)
    assert len(kb.version) == 12
    assert kb.by_id["prodesc"].kind == "organisation"
    assert all(e.theme in ("land_territory", "labour", "defenders") for e in kb.entities
               if e.kind == "process")


def test_small_kb_works_end_to_end(tmp_path):
    t = Tagger.load(write(tmp_path, GOOD))
    assert t.tag("x", "En Villa Test promueven un amparo.", language="es").process == "town"
    assert not t.tag("x", "En Villa Test juegan futbol.", language="es").is_appearance
    assert t.kb_version != Tagger.load().kb_version


def test_unknown_theme_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("theme: land_territory", "theme: land"))
    assert ":12:" in msg and "entidad 'town': el tema (theme) 'land' no es uno de" in msg


def test_process_with_institutional_theme_is_refused(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("theme: land_territory", "theme: institutional"))
    assert ":12:" in msg and "un proceso (process) necesita un tema (theme)" in msg


def test_positive_look_alike_weight_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("weight: -2", "weight: 2"))
    assert ":19:" in msg and "el peso (weight) de un grupo de look_alikes debe ser negativo, pero es 2" in msg


def test_typo_in_key_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    ambiguous_names:", "    ambigous_names:"))
    assert ":13:" in msg and "entidad 'town': clave desconocida 'ambigous_names'" in msg


def test_duplicate_id_and_duplicate_name(tmp_path):
    dup = GOOD + """\
  - id: town
    kind: process
    name: again
    theme: labour
    names: [Otra]
"""
    msg = error_of(tmp_path, dup)
    assert ":22:" in msg and "se usa dos veces (la primera vez en la línea 9)" in msg
    clash = GOOD + """\
  - id: other
    kind: process
    name: other
    theme: labour
    names: [PRODESC]
"""
    msg = error_of(tmp_path, clash)
    assert ":26:" in msg and "ya pertenece a la entidad 'prodesc' (línea 8)" in msg


def test_missing_field_and_bad_kind(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    name: A town's defence\n", ""))
    assert ":9:" in msg and "entidad 'town': falta la clave 'name'" in msg
    msg = error_of(tmp_path, GOOD.replace("kind: process", "kind: proces"))
    assert ":10:" in msg and "entidad 'town': el tipo (kind) 'proces' no es uno de organisation, person, process" in msg


def test_acronym_with_space_and_bad_wildcard(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    names: [ProDESC]", "    names: [ProDESC]\n    acronyms: [PRO DESC]"))
    assert ":9:" in msg and "la sigla 'PRO DESC' debe ser una sola palabra" in msg
    msg = error_of(tmp_path, GOOD.replace("phrases: [amparo]", "phrases: [am*paro]"))
    assert ":17:" in msg and "'*' solo se permite al final" in msg


def test_unknown_cue_set(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("      - weight: 2\n        phrases: [amparo]", "      - use: nothing"))
    assert ":16:" in msg and "el conjunto 'nothing' (use) no existe en cue_sets" in msg


def test_requires_on_unambiguous_name_is_refused(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    names: [ProDESC]",
                                          "    names:\n      - text: ProDESC\n        requires: [x]"))
    assert ":9:" in msg and "'requires' solo se aplica a los nombres ambiguos" in msg


def test_yaml_syntax_error_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    name: ProDESC", '    name: "ProDESC" A.C.'))
    assert ":6:" in msg and "no es YAML válido" in msg


def test_duplicate_key_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    name: ProDESC\n", "    name: ProDESC\n    name: Otra\n"))
    assert ":7:" in msg and "la clave 'name' aparece dos veces" in msg


def test_missing_file():
    with pytest.raises(KnowledgeBaseError, match="no existe"):
        load_kb("/nonexistent/kb.yaml")


def test_wrong_values_are_described_in_spanish(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("weight: 2\n", "weight: 0,5\n"))
    assert ":16:" in msg and "debe ser un número (con punto decimal, p. ej. 0.5), pero es el texto '0,5'" in msg
    msg = error_of(tmp_path, GOOD.replace("    names: [ProDESC]", "    names: ProDESC"))
    assert ":8:" in msg and "entidad 'prodesc', clave names: debe ser una lista" in msg
    msg = error_of(tmp_path, GOOD.replace("    name: ProDESC\n", "    name:\n"))
    assert ":4:" in msg and "entidad 'prodesc', clave name: debe ser un texto, pero es un valor vacío" in msg


def test_cue_set_errors_name_the_set(tmp_path):
    msg = error_of(tmp_path, "cue_sets:\n  tierra:\n    - weight: -1\n      phrases: [amparo]\n" + GOOD)
    assert ":3:" in msg and "cue_sets, conjunto 'tierra': el peso (weight) de un grupo de context debe ser positivo" in msg


def test_file_not_in_utf8_names_its_line(tmp_path):
    p = tmp_path / "kb.yaml"
    p.write_bytes(GOOD.replace("A town's defence", "Defensa de Unión").encode("latin-1"))
    with pytest.raises(KnowledgeBaseError) as exc:
        load_kb(p)
    assert str(exc.value).startswith(f"{p}:11: el archivo debe guardarse con la codificación UTF-8")
