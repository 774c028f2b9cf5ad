"""The real spider, in its own process, over real HTTP against the sample web (a local server)."""
import json
from pathlib import Path

import pytest

from flows.sampleweb import serving
from flows.steps import LOCAL_SERVER_SETTINGS, run_scrapy
from pipelines.staging import read_staged

SAMPLE = Path(__file__).parent.parent / "flows" / "sample_web"


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
