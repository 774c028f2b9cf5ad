"""The outlet registry: which outlets we follow, their reach, feeds and sitemaps.

The communications team edits `sources.yaml`; this module reads it, checks it and
answers the one question every later stage asks: which outlet published a URL?
The answer comes from the URL's host alone (counting rules §4: reach belongs to
the outlet). A host in no outlet's `domains` is *unclassified*, never guessed.
"""
from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from pipelines.datafiles import read_utf8
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
    line: int = field(default=0, compare=False)   # where sources.yaml defines it, for messages


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


OUTLET_KEYS = ("name", "domains", "reach", "region", "language", "feeds", "sitemaps")
DISCOVERY_KEYS = ("name", "url")
SECTIONS = ("outlets", "discovery")


def _line(node, key=None, fallback: int = 1) -> int:
    """The 1-based line of a key of a mapping, an item of a list, or the node itself (ruamel keeps them)."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return fallback
    try:
        if key is None:
            return lc.line + 1
        return (lc.item(key) if isinstance(node, list) else lc.key(key))[0] + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return fallback


class _Checker:
    """Raises RegistryError as `path:line: message`, the line found in what ruamel read."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, line: int, message: str):
        raise RegistryError(f"{self.path}:{line}: {message}")

    def keys(self, raw: dict, allowed: tuple[str, ...], who: str) -> None:
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (¿quiso decir '{close[0]}'?)" if close else ""
                self.fail(_line(raw, key), f"{who}: la clave '{key}' no existe{hint}; las claves son: "
                                           f"{', '.join(allowed)}")

    def texts(self, raw: dict, key: str, who: str, line: int) -> tuple[tuple[str, int], ...]:
        """A list of texts (or one text), each with its line."""
        value = raw.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return ((value.strip(), _line(raw, key, line)),) if value.strip() else ()
        if not isinstance(value, list):
            self.fail(_line(raw, key, line), f"{who}: '{key}' debe ser una lista de textos, "
                                             f"p. ej. {key}: [https://example.com/feed/]")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(_line(value, i, _line(raw, key, line)),
                          f"{who}: '{key}' debe ser una lista de textos, p. ej. {key}: [https://example.com/feed/]")
            out.append((item.strip(), _line(value, i, _line(raw, key, line))))
        return tuple(out)

    def urls(self, raw: dict, key: str, who: str, line: int) -> tuple[str, ...]:
        """Feed and sitemap addresses: http(s) with a host, else the line that is wrong."""
        out = []
        for url, at in self.texts(raw, key, who, line):
            if not is_web_address(url):
                self.fail(at, f"{who}: '{url}' en '{key}' no es una dirección web; debe empezar con "
                              f"http:// o https://, p. ej. https://example.com/feed/")
            out.append(url)
        return tuple(out)


def is_web_address(url: str) -> bool:
    """http(s), a host, no spaces: what the crawler can request."""
    try:
        parts = urlsplit(url)
        parts.port   # noqa: B018 -- raises for a port that is no number or out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


