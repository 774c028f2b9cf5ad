"""Network safety: nothing a feed, sitemap or search result links to may reach inside the network."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from spiders.safety import NetworkSafetyMiddleware, ip_literal, is_forbidden_address, parse_allowlist


def _mw(allow=(), resolve=None):
    names, nets = parse_allowlist(allow)
    return NetworkSafetyMiddleware(None, names, nets, resolve=resolve or (lambda h: ["93.184.216.34"]))


def _passes(mw, url, proxy=None) -> bool:
    request = Request(url, meta={"proxy": proxy} if proxy else {})
    try:
        asyncio.run(mw.process_request(request))
        return True
    except IgnoreRequest:
        return False


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254",
                                  "224.0.0.251", "0.0.0.0", "100.64.0.1", "240.0.0.1", "::1", "fe80::1",
                                  "fc00::1", "ff02::1", "::", "::ffff:192.168.0.1", "2002:0a00:0001::1"])
def test_private_and_special_addresses_are_forbidden(host):
    assert is_forbidden_address(ip_literal(host))


@pytest.mark.parametrize("host", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "201.144.1.1"])
def test_public_addresses_are_allowed(host):
    assert not is_forbidden_address(ip_literal(host))


@pytest.mark.parametrize("host,ip", [("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"),
                                     ("0177.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("[::1]", "::1"),
                                     ("fe80::1%eth0", "fe80::1")])
def test_odd_spellings_of_addresses_are_recognised(host, ip):
    assert str(ip_literal(host)) == ip


def test_literals_refused_names_resolved_allow_list_honoured():
    mw = _mw(resolve=lambda host: {"intranet.example": ["10.0.0.9"], "mixed.example": ["93.184.216.34", "127.0.0.1"]}
             .get(host, ["93.184.216.34"]))
    assert not _passes(mw, "http://10.0.0.1/x")
    assert not _passes(mw, "http://intranet.example/x")          # a public name for a private address
    assert not _passes(mw, "http://mixed.example/x")             # any private address is enough
    assert not _passes(mw, "http://localhost/x") and not _passes(mw, "http://a.localhost/x")
    assert not _passes(mw, "file:///etc/passwd") and not _passes(mw, "ftp://a.example/x")
    assert _passes(mw, "https://www.jornada.com.mx/nota")
    allowed = _mw(allow=["127.0.0.1", "intranet.example"], resolve=lambda h: ["10.0.0.9"])
    assert _passes(allowed, "http://127.0.0.1:8000/x") and _passes(allowed, "http://intranet.example/x")
    assert not _passes(allowed, "http://127.0.0.2/x") and not _passes(allowed, "http://other.example/x")
    assert _passes(_mw(allow=["10.0.0.0/8"], resolve=lambda h: ["10.0.0.9"]), "http://other.example/x")


def test_behind_a_proxy_only_literals_are_checked():
    never = _mw(resolve=lambda host: pytest.fail("a proxied name must not be resolved here"))
    assert _passes(never, "http://www.diariouno.example/x", proxy="http://127.0.0.1:3128")
    assert not _passes(never, "http://10.0.0.1/x", proxy="http://127.0.0.1:3128")
    assert not _passes(never, "http://[::1]/x", proxy="http://127.0.0.1:3128")


def test_env_allow_list(monkeypatch):
    from scrapy.settings import Settings
    from spiders.safety import _allowlist_from
    monkeypatch.setenv("PRODESC_MONITOR_ALLOW", "10.9.0.0/16, squid.internal")
    names, nets = _allowlist_from(Settings({"NETWORK_ALLOWLIST": "127.0.0.1"}))
    assert names == {"squid.internal"} and {str(n) for n in nets} == {"127.0.0.1/32", "10.9.0.0/16"}


def test_the_real_resolver_refuses_a_name_for_loopback():
    """No fake resolver: what this machine says localhost is, is refused."""
    import socket
    mw = NetworkSafetyMiddleware(None)
    try:
        addresses = {a[4][0] for a in socket.getaddrinfo("localhost", 80)}
    except OSError:
        pytest.skip("no resolver here")
    assert mw.verdict_for_addresses("localhost", addresses)


SAMPLE = Path(__file__).resolve().parents[2] / "flows" / "demo" / "sample_web"


def test_behind_the_replay_proxy_private_literals_are_still_refused(tmp_path):
    """The corpus replay's set-up (names through a loopback proxy) keeps working, and a private
    IP literal in a feed is still refused, never handed to the proxy."""
    from flows.demo.sampleweb import serving
    from flows.steps import LOCAL_SERVER_SETTINGS, run_scrapy
    from tests.reliability.hostile.web import article, rss
    webdir = tmp_path / "web"
    (webdir / "f").mkdir(parents=True)
    (webdir / "f" / "feed.xml").write_bytes(rss([("interna", "http://10.0.0.5/nota"),
                                                  ("metadatos", "http://169.254.169.254/latest/"),
                                                  ("buena", "http://www.diariouno.example/buena")]))
    (webdir / "f" / "buena.html").write_text(article("Buena"), encoding="utf-8")
    (webdir / "index.json").write_text(json.dumps([
        {"url": "http://www.diariouno.example/feed/", "status": 200,
         "headers": {"Content-Type": "application/rss+xml"}, "file": "f/feed.xml"},
        {"url": "http://www.diariouno.example/buena", "status": 200,
         "headers": {"Content-Type": "text/html; charset=utf-8"}, "file": "f/buena.html"}]))
    (tmp_path / "sources.yaml").write_text(
        "outlets:\n  - name: Diario Uno\n    domains: [www.diariouno.example]\n    reach: local\n"
        "    region: Yucatán\n    language: es\n    feeds: [http://www.diariouno.example/feed/]\n"
        "    sitemaps: []\ndiscovery: []\n", encoding="utf-8")
    log = tmp_path / "requests.jsonl"
    with serving(webdir, log_path=log) as proxy:
        stats = run_scrapy(tmp_path / "sources.yaml", tmp_path / "p.jsonl", tmp_path / "s.json",
                           settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy})
    asked = [json.loads(line)["url"] for line in log.read_text().splitlines()]
    assert "http://www.diariouno.example/buena" in asked
    assert not [u for u in asked if "10.0.0.5" in u or "169.254" in u]
    assert stats["prodesc/refused/private_address"] >= 2


def test_without_the_allow_list_a_loopback_feed_is_refused(tmp_path):
    from flows.steps import LOCAL_SERVER_SETTINGS, run_scrapy
    from tests.reliability.hostile.server import serving
    from tests.reliability.hostile.web import rss
    routes: dict = {}
    with serving(routes) as server:
        routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss([("a", server.base + "/a")]))
        (tmp_path / "sources.yaml").write_text(
            f"outlets:\n  - name: Local\n    domains: ['127.0.0.1']\n    reach: local\n    region: ''\n"
            f"    language: es\n    feeds: [{server.base}/feed.xml]\n    sitemaps: []\ndiscovery: []\n")
        stats = run_scrapy(tmp_path / "sources.yaml", tmp_path / "p.jsonl", tmp_path / "s.json",
                           settings={**LOCAL_SERVER_SETTINGS, "RETRY_TIMES": "0"}, env={"PRODESC_MONITOR_ALLOW": ""})
        assert server.log == []
    assert stats["prodesc/refused/private_address"] >= 1 and not stats.get("prodesc/feed_feeds")
