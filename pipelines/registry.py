"""The outlet registry: which outlets we follow, their reach, feeds and sitemaps.

The communications team edits `sources.yaml`; this module reads it, checks it and
answers the one question every later stage asks: which outlet published a URL?
The answer comes from the URL's host alone (counting rules §4: reach belongs to
the outlet). A host in no outlet's `domains` is *unclassified*, never guessed.
"""
from __future__ import annotations

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
        raise RegistryError(f"{where}: '{key}' must be a list of texts, e.g. {key}: [https://example.com/feed/]")
    return tuple(v.strip() for v in value)


def load_registry(path: str | Path) -> Registry:
    """Read and check `sources.yaml`. Errors name the outlet and the field to fix."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise RegistryError(f"{path}: the sources file does not exist") from None
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: expected 'outlets:' and 'discovery:' sections")
    outlets, seen_hosts = [], {}
    for i, raw in enumerate(data.get("outlets") or [], start=1):
        where = f"{path}: outlet #{i}"
        if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
            raise RegistryError(f"{where}: every outlet needs a 'name'")
        name = str(raw["name"]).strip()
        where = f"{path}: outlet '{name}'"
        reach = str(raw.get("reach") or "").strip().lower()
        if reach not in CLASSIFIED_REACHES:   # `unclassified` is for hosts outside the registry
            raise RegistryError(f"{where}: reach is '{raw.get('reach')}', it must be one of "
                                f"{', '.join(CLASSIFIED_REACHES)}")
        domains = tuple(normalise_host(d) for d in _as_list(raw.get("domains"), where, "domains"))
        if not domains:
            raise RegistryError(f"{where}: needs at least one domain, e.g. domains: [www.example.com]")
        for d in domains:
            if d in seen_hosts:
                raise RegistryError(f"{where}: domain {d} is already used by outlet '{seen_hosts[d]}'")
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
            raise RegistryError(f"{path}: discovery feed #{i} needs a 'url'")
        discovery.append(DiscoveryFeed(name=str(raw.get("name") or raw["url"]).strip(), url=str(raw["url"]).strip()))
    return Registry(outlets=tuple(outlets), discovery=tuple(discovery))
