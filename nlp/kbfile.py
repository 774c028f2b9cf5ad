"""Reading the knowledge-base file: YAML that remembers lines, and errors that name them.

The YAML is read with a loader whose strings, mappings and lists carry their line;
`Validator` raises :class:`KnowledgeBaseError` with ``path:line: message``, so the
communications team, who edit the file by hand, can find every mistake. `nlp.kb`
turns the checked data into the knowledge base.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from pipelines.datafiles import read_utf8
from pipelines.errors import ConfigError


class KnowledgeBaseError(ConfigError):
    """A knowledge-base file that cannot be used; the message names file and line."""


# --- YAML loading that keeps line numbers ---------------------------------

class _LineStr(str):
    line: int = 0


class LineDict(dict):
    line: int = 0


class _LineList(list):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose strings, mappings and lists carry their 1-based line."""


def _construct_str(loader: _LineLoader, node: yaml.Node) -> _LineStr:
    s = _LineStr(loader.construct_scalar(node))
    s.line = node.start_mark.line + 1
    return s


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    d = LineDict()
    d.line = node.start_mark.line + 1
    yield d
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise KnowledgeBaseError(
                f"{loader.name}:{key_node.start_mark.line + 1}: la clave {key!r} aparece dos veces "
                f"en la misma entrada (la primera vez en la línea {seen[key]})"
            )
        seen[key] = key_node.start_mark.line + 1
        d[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _LineList:
    lst = _LineList()
    lst.line = node.start_mark.line + 1
    yield lst
    lst.extend(loader.construct_object(n, deep=True) for n in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


# --- Validation helpers ------------------------------------------------------

def line_of(obj: Any, fallback: int = 0) -> int:
    return getattr(obj, "line", fallback) or fallback


def shown(obj: Any) -> str:
    """What a wrong value is, in the team's words: 'una lista', 'el texto 'dos'', never a Python type."""
    if obj is None:
        return "un valor vacío"
    if isinstance(obj, bool):
        return f"el valor {'true' if obj else 'false'}"
    if isinstance(obj, dict):
        return "un bloque de líneas 'clave: valor'"
    if isinstance(obj, list):
        return "una lista"
    if isinstance(obj, float):
        return f"el número {obj:g}"
    if isinstance(obj, int):
        return f"el número {obj}"
    if isinstance(obj, str):
        return f"el texto {str(obj)!r}"
    return repr(obj)


class Validator:
    def __init__(self, path: str):
        self.path = path

    def fail(self, line: int, msg: str) -> None:
        raise KnowledgeBaseError(f"{self.path}:{line}: {msg}")

    def mapping(self, obj: Any, where: str, line: int) -> dict:
        if not isinstance(obj, dict):
            self.fail(line_of(obj, line), f"{where}: debe ser un bloque de líneas 'clave: valor', "
                                        f"pero es {shown(obj)}")
        return obj

    def seq(self, obj: Any, where: str, line: int) -> list:
        if obj is None:
            return []
        if not isinstance(obj, list):
            self.fail(line_of(obj, line), f"{where}: debe ser una lista (líneas '- elemento'), "
                                        f"pero es {shown(obj)}")
        return obj

    def text(self, obj: Any, where: str, line: int) -> str:
        if isinstance(obj, bool) or obj is None or isinstance(obj, (dict, list)):
            self.fail(line_of(obj, line), f"{where}: debe ser un texto, pero es {shown(obj)}")
        s = str(obj).strip()
        if not s:
            self.fail(line_of(obj, line), f"{where}: el valor está vacío")
        return s

    def number(self, obj: Any, where: str, line: int) -> float:
        if isinstance(obj, bool) or not isinstance(obj, (int, float)):
            # numbers are not _LineStr, so use the parent's line
            self.fail(line_of(obj, line), f"{where}: debe ser un número (con punto decimal, p. ej. 0.5), "
                                        f"pero es {shown(obj)}")
        return float(obj)

    def keys(self, d: dict, allowed: set[str], where: str) -> None:
        for k in d:
            if k not in allowed:
                self.fail(line_of(k, line_of(d)), f"{where}: clave desconocida {k!r} "
                                              f"(se permiten: {', '.join(sorted(allowed))})")


def read_kb_file(p: Path) -> tuple[Any, str, Validator]:
    """The file's YAML data (lines kept), its version (sha256 of the bytes, 12 hex digits) and
    a validator that names the file."""
    raw_bytes, text = read_utf8(p, "el archivo de la base de conocimiento", KnowledgeBaseError)
    version = hashlib.sha256(raw_bytes).hexdigest()[:12]
    loader = _LineLoader(text)
    loader.name = str(p)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        raise KnowledgeBaseError(f"{p}:{line}: no es YAML válido; revise la sangría y las comillas de "
                                 f"esta línea o de la anterior (detalle técnico: {e.problem or e})") from e
    finally:
        loader.dispose()
    return data, version, Validator(str(p))
