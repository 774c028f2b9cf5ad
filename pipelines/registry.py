"""The outlet registry: which outlets we follow, their reach, feeds and sitemaps.

The communications team edits `sources.yaml`; this module reads it, checks it and
answers the one question every later stage asks: which outlet published a URL?
The answer comes from the URL's host alone (counting rules §4: reach belongs to
the outlet). A host in no outlet's `domains` is *unclassified*, never guessed.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from pipelines.errors import ConfigError
from pipelines.vocabulary import CLASSIFIED_REACHES, Reach


class RegistryError(ConfigError):
    """The registry file is wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class Outlet:
    name: str
    domains: tuple[str, ...]
    reach: str
    region: str = ""
    language: str = ""
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    in_registry: bool = True


@dataclass(frozen=True)
class DiscoveryFeed:
    name: str
    url: str


@dataclass(frozen=True)
class Registry:
    outlets: tuple[Outlet, ...]
    discovery: tuple[DiscoveryFeed, ...] = ()
    _by_host: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for outlet in self.outlets:
            for domain in outlet.domains:
                self._by_host[normalise_host(domain)] = outlet

    def outlet_for_url(self, url: str) -> Outlet:
        """The registry outlet whose domains hold the URL's host, else an unclassified one named after the host.

        A domain may carry a path, for groups that publish several papers on one host
        ("oem.com.mx/elsoldetlaxcala"): the longest matching host + path prefix wins.
        """
        parts = urlsplit(url)
        host = normalise_host(parts.hostname or "")
        segments = [s for s in parts.path.split("/") if s]
        for n in range(len(segments), 0, -1):
            found = self._by_host.get(host + "/" + "/".join(segments[:n]).lower())
            if found is not None:
                return found
        found = self._by_host.get(host)
        if found is not None:
            return found
        return Outlet(name=host, domains=(host,), reach=Reach.UNCLASSIFIED.value, in_registry=False)


def normalise_host(host: str) -> str:
    """'WWW.Example.com.' -> 'www.example.com'; 'oem.com.mx/ElSolDeTlaxcala/' -> 'oem.com.mx/elsoldetlaxcala'."""
    return host.strip().lower().rstrip("/").rstrip(".")


