"""What the crawler refuses to fetch or read: private networks, odd schemes, bombs.

The monitor may run inside an organisation's network, and every link it follows
comes from a feed, a sitemap or a news search that anyone could have written. So:

* **Network safety** (`NetworkSafetyMiddleware`): a request whose host is a
  loopback, private, link-local, multicast, reserved or unspecified address is
  refused (`IgnoreRequest`), logged and counted (`prodesc/refused/private_address`),
  whether the address is written in the URL or is what the host name resolves to.
  Only http and https are fetched (`prodesc/refused/scheme`): a feed linking to
  `file:///etc/passwd` must not make Scrapy read a local file.
  Behind a proxy (`http_proxy`/`https_proxy`, i.e. `request.meta["proxy"]`) the
  proxy resolves names, so only IP literals can be checked; that keeps the
  replay-proxy demo, tests and corpus evaluation working (their hosts are
  `*.example` names answered by a loopback proxy; the proxy's own address is not
  a request URL). The allow-list (setting `NETWORK_ALLOWLIST`, plus env
  `PRODESC_MONITOR_ALLOW`, comma-separated host names, IPs or CIDR networks)
  lets a local test server through.
  Names are resolved through the reactor's resolver, the one Scrapy then
  connects with, and its DNS cache keeps the answer, so the address checked is
  the address fetched (within the cache's lifetime).

* **Parser bombs** (`ListingSafetyMiddleware`): a gzip body (a `.xml.gz`
  sitemap) that would expand beyond DOWNLOAD_MAXSIZE is refused
  (`prodesc/refused/gzip_bomb`) before Scrapy's sitemap parser sees it, as is a
  gzip body that cannot be decompressed at all (`prodesc/refused/bad_gzip`); the
  listing's feed check records why. A feed or sitemap declaring XML entities in
  its DTD is logged and counted (`prodesc/xml_entities_ignored`): neither
  feedparser (it strips the declarations, external entities off) nor lxml
  (`resolve_entities=False`) expands them, which `tests/reliability/test_hostile_web.py`
  proves. Endless redirects, never-ending and oversized bodies are Scrapy's
  REDIRECT_MAX_TIMES, DOWNLOAD_TIMEOUT and DOWNLOAD_MAXSIZE (settings.py).

See docs/reliability.md for the whole fault matrix.
"""
from __future__ import annotations

import io
import ipaddress
import logging
import os
import re
import zlib
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")
ALLOW_ENV = "PRODESC_MONITOR_ALLOW"
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_forbidden_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified: never fetched."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour   # ::ffff:127.0.0.1 and 2002:7f00:1:: carry IPv4 inside
        if inner is not None and is_forbidden_address(inner):
            return True
        if ip.is_site_local:
            return True
    elif ip in _SHARED_ADDRESS_SPACE:
        return True
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified)


_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")   # carrier-grade NAT: inside someone's network


def ip_literal(host: str):
    """The address if `host` is an IP literal (also the odd forms browsers accept), else None."""
    host = (host or "").strip().strip("[]").rstrip(".")
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])   # fe80::1%eth0
    except ValueError:
        pass
    # 2130706433, 0x7f000001, 0177.0.0.1, 127.1: inet_aton's forms, which some resolvers honour
    if re.fullmatch(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}", host, re.I):
        import socket
        try:
            return ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def parse_allowlist(entries) -> tuple[frozenset[str], tuple[Network, ...]]:
    """(host names, networks) from entries such as '127.0.0.1', '10.0.0.0/8', 'proxy.local'."""
    names, networks = set(), []
    for entry in entries or ():
        entry = str(entry).strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return frozenset(names), tuple(networks)


def _allowlist_from(settings) -> tuple[frozenset[str], tuple[Network, ...]]:
    raw = settings.getlist("NETWORK_ALLOWLIST") if settings is not None else []
    raw = list(raw) + [x for x in os.environ.get(ALLOW_ENV, "").split(",") if x.strip()]
    return parse_allowlist(raw)


