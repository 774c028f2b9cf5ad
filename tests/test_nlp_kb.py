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
    assert ":12:" in msg and "theme 'land'" in msg and "'town'" in msg


def test_process_with_institutional_theme_is_refused(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("theme: land_territory", "theme: institutional"))
    assert ":12:" in msg and "process needs theme" in msg


def test_positive_look_alike_weight_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("weight: -2", "weight: 2"))
    assert ":19:" in msg and "look-alike weight must be negative" in msg


def test_typo_in_key_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    ambiguous_names:", "    ambigous_names:"))
    assert ":13:" in msg and "unknown key 'ambigous_names'" in msg


def test_duplicate_id_and_duplicate_name(tmp_path):
    dup = GOOD + """\
  - id: town
    kind: process
    name: again
    theme: labour
    names: [Otra]
"""
    msg = error_of(tmp_path, dup)
    assert ":22:" in msg and "used twice (first on line 9)" in msg
    clash = GOOD + """\
  - id: other
    kind: process
    name: other
    theme: labour
    names: [PRODESC]
"""
    msg = error_of(tmp_path, clash)
    assert ":26:" in msg and "already belongs to entity 'prodesc' (line 8)" in msg


def test_missing_field_and_bad_kind(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    name: A town's defence\n", ""))
    assert ":9:" in msg and "missing 'name'" in msg
    msg = error_of(tmp_path, GOOD.replace("kind: process", "kind: proces"))
    assert ":10:" in msg and "kind 'proces'" in msg


def test_acronym_with_space_and_bad_wildcard(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    names: [ProDESC]", "    names: [ProDESC]\n    acronyms: [PRO DESC]"))
    assert ":9:" in msg and "must be one word" in msg
    msg = error_of(tmp_path, GOOD.replace("phrases: [amparo]", "phrases: [am*paro]"))
    assert ":17:" in msg and "'*' is only allowed" in msg


def test_unknown_cue_set(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("      - weight: 2\n        phrases: [amparo]", "      - use: nothing"))
    assert ":16:" in msg and "unknown cue set 'nothing'" in msg


def test_requires_on_unambiguous_name_is_refused(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    names: [ProDESC]",
                                          "    names:\n      - text: ProDESC\n        requires: [x]"))
    assert ":9:" in msg and "'requires' only applies to ambiguous names" in msg


def test_yaml_syntax_error_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    name: ProDESC", '    name: "ProDESC" A.C.'))
    assert ":6:" in msg and "not valid YAML" in msg


def test_duplicate_key_names_its_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    name: ProDESC\n", "    name: ProDESC\n    name: Otra\n"))
    assert ":7:" in msg and "appears twice" in msg


def test_missing_file():
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_kb("/nonexistent/kb.yaml")