def _as_list(value, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RegistryError(f"{where}: '{key}' debe ser una lista de textos, p. ej. {key}: [https://example.com/feed/]")
    return tuple(v.strip() for v in value)


def load_registry(path: str | Path) -> Registry:
    """Read and check `sources.yaml`. Errors name the outlet and the field to fix."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise RegistryError(f"{path}: el archivo de medios no existe") from None
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: no es YAML válido: {exc}") from None
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: se esperaban las secciones 'outlets:' y 'discovery:'")
    outlets, seen_hosts = [], {}
    for i, raw in enumerate(data.get("outlets") or [], start=1):
        where = f"{path}: medio n.º {i}"
        if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
            raise RegistryError(f"{where}: cada medio necesita un 'name' (su nombre)")
        name = str(raw["name"]).strip()
        where = f"{path}: medio '{name}'"
        reach = str(raw.get("reach") or "").strip().lower()
        if reach not in CLASSIFIED_REACHES:   # `unclassified` is for hosts outside the registry
            raise RegistryError(f"{where}: el alcance (reach) es '{raw.get('reach')}'; debe ser uno de "
                                f"{', '.join(CLASSIFIED_REACHES)}")
        domains = tuple(normalise_host(d) for d in _as_list(raw.get("domains"), where, "domains"))
        if not domains:
            raise RegistryError(f"{where}: necesita al menos un dominio, p. ej. domains: [www.example.com]")
        for d in domains:
            if d in seen_hosts:
                raise RegistryError(f"{where}: el dominio {d} ya lo usa el medio '{seen_hosts[d]}'")
            seen_hosts[d] = name
        outlets.append(Outlet(
            name=name, domains=domains, reach=reach,
            region=str(raw.get("region") or "").strip(),
            language=str(raw.get("language") or "").strip(),
            feeds=_as_list(raw.get("feeds"), where, "feeds"),
            sitemaps=_as_list(raw.get("sitemaps"), where, "sitemaps"),
        ))
    discovery = []
    for i, raw in enumerate(data.get("discovery") or [], start=1):
        if not isinstance(raw, dict) or not raw.get("url"):
            raise RegistryError(f"{path}: el canal de búsqueda n.º {i} (discovery) necesita una 'url'")
        discovery.append(DiscoveryFeed(name=str(raw.get("name") or raw["url"]).strip(), url=str(raw["url"]).strip()))
    return Registry(outlets=tuple(outlets), discovery=tuple(discovery))


# --------------------------------------------------------------------------- adding an outlet to the file

def registry_with_outlet(text: str, name: str, domains: list[str], reach: str, region: str = "",
                         language: str = "", comment: str | None = None) -> str:
    """The registry text with one outlet appended to the `outlets:` list, edited with ruamel.yaml
    in round-trip mode: the file's comments, order, quoting and indentation stay as they were.
    `comment` (one line) is written just above the new outlet. The result is checked: read
    plainly, it is the old registry plus this outlet, nothing else."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString
    from ruamel.yaml.util import load_yaml_guess_indent

    rt = YAML(typ="rt")
    rt.preserve_quotes = True                         # region: "" stays "", not ''
    rt.width = 4096                                   # never fold a long line the team wrote
    try:
        _, indent, seq_indent = load_yaml_guess_indent(text)   # write the new block as the file does
        data = rt.load(text)
    except YAMLError as exc:
        raise RegistryError(f"el registro de medios no es YAML válido: {exc}") from None
    indent, seq_indent = indent or 4, seq_indent if seq_indent is not None else 2
    rt.indent(mapping=indent - seq_indent if indent > seq_indent else 2, sequence=indent, offset=seq_indent)
    prefix = ""
    if data is None:                                  # empty, or only comments: keep them above
        prefix, data = (text.rstrip("\n") + "\n\n") if text.strip() else "", CommentedMap()
    if not isinstance(data, CommentedMap):
        raise RegistryError("el registro de medios debe tener las secciones 'outlets:' y 'discovery:'")
    outlets = data.get("outlets")
    if outlets is None:
        outlets = data["outlets"] = CommentedSeq()
    if not isinstance(outlets, CommentedSeq):
        raise RegistryError("la sección 'outlets:' del registro de medios no es una lista")
    if outlets.fa.flow_style():
        if outlets:
            raise RegistryError("la lista 'outlets:' del registro está escrita en una sola línea; agregue el medio a mano")
        outlets.fa.set_block_style()                  # `outlets: []` becomes a block list

    def quoted(value: str) -> DoubleQuotedScalarString:
        return DoubleQuotedScalarString(value)

    def flow(items) -> CommentedSeq:
        seq = CommentedSeq(quoted(i) for i in items)
        seq.fa.set_flow_style()
        return seq

    block = CommentedMap()
    block["name"] = quoted(name)
    block["domains"] = flow(domains)
    block["reach"] = reach
    block["region"] = quoted(region)
    block["language"] = quoted(language)
    block["feeds"] = flow([])
    block["sitemaps"] = flow([])
    previous = outlets[-1] if outlets else None
    outlets.append(block)
    if isinstance(previous, CommentedMap):
        _move_trailing_comment(previous, block)
    if comment:
        outlets.yaml_set_comment_before_after_key(len(outlets) - 1, before=" ".join(comment.split()),
                                                  indent=seq_indent)
    out = io.StringIO()
    rt.dump(data, out)
    new_text = prefix + out.getvalue()

    before, after = yaml.safe_load(text) or {}, yaml.safe_load(new_text)
    expected = {**before, "outlets": [*(before.get("outlets") or []),
                                      {"name": name, "domains": list(domains), "reach": reach, "region": region,
                                       "language": language, "feeds": [], "sitemaps": []}]}
    if after != expected:
        raise RegistryError("no se pudo agregar el medio al archivo de registro automáticamente; agréguelo a mano")
    return new_text


def _move_trailing_comment(previous, new) -> None:
    """Whole-line comments right after the old last outlet (ruamel keeps them on its last value,
    however deep) stay after the list: they move below the new outlet. An end-of-line comment stays."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.tokens import CommentToken

    node, key = previous, None
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        key = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        value = node[key]
        if not (isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not value.fa.flow_style()):
            break
        node = value
    slots = node.ca.items.get(key) if key is not None else None
    at = 2 if isinstance(node, CommentedMap) else 0        # where ruamel keeps the comment after a value
    token = slots[at] if slots and len(slots) > at else None
    if not isinstance(token, CommentToken) or "\n" not in token.value:
        return
    line_end, rest = token.value.split("\n", 1)
    if not rest.strip():
        return
    token.value = line_end + "\n"
    new.ca.items[list(new)[-1]] = [None, None, CommentToken("\n" + rest, token.start_mark, None), None]


@contextmanager
def outlet_added(path: str | Path, name: str, domains: list[str], reach: str, region: str = "",
                 language: str = "", comment: str | None = None) -> Iterator[Registry]:
    """Stage the registry file with one more outlet: the new text is written next to it and
    loaded (so the next crawl can read it) before the `with` body runs; when the body ends
    normally the file is replaced atomically, when it raises the file is left as it was.
    Errors (RegistryError) name the real file, never the temporary one."""
    path = Path(path)
    old_text = path.read_text(encoding="utf-8")
    new_text = registry_with_outlet(old_text, name, domains, reach, region, language, comment)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=path.parent, delete=False, encoding="utf-8") as tmp:
        tmp.write(new_text)
    try:
        try:
            before = len(load_registry(path).outlets) if old_text.strip() else 0
            after = load_registry(tmp.name)
        except RegistryError as exc:
            raise RegistryError(str(exc).replace(tmp.name, str(path))) from None
        if len(after.outlets) != before + 1 or not any(o.name == name for o in after.outlets):
            raise RegistryError("no se pudo agregar el medio al archivo de registro automáticamente; agréguelo a mano")
        yield after
    except BaseException:
        os.unlink(tmp.name)
        raise
    os.replace(tmp.name, path)
