"""The sample-web replay server over real HTTP, and the sample web's own consistency.

The server is what the demo and the crawler tests talk to, so it is tested the
way a crawler uses it: urllib through a ProxyHandler, against a real socket.
The consistency tests keep ``flows/demo/sample_web`` honest: every URL a feed,
sitemap or robots.txt points to is served, and ``expected.json`` agrees with
the pages themselves.
"""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from flows.demo.sampleweb import SampleWeb, serving

SAMPLE = Path(__file__).resolve().parents[1] / "flows" / "demo" / "sample_web"
INDEX = json.loads((SAMPLE / "web" / "index.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
SOURCES = yaml.safe_load((SAMPLE / "sources.yaml").read_text(encoding="utf-8"))
MEXICO_CITY = timezone(timedelta(hours=-6))  # no DST in Mexico City since 2022: fixed for 2023+

ARTICLE = EXPECTED["counted_urls"][0]
GZ_SITEMAP = next(e["url"] for e in INDEX if e["url"].endswith(".xml.gz"))
FLAKY = next(e["url"] for e in INDEX if (e.get("behaviour") or {}).get("fail_first"))
UTM_URL = next(a["feed_url_variant"] for a in EXPECTED["articles"] if a.get("feed_url_variant"))


def fetch(proxy: str, url: str, headers: dict | None = None, timeout: float = 10):
    """GET ``url`` through the proxy like a crawler would: (status, headers, body)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
    req = urllib.request.Request(url, headers={"User-Agent": "prodesc-monitor-test", **(headers or {})})
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture
def web(tmp_path):
    log = tmp_path / "requests.jsonl"
    with serving(SAMPLE / "web", log_path=log) as proxy:
        yield proxy, log


# ---------------------------------------------------------------- the server

def test_serves_a_page_with_validators(web):
    proxy, _ = web
    status, headers, body = fetch(proxy, ARTICLE)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert f'<link rel="canonical" href="{ARTICLE}">'.encode() in body
    assert headers["ETag"] and headers["Last-Modified"]
    assert int(headers["Content-Length"]) == len(body)


def test_binds_loopback_and_picks_free_ports():
    with serving(SAMPLE) as a, serving(SAMPLE) as b:  # the parent folder of web/ is accepted too
        assert a.startswith("http://127.0.0.1:") and b.startswith("http://127.0.0.1:")
        assert a != b
        assert fetch(a, ARTICLE)[0] == fetch(b, ARTICLE)[0] == 200


def test_unknown_url_is_404(web):
    proxy, _ = web
    assert fetch(proxy, "http://www.cronicanacional.example/no/existe.html")[0] == 404
    assert fetch(proxy, "http://unknown-host.example/")[0] == 404
    for url in EXPECTED["unreachable_urls"]:  # deliberate 404s recorded in the index
        assert fetch(proxy, url)[0] == 404


def test_conditional_requests_get_304(web):
    proxy, _ = web
    _, headers, body = fetch(proxy, ARTICLE)
    status, h304, body304 = fetch(proxy, ARTICLE, {"If-None-Match": headers["ETag"]})
    assert (status, body304) == (304, b"")
    assert h304["ETag"] == headers["ETag"]
    assert fetch(proxy, ARTICLE, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(proxy, ARTICLE, {"If-None-Match": '"stale"'})[0] == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    assert fetch(proxy, ARTICLE, {"If-None-Match": '"stale"',
                                  "If-Modified-Since": headers["Last-Modified"]})[0] == 200


def test_fail_first_answers_503_then_ok(web):
    proxy, _ = web
    assert fetch(proxy, FLAKY)[0] == 503
    assert fetch(proxy, FLAKY)[0] == 200
    assert fetch(proxy, FLAKY)[0] == 200


def test_fail_first_budget_is_per_server():
    for _ in range(2):
        with serving(SAMPLE / "web") as proxy:
            assert fetch(proxy, FLAKY)[0] == 503


def test_unknown_query_strings_are_dropped(web):
    proxy, _ = web
    bare = fetch(proxy, UTM_URL.split("?")[0])
    tracked = fetch(proxy, UTM_URL)
    assert tracked[0] == bare[0] == 200 and tracked[2] == bare[2]
    assert fetch(proxy, ARTICLE + "?fbclid=IwAR0abc")[2] == fetch(proxy, ARTICLE)[2]
    # a query the index knows is kept; extra parameters next to it are dropped
    disc = SOURCES["discovery"][0]["url"]
    status, headers, body = fetch(proxy, disc + "&hl=es-419&gl=MX")
    assert status == 200 and b"<rss" in body
    assert fetch(proxy, disc.split("?")[0])[0] == 404  # without q= it is another page


def test_gzip_sitemap_is_served_as_bytes(web):
    proxy, _ = web
    status, headers, body = fetch(proxy, GZ_SITEMAP)
    assert status == 200
    assert headers["Content-Type"] == "application/x-gzip"
    assert "Content-Encoding" not in headers  # a file download, not a transfer encoding
    assert body[:2] == b"\x1f\x8b"
    root = ET.fromstring(gzip.decompress(body))
    assert root.tag.endswith("urlset") and len(root) >= 1


def test_delay_behaviour(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "slow.html").write_text("<p>slow</p>")
    (tmp_path / "index.json").write_text(json.dumps([
        {"url": "http://slow.example/", "status": 200, "headers": {"Content-Type": "text/html"},
         "file": "files/slow.html", "behaviour": {"delay": 0.3}}]))
    with serving(tmp_path) as proxy:
        t0 = time.monotonic()
        status, _, body = fetch(proxy, "http://slow.example/")
        assert status == 200 and body == b"<p>slow</p>"
        assert time.monotonic() - t0 >= 0.3


def test_request_log_has_one_json_line_per_request(web):
    proxy, log = web
    fetch(proxy, ARTICLE)
    fetch(proxy, "http://www.cronicanacional.example/no/existe.html")
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["method"], r["url"], r["status"]) for r in rows] == [
        ("GET", ARTICLE, 200), ("GET", "http://www.cronicanacional.example/no/existe.html", 404)]
    assert rows[0]["bytes"] > 1000 and rows[0]["ua"] == "prodesc-monitor-test"


def test_plain_requests_use_the_host_header(web):
    proxy, _ = web
    path = "/" + ARTICLE.split("/", 3)[3]
    req = urllib.request.Request(proxy + path, headers={"Host": ARTICLE.split("/")[2]})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200 and ARTICLE.encode() in r.read()


def test_command_line_serves_until_stopped():
    proc = subprocess.Popen([sys.executable, "-m", "flows.demo.sampleweb", str(SAMPLE), "--port", "0"],
                            cwd=SAMPLE.parents[2], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        proxy = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        assert fetch(proxy, ARTICLE)[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---------------------------------------------------------------- the sample web itself

def _links(body: bytes) -> list[str]:
    """URLs a crawler would follow from a feed (RSS/Atom) or a sitemap (index)."""
    root = ET.fromstring(body)
    urls = []
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "link" and el.get("href") and el.get("rel", "alternate") == "alternate":
            urls.append(el.get("href"))  # Atom
        elif tag in ("link", "loc") and el.text and el.text.strip().startswith("http"):
            urls.append(el.text.strip())  # RSS item/channel link, sitemap loc
    return urls


def _crawl_structure(proxy: str) -> tuple[set[str], set[str]]:
    """Fetch robots.txt, feeds and sitemaps over HTTP; return (structure URLs, linked page URLs)."""
    todo = [o for outlet in SOURCES["outlets"] for o in outlet["feeds"] + outlet["sitemaps"]]
    todo += [d["url"] for d in SOURCES["discovery"]]
    for outlet in SOURCES["outlets"]:
        status, _, body = fetch(proxy, f"http://{outlet['domains'][0]}/robots.txt")
        assert status == 200
        text = body.decode()
        assert re.search(r"^Disallow: /\S+", text, re.M), outlet["name"]
        assert re.findall(r"^Sitemap: (\S+)", text, re.M) == outlet["sitemaps"]
    seen, pages = set(), set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        status, headers, body = fetch(proxy, url)
        assert status == 200, url
        if url.endswith(".gz"):
            body = gzip.decompress(body)
        for link in _links(body):
            is_structure = re.search(r"sitemap|/sitemaps/|\.xml|\.atom|/feed/$", link)
            if is_structure and link != url and not link.endswith("/"):
                todo.append(link)
            elif not is_structure and link.count("/") > 3 and link.split("/", 3)[3]:
                pages.add(link)
    return seen, pages


def test_every_linked_url_is_served():
    web = SampleWeb(SAMPLE / "web")
    with serving(SAMPLE / "web") as proxy:
        structure, pages = _crawl_structure(proxy)
    assert any(u.endswith(".xml.gz") for u in structure)
    deliberate_404 = set(EXPECTED["unreachable_urls"])
    for url in pages:
        entry = web.lookup(url)
        assert entry is not None, f"linked but not in index: {url}"
        if url in deliberate_404:
            assert entry["status"] == 404
        else:
            assert entry["status"] == 200 and (SAMPLE / "web" / entry["file"]).is_file(), url
    # every page of the expected result is reachable from some feed or sitemap
    canonical = {web.lookup(u)["url"] for u in pages}
    assert set(EXPECTED["counted_urls"]) | set(EXPECTED["not_counted_urls"]) <= canonical


def test_index_files_exist_and_hosts_are_fictional():
    for e in INDEX:
        assert e["url"].startswith("http://"), e["url"]
        host = e["url"].split("/")[2]
        assert host.endswith(".example"), host
        if e.get("file"):
            assert (SAMPLE / "web" / e["file"]).is_file(), e["file"]


def _meta(html: str, prop: str) -> str:
    return re.search(rf'<meta (?:property|name)="{prop}" content="([^"]*)"', html).group(1)


def test_expected_agrees_with_the_pages():
    web = SampleWeb(SAMPLE / "web")
    counted, not_counted = set(EXPECTED["counted_urls"]), set(EXPECTED["not_counted_urls"])
    assert not counted & not_counted
    html_pages = {e["url"] for e in INDEX if e["status"] == 200 and e["headers"]["Content-Type"].startswith("text/html")}
    assert html_pages == counted | not_counted  # every served page is classified
    registry_domains = {d for o in SOURCES["outlets"] for d in o["domains"]}
    reach_of = {d: o["reach"] for o in SOURCES["outlets"] for d in o["domains"]}
    tally, n_articles = {}, 0
    for a in EXPECTED["articles"]:
        n_articles += 1
        assert a["counted"] == (a["url"] in counted)
        html = web.body(web.lookup(a["url"])).decode("utf-8")
        assert f'<link rel="canonical" href="{a["url"]}">' in html
        published = datetime.fromisoformat(_meta(html, "article:published_time"))
        assert published.isoformat() == a["published"]
        assert published.astimezone(MEXICO_CITY).date().isoformat() == a["date"]
        assert a["reach"] == reach_of.get(a["domain"], "unclassified")
        assert (a["theme"] is not None) == a["counted"]
        if a["counted"] and a["date"].startswith("2023"):
            by_reach = tally.setdefault(a["theme"], {})
            by_reach[a["reach"]] = by_reach.get(a["reach"], 0) + 1
            assert a["reached_via"] == ["sitemap"]  # 2023 is only in the sitemaps
    assert 16 <= n_articles <= 20
    assert tally == EXPECTED["tally_2023"]
    assert sum(sum(r.values()) for r in tally.values()) == EXPECTED["tally_2023_total"]
    assert set(EXPECTED["unclassified_domains"]).isdisjoint(registry_domains)
    assert any(a["domain"] in EXPECTED["unclassified_domains"] and a["counted"] for a in EXPECTED["articles"])


def test_trap_pages_name_prodesc_only_outside_the_main_text():
    web = SampleWeb(SAMPLE / "web")
    traps = {a["trap"]: a["url"] for a in EXPECTED["articles"] if a["trap"]}
    sidebar = web.body(web.lookup(traps["sidebar_mentions_prodesc"])).decode()
    comment = web.body(web.lookup(traps["comment_mentions_prodesc"])).decode()
    for html, outside in ((sidebar, r"<aside.*?</aside>"), (comment, r'<section class="comments".*?</section>')):
        assert "ProDESC" in re.search(outside, html, re.S).group(0)
        assert "ProDESC" not in re.sub(outside, "", html, flags=re.S)
    for trap in ("chichen_itza_tourism", "bachoco_finance", "unica_word"):
        assert "ProDESC" not in web.body(web.lookup(traps[trap])).decode()