class NetworkSafetyMiddleware:
    """Downloader middleware: refuse requests that would reach inside the network.

    Registered after Scrapy's HttpProxyMiddleware (750), so `request.meta["proxy"]`
    already says whether a proxy will carry the request.
    """

    def __init__(self, crawler=None, allow_names=frozenset(), allow_networks=(), resolve=None):
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self.allow_names = allow_names
        self.allow_networks = allow_networks
        self._resolve = resolve            # tests inject a fake resolver: host -> list of IP strings
        self._verdicts: dict[str, str | None] = {}   # host -> refusal reason or None (allowed)

    @classmethod
    def from_crawler(cls, crawler):
        names, networks = _allowlist_from(crawler.settings)
        return cls(crawler, names, networks)

    # -- decisions (pure, unit-tested) -----------------------------------------------
    def _allowed_ip(self, ip) -> bool:
        return any(ip.version == net.version and ip in net for net in self.allow_networks)

    def verdict_for_addresses(self, host: str, addresses) -> str | None:
        """Refusal reason if any address the host stands for is forbidden, else None."""
        for address in addresses:
            ip = ip_literal(str(address))
            if ip is None or self._allowed_ip(ip):
                continue
            if is_forbidden_address(ip):
                return f"{host} is (or resolves to) {ip}, a private/local address"
        return None

    def static_verdict(self, url: str, proxied: bool):
        """('refuse', reason, stat) | ('allow', None, None) | ('resolve', host, None)."""
        parts = urlsplit(url)
        scheme = (parts.scheme or "").lower()
        if scheme not in ALLOWED_SCHEMES:
            return "refuse", f"scheme {scheme or '(none)'}: is not fetched", "scheme"
        try:
            host = (parts.hostname or "").rstrip(".")
        except ValueError:
            host = ""
        if not host:
            return "refuse", "no host in the URL", "scheme"
        if host in self.allow_names:
            return "allow", None, None
        ip = ip_literal(host)
        if ip is not None:
            reason = self.verdict_for_addresses(host, [ip])
            return ("refuse", reason, "private_address") if reason else ("allow", None, None)
        if host == "localhost" or host.endswith(".localhost"):   # always loopback (RFC 6761), proxy or not
            return "refuse", f"{host} is a loopback name", "private_address"
        if proxied:
            return "allow", None, None   # the proxy resolves names: only literals can be checked
        return "resolve", host, None

    # -- Scrapy hook -----------------------------------------------------------------
    async def process_request(self, request, spider=None):
        proxied = bool(request.meta.get("proxy"))
        action, detail, stat = self.static_verdict(request.url, proxied)
        if action == "resolve":
            host = detail
            if host not in self._verdicts:
                self._verdicts[host] = self.verdict_for_addresses(host, await self._addresses(host))
            reason = self._verdicts[host]
            if reason:
                action, detail, stat = "refuse", reason, "private_address"
        if action == "refuse":
            if self.stats is not None:
                self.stats.inc_value(f"prodesc/refused/{stat}")
            log.warning("Refused %s: %s (allow it with NETWORK_ALLOWLIST or %s)", request.url, detail, ALLOW_ENV)
            raise IgnoreRequest(f"refused: {detail}")
        return None

    async def _addresses(self, host: str) -> list[str]:
        """What the host resolves to; [] if it does not (Scrapy's own lookup then fails and is counted)."""
        if self._resolve is not None:
            return list(self._resolve(host))
        try:
            from twisted.internet import reactor

            from scrapy.utils.defer import maybe_deferred_to_future
            # the reactor's resolver is the one Scrapy connects with; its cache keeps this answer
            return [await maybe_deferred_to_future(reactor.resolve(host))]
        except Exception as exc:  # DNS failure or timeout: nothing to check, the fetch itself will fail
            log.debug("Could not resolve %s (%s)", host, exc.__class__.__name__)
            return []


def has_root_element(body: bytes) -> bool:
    """Whether an XML parser finds a root element (what Scrapy's Sitemap needs), entities unresolved."""
    from lxml import etree
    try:
        for _event, _elem in etree.iterparse(io.BytesIO(body), events=("start",), recover=True,
                                             resolve_entities=False, no_network=True, huge_tree=False):
            return True
    except (etree.XMLSyntaxError, ValueError):
        return False
    return False


def valid_url(url: str) -> bool:
    """Whether Scrapy can make a Request of it (no "http://[::1", no port 99999)."""
    try:
        parts = urlsplit(url)
        parts.port
        return bool(parts.scheme and parts.netloc)
    except ValueError:
        return False


def gunzipped_size(data: bytes, limit: int) -> int | None:
    """Bytes a gzip body expands to, counted without keeping them, stopping past `limit`;
    None if it is not valid gzip (before any output)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total, chunk = 0, 64 * 1024
    try:
        out = d.decompress(data, chunk)
        while True:
            total += len(out)
            if limit and total > limit:
                return total
            if not d.unconsumed_tail:
                out = d.flush()
                total += len(out)
                return total
            out = d.decompress(d.unconsumed_tail, chunk)
    except zlib.error:
        return total or None


class ListingSafetyMiddleware:
    """Downloader middleware: bounds on what feeds and sitemaps may make the parsers do."""

    def __init__(self, crawler=None, max_size: int = 10 * 1024 * 1024):
        self.stats = crawler.stats if crawler is not None else None
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def _refuse(self, request, stat: str, message: str):
        if self.stats is not None:
            self.stats.inc_value(f"prodesc/refused/{stat}")
        log.warning("Refused %s: %s", request.url, message)
        raise IgnoreRequest(f"refused: {message}")

    def process_response(self, request, response, spider=None):
        if not request.meta.get("listing"):
            return response   # an article body is never decompressed or parsed as XML
        body = response.body or b""
        if body[:2] == b"\x1f\x8b":
            limit = request.meta.get("download_maxsize", self.max_size)
            size = gunzipped_size(body, limit)
            if size is None:
                self._refuse(request, "bad_gzip", "its gzip body cannot be decompressed")
            if limit and size > limit:
                self._refuse(request, "gzip_bomb",
                             f"its gzip body ({len(body)} B) expands beyond DOWNLOAD_MAXSIZE ({limit} B): a gzip bomb?")
            if request.meta.get("via") == "sitemap":
                body = zlib.decompress(body, 16 + zlib.MAX_WBITS) if size else b""   # bounded just above
        if (request.meta.get("via") == "sitemap" and not request.url.endswith("/robots.txt")
                and body.strip() and not has_root_element(body)):
            # Scrapy's Sitemap raises on XML without any element, inside the spider's callback,
            # and the sitemap's feed check is lost: refuse it here, recorded with its reason.
            self._refuse(request, "not_xml", "its body is not XML (no root element): not a sitemap")
        if body[:2] == b"\x1f\x8b":
            return response
        if _ENTITY_DECL.search(body[:65536]):
            if self.stats is not None:
                self.stats.inc_value("prodesc/xml_entities_ignored")
            log.warning("Listing %s declares XML entities in its DTD: they are not expanded "
                        "(entity-expansion and external-entity guard)", request.url)
        return response