def _read_yaml(path: Path):
    """The file's data as ruamel reads it (every mapping and list knows its lines)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    _, text = read_utf8(path, "el archivo de medios", RegistryError)
    try:
        return YAML(typ="rt").load(text)
    except DuplicateKeyError as exc:
        key = re.search(r'duplicate key "([^"]*)"', str(exc.problem))
        first = exc.context_mark.line + 1 if exc.context_mark else 0
        raise RegistryError(f"{path}:{exc.problem_mark.line + 1}: la clave '{key.group(1) if key else '?'}' aparece "
                            f"dos veces en el mismo bloque (que empieza en la línea {first})") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise RegistryError(f"{path}:{mark.line + 1 if mark else 1}: no es YAML válido; revise la sangría, los "
                            f"corchetes y las comillas de esta línea o de la anterior "
                            f"(detalle técnico: {exc.problem or exc})") from None
    except YAMLError as exc:
        raise RegistryError(f"{path}: no es YAML válido: {exc}") from None


def load_registry(path: str | Path) -> Registry:
    """Read and check `sources.yaml`. Errors are one line, `file:line: ...`, naming the outlet and the
    key to fix: the communications team edits the file by hand (issue 17)."""
    path = Path(path)
    data = _read_yaml(path)
    check = _Checker(path)
    if data is None:
        check.fail(1, "el archivo de medios está vacío; debe tener la sección 'outlets:' (docs/sources.md)")
    if not isinstance(data, dict):
        check.fail(1, "se esperaban las secciones 'outlets:' y 'discovery:'")
    check.keys(data, SECTIONS, "el archivo")
    for section in SECTIONS:
        if data.get(section) is not None and not isinstance(data[section], list):
            check.fail(_line(data, section), f"la sección '{section}:' debe ser una lista (líneas '- name: ...')")
    outlets, seen_hosts, seen_names = [], {}, {}
    section = data.get("outlets") or []
    for i, raw in enumerate(section):
        line = _line(section, i, _line(data, "outlets"))
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), (str, type(None))) \
                or not str(raw.get("name") or "").strip():
            check.fail(line, f"el medio n.º {i + 1} necesita un 'name' (su nombre)")
        name = str(raw["name"]).strip()
        who = f"medio '{name}'"
        if name in seen_names:
            check.fail(line, f"el medio '{name}' aparece dos veces (también en la línea {seen_names[name]})")
        seen_names[name] = line
        check.keys(raw, OUTLET_KEYS, who)
        if raw.get("reach") is None:
            check.fail(line, f"{who}: falta la clave 'reach' (el alcance: {', '.join(CLASSIFIED_REACHES)})")
        reach = str(raw.get("reach") or "").strip().lower()
        if reach not in CLASSIFIED_REACHES:   # `unclassified` is for hosts outside the registry
            check.fail(_line(raw, "reach", line), f"{who}: el alcance (reach) es '{raw.get('reach')}'; debe ser uno "
                                                  f"de {', '.join(CLASSIFIED_REACHES)}")
        domains = []
        for domain, at in check.texts(raw, "domains", who, line):
            if "://" in domain:
                check.fail(at, f"{who}: '{domain}' en 'domains' debe ser solo el dominio, sin http:// ni "
                               f"https://, p. ej. {urlsplit(domain).netloc or 'www.example.com'}")
            if any(c.isspace() for c in domain):
                check.fail(at, f"{who}: '{domain}' en 'domains' no es un dominio (tiene espacios), p. ej. "
                               f"www.example.com")
            host = normalise_host(domain)
            if host in seen_hosts:
                check.fail(at, f"{who}: el dominio {host} ya lo usa el medio '{seen_hosts[host][0]}' "
                               f"(línea {seen_hosts[host][1]})")
            seen_hosts[host] = (name, at)
            domains.append(host)
        if not domains:
            check.fail(line, f"{who}: necesita al menos un dominio, p. ej. domains: [www.example.com]")
        outlets.append(Outlet(
            name=name, domains=tuple(domains), reach=reach,
            region=str(raw.get("region") or "").strip(),
            language=str(raw.get("language") or "").strip(),
            feeds=check.urls(raw, "feeds", who, line),
            sitemaps=check.urls(raw, "sitemaps", who, line),
            line=line,
        ))
    discovery = []
    section = data.get("discovery") or []
    for i, raw in enumerate(section):
        line = _line(section, i, _line(data, "discovery"))
        if not isinstance(raw, dict) or not raw.get("url"):
            check.fail(line, f"el canal de búsqueda n.º {i + 1} (discovery) necesita una 'url'")
        who = f"canal de búsqueda '{raw.get('name') or raw['url']}'"
        check.keys(raw, DISCOVERY_KEYS, who)
        url = str(raw["url"]).strip()
        if not is_web_address(url):
            check.fail(_line(raw, "url", line), f"{who}: '{url}' no es una dirección web; debe empezar con http:// "
                                                f"o https://")
        discovery.append(DiscoveryFeed(name=str(raw.get("name") or url).strip(), url=url))
    return Registry(outlets=tuple(outlets), discovery=tuple(discovery))


def nothing_to_read(registry: Registry, path: str | Path, backfill: bool) -> str | None:
    """Why a crawl of this registry could fetch nothing at all, or None.

    A daily crawl reads feeds and news-search feeds; a backfill (`--since`) also reads every
    outlet's sitemaps (configured, or declared in its robots.txt). Before issue 17 such a crawl
    'succeeded' with 0 feeds after half a minute; now it stops at once, naming the file and the
    outlets that have nothing to read."""
    if registry.discovery or any(o.feeds for o in registry.outlets):
        return None
    if not registry.outlets:
        return (f"{path}:1: no hay ningún medio (outlets) ni canal de búsqueda (discovery) que leer; "
                f"agregue al menos uno (docs/sources.md)")
    if backfill:
        return None
    names = ", ".join(f"'{o.name}' (línea {o.line})" for o in registry.outlets[:5])
    more = f" y {len(registry.outlets) - 5} más" if len(registry.outlets) > 5 else ""
    return (f"{path}:{registry.outlets[0].line}: ningún medio tiene feeds ni hay canales de búsqueda (discovery), "
            f"así que no hay nada que leer (medios sin feeds: {names}{more}); agregue feeds, o use --since para "
            f"recorrer sus sitemaps")


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
            before = len(load_registry(path).outlets) if yaml.safe_load(old_text) else 0   # empty: no outlets yet
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
