"""Scrapy's own commands on the monitor's project, as a Scrapy user types them.

`prodesc-monitor crawl` runs the spider with a staging file; these tests run what a
Scrapy user would from the repository root (`scrapy list`, `scrapy crawl monitor -O
items.jsonl`), as real subprocesses against the demo's sample web, and check that the
feed export is valid JSON lines with the page bodies as text, and that the crawl
explains in one line that it does not store anything in the warehouse.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.demo.sampleweb import serving
from flows.steps import LOCAL_SERVER_SETTINGS
from pipelines.records import FeedCheck, FetchedPage
from pipelines.urls import url_key
from spiders.exporters import TextBodyJsonLinesItemExporter, body_text
from spiders.monitor import MonitorSpider

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "flows" / "demo" / "sample_web"
ONE_LINE = "scrapy crawl monitor solo recoge las páginas"


def scrapy(*args: str, env: dict | None = None, cwd: Path = ROOT, timeout: float = 90):
    """`scrapy ARGS` from `cwd`, found through scrapy.cfg as a Scrapy user's shell would."""
    child_env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    child_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, env=child_env,
                          capture_output=True, text=True, timeout=timeout)


def test_scrapy_list_shows_the_spider():
    proc = scrapy("list")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["monitor"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("scrapy_crawl")
    settings = {**LOCAL_SERVER_SETTINGS, "HTTPCACHE_ENABLED": "False"}   # no .scrapy/httpcache in the repository
    with serving(SAMPLE / "web") as proxy:
        proc = scrapy("crawl", "monitor", "-a", f"sources={SAMPLE / 'sources.yaml'}", "-a", "since=2023-01-01",
                      "-O", str(out / "items.jsonl"),
                      *[arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")],
                      env={"http_proxy": proxy})
    lines = (out / "items.jsonl").read_text(encoding="utf-8").splitlines() if (out / "items.jsonl").exists() else []
    return proc, lines


def test_crawl_exits_cleanly_and_says_so_in_one_line(crawled):
    proc, _ = crawled
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stderr
    assert "Traceback" not in log
    assert not re.search(r"\] (ERROR|CRITICAL): ", log), log[-3000:]
    assert "'log_count/ERROR'" not in log
    assert log.count(ONE_LINE) == 1 and "prodesc-monitor crawl" in log


def test_every_line_is_json_and_every_item_is_there(crawled):
    proc, lines = crawled
    items = [json.loads(line) for line in lines]          # every line parses
    scraped = int(re.search(r"'item_scraped_count': (\d+)", proc.stderr).group(1))
    assert len(items) == scraped
    pages = [i for i in items if "final_url" in i]
    checks = [i for i in items if "listing_url" in i]
    assert len(pages) + len(checks) == len(items)
    # the sample web since 2023: its 19 pages and the deleted one (20), and 22 feed and sitemap reads
    # (measured; the recorded web does not change)
    assert (len(pages), len(checks)) == (20, 22)
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
    fetched = {url_key(p["final_url"]) for p in pages if p["status"] == 200}
    for url in expected["counted_urls"] + expected["not_counted_urls"]:
        assert url_key(url) in fetched, url
    failed = {url_key(p["url"]) for p in pages if p["error"]}
    assert failed == {url_key(u) for u in expected["unreachable_urls"]}


def test_the_body_is_the_page_as_text(crawled):
    _, lines = crawled
    pages = [json.loads(line) for line in lines if '"final_url"' in line]
    assert set(pages[0]) == set(FetchedPage.__dataclass_fields__) - {"body_gz"}   # staging's, not the page's
    html = [p for p in pages if p["status"] == 200 and p["content_type"].startswith("text/html")]
    assert html and all(isinstance(p["body"], str) and "<html" in p["body"].lower() for p in html)
    # accents arrive as accents: the body was decoded, not escaped bytes or mojibake
    assert any(re.search(r"[áéíóúñ]", p["body"]) for p in html)
    assert not any("Ã" in p["body"] for p in html)
    assert all(p["body"] == "" for p in pages if p.get("error"))


def test_spider_reads_sources_yaml_of_the_current_directory(tmp_path, monkeypatch):
    shutil.copy(SAMPLE / "sources.yaml", tmp_path / "sources.yaml")
    monkeypatch.chdir(tmp_path)
    spider = MonitorSpider()
    assert "Diario Peninsular" in {o.name for o in spider.registry.outlets}


# ------------------------------------------------------------------ the exporter alone

LATIN1_PAGE = "<html><head><title>Añadió</title></head><body>Acción en Juchitán</body></html>".encode("latin-1")


@pytest.mark.parametrize("ctype, body", [
    ("text/html; charset=iso-8859-1", LATIN1_PAGE),                                           # the header says
    ("text/html", LATIN1_PAGE.replace(b"<head>", b'<head><meta charset="windows-1252">')),     # the page says
    ("text/html; charset=utf-8", LATIN1_PAGE.decode("latin-1").encode("utf-8")),
])
def test_body_is_decoded_with_the_responses_encoding(ctype, body):
    page = FetchedPage(url="http://x.example/a", final_url="http://x.example/a", status=200, content_type=ctype,
                       body=body, discovered_via="feed", source_url="http://x.example/rss", listed_at=None,
                       listed_title=None, fetched_at="2026-12-06T12:00:00+00:00")
    assert "Añadió" in body_text(page) and "Acción en Juchitán" in body_text(page)
    out = io.BytesIO()
    exporter = TextBodyJsonLinesItemExporter(out, encoding="utf-8")
    check = FeedCheck(listing_url="http://x.example/rss", via="feed", outlet="X", status=200, entries=1,
                      problem=None, from_cache=False, checked_at="2026-12-06T12:00:00+00:00")
    exporter.start_exporting()
    exporter.export_item(page)
    exporter.export_item(check)
    exporter.finish_exporting()
    first, second = (json.loads(line) for line in out.getvalue().decode("utf-8").splitlines())
    # same fields, same order, but staging's compressed body
    assert list(first) == [f for f in FetchedPage.__dataclass_fields__ if f != "body_gz"]
    assert "Acción en Juchitán" in first["body"] and first["url"] == page.url
    assert second["entries"] == 1 and second["listing_url"] == check.listing_url


@pytest.mark.parametrize("spargs, says", [
    ((), "sources.yaml: el archivo de medios no existe"),
    (("-a", f"sources={ROOT / 'sources.yaml'}", "-a", "since=2023-13-01"), "-a since=2023-13-01: la fecha"),
])
def test_a_mistake_in_the_spiders_arguments_is_one_line_and_exit_2(tmp_path, spargs, says):
    """Before spiders/commands/crawl.py, Scrapy built the spider inside its reactor: the mistake
    came out as an 'exception was never retrieved' traceback, and the exit code was 0."""
    shutil.copy(ROOT / "scrapy.cfg", tmp_path)              # a folder without sources.yaml
    proc = scrapy("crawl", "monitor", *spargs, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("scrapy crawl monitor:")]
    assert len(lines) == 1 and says in lines[0], proc.stderr
