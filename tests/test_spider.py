"""The real spider, in its own process, over real HTTP against the sample web (a local server)."""
import json
from pathlib import Path

import pytest

from flows.demo.sampleweb import serving
from flows.steps import LOCAL_SERVER_SETTINGS, run_scrapy
from pipelines.staging import read_staged

SAMPLE = Path(__file__).parent.parent / "flows" / "demo" / "sample_web"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl")
    log = out / "requests.jsonl"
    with serving(SAMPLE / "web", log_path=log) as proxy:
        stats = run_scrapy(SAMPLE / "sources.yaml", out / "pages.jsonl", out / "stats.json", since="2023-01-01",
                           settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy})
    pages = [p for p, err in read_staged(out / "pages.jsonl")]
    requests = [json.loads(line) for line in log.read_text().splitlines()]
    return stats, pages, requests


def test_every_listed_article_is_fetched(crawl):
    stats, pages, _ = crawl
    expected = json.loads((SAMPLE / "expected.json").read_text())
    fetched = {p.final_url for p in pages if p.status == 200}
    from pipelines.urls import url_key
    keys = {url_key(u) for u in fetched}
    for url in expected["counted_urls"] + expected["not_counted_urls"]:
        assert url_key(url) in keys, url


def test_feeds_sitemaps_and_gzip_are_read(crawl):
    stats, pages, requests = crawl
    assert stats["prodesc/feed_feeds"] == 4 and stats["prodesc/discovery_feeds"] == 1
    assert stats["prodesc/listed/sitemap"] > 0
    assert any(r["url"].endswith(".xml.gz") and r["status"] == 200 for r in requests)


def test_polite_identity_and_robots(crawl):
    stats, pages, requests = crawl
    assert all("prodesc-monitor" in r["ua"] for r in requests)
    assert any(r["url"].endswith("/robots.txt") for r in requests)
    disallowed = []
    index = json.loads((SAMPLE / "web" / "index.json").read_text())
    for entry in index:
        if entry["url"].endswith("/robots.txt"):
            body = (SAMPLE / "web" / entry["file"]).read_text()
            host = entry["url"].rsplit("/", 1)[0]
            disallowed += [host + line.split(":", 1)[1].strip() for line in body.splitlines()
                           if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip()]
    assert disallowed
    assert not [r for r in requests if any(r["url"].startswith(d) for d in disallowed)]


def test_failing_page_is_retried_then_fetched(crawl):
    stats, pages, _ = crawl
    assert stats.get("retry/count", 0) >= 1
    assert stats.get("prodesc/failed/page", 0) <= 1        # only the deleted article


def test_tracking_variants_fetched_once(crawl):
    _, pages, requests = crawl
    urls = [r["url"] for r in requests if "utm_" in r["url"]]
    assert urls == []          # tracking parameters are dropped before the request


def test_unreachable_web_fails_loudly(tmp_path):
    """With the proxy down nothing can be read: the run must fail, not report an empty success."""
    import socket
    from flows.steps import fetch
    from pipelines.errors import TransientFetchError
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(TransientFetchError, match="No se pudo leer ningún feed ni sitemap"):  # Prefect retries it
        fetch(SAMPLE / "sources.yaml", tmp_path / "x.ducklake", "run", settings={**LOCAL_SERVER_SETTINGS, "RETRY_TIMES": "0"},
              env={"http_proxy": dead})


def test_second_run_fetches_only_what_is_new(tmp_path):
    from flows.steps import crawl
    log = tmp_path / "requests.jsonl"
    with serving(SAMPLE / "web", log_path=log) as proxy:
        first = crawl(SAMPLE / "sources.yaml", tmp_path / "i.ducklake", "2023-01-01", settings=LOCAL_SERVER_SETTINGS,
                      env={"http_proxy": proxy}, say=lambda m: None)
        n_first = len(log.read_text().splitlines())
        second = crawl(SAMPLE / "sources.yaml", tmp_path / "i.ducklake", "2023-01-01", settings=LOCAL_SERVER_SETTINGS,
                       env={"http_proxy": proxy}, say=lambda m: None)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    first_bytes = sum(x["bytes"] for x in lines[:n_first])
    second_bytes = sum(x["bytes"] for x in lines[n_first:])
    assert second.loaded.new_articles == 0 and first.loaded.new_articles > 10
    assert second_bytes < 0.1 * first_bytes
    assert any(x["status"] == 304 for x in lines[n_first:])
