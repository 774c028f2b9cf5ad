"""The real crawler, in its own process, against a hostile web on 127.0.0.1 (tests/reliability/hostile/web.py).

One crawl (module fixture) meets every fault at once: private-address links, a file://
link, parser bombs, redirect loops, never-ending bodies, lying charsets, binary pages.
It must finish, load, and leave a record (stats, skipped_pages, feed_checks) of each.
"""
from __future__ import annotations

import json
import time
from pathlib import Path


from warehouse.db import connect as open_warehouse
import pytest

from flows.steps import LOCAL_SERVER_SETTINGS, crawl
from tests.reliability.hostile import web
from tests.reliability.hostile.server import serving

SETTINGS = {**LOCAL_SERVER_SETTINGS, "NETWORK_ALLOWLIST": "127.0.0.1", "DOWNLOAD_TIMEOUT": "3", "RETRY_TIMES": "0",
            "FEED_MAX_ENTRIES": "50"}     # 2000 in production; 50 keeps the 100 000-item feed's 404s few


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    routes: dict = {}
    with serving(routes) as server:
        routes.update(web.build(server.base))
        (out / "sources.yaml").write_text(web.sources_yaml(server.base), encoding="utf-8")
        started = time.monotonic()
        result = crawl(out / "sources.yaml", out / "h.ducklake", since="2020-01-01", settings=SETTINGS,
                       say=lambda m: None)
        took = time.monotonic() - started
        requested = list(server.log)
    loaded = out / "staging" / "loaded"
    log = next(loaded.glob("*.log")).read_text(encoding="utf-8")
    staged = next(loaded.glob("*.jsonl")).read_bytes()
    con = open_warehouse(out / "h.ducklake", read_only=True)
    yield {"result": result, "stats": result.crawl_stats, "took": took, "requested": requested, "log": log,
           "staged": staged, "con": con, "base": server.base, "db": out / "h.ducklake"}
    con.close()


def _skips(con) -> dict[str, tuple[str, str]]:
    return {u: (r, d) for u, r, d in con.execute("SELECT url, reason, detail FROM skipped_pages").fetchall()}


def _article(con, path: str, base: str):
    return con.execute("SELECT title, main_text FROM articles WHERE url = ?", [base + path]).fetchone()


def test_the_crawl_finishes_and_loads(hostile):
    assert hostile["took"] < 60
    assert hostile["result"].loaded.unreadable_lines == 0
    good = [r[0] for r in hostile["con"].execute("SELECT url FROM articles").fetchall()]
    for path in ("/good", "/good-lol", "/good-xxe", "/good-truncated-feed", "/good-sitemap"):
        assert hostile["base"] + path in good


# --- network safety ---------------------------------------------------------------------
def test_private_addresses_in_feeds_are_refused_and_counted(hostile):
    skips = _skips(hostile["con"])
    for url in ("http://10.0.0.5/nota", "http://192.168.1.1/admin", "http://169.254.169.254/latest/meta-data/",
                "http://[::1]/nota", "http://[::ffff:10.0.0.7]/nota", "http://0x0a000008/nota",
                "http://localhost:1/nota", "http://224.0.0.1/nota", "http://0.0.0.0/nota"):
        reason, detail = skips[url]
        assert reason == "fetch_failed" and "refused" in detail, url
        assert f"Refused {url}" in hostile["log"]
    assert hostile["stats"]["prodesc/refused/private_address"] >= 10


def test_other_loopback_addresses_are_not_allow_listed(hostile):
    port = hostile["base"].rsplit(":", 1)[1]
    assert "refused" in _skips(hostile["con"])[f"http://127.0.0.2:{port}/good"][1]


def test_redirect_to_a_private_address_is_refused(hostile):
    assert "/to-metadata" in hostile["requested"]
    assert "refused" in _skips(hostile["con"])["http://169.254.169.254/latest/meta-data/iam"][1]


def test_file_links_are_never_read(hostile):
    assert hostile["stats"]["prodesc/refused/scheme"] == 1
    assert b"root:" not in hostile["staged"]
    assert not hostile["con"].execute("SELECT count(*) FROM articles WHERE main_text LIKE '%root:%'").fetchone()[0]


def test_a_redirect_to_file_is_never_followed(hostile):
    """A public page answering 302 to file:///etc/passwd: Scrapy follows redirects to http(s) only,
    so the 302 stays the page's answer (an `http_error` skip); nothing local is read."""
    assert "/to-file" in hostile["requested"]
    assert _skips(hostile["con"])[hostile["base"] + "/to-file"] == ("http_error", "302")
    assert hostile["stats"]["prodesc/refused/scheme"] == 1       # the feed's own file: link, nothing more
    assert b"root:" not in hostile["staged"]
    assert "file:///etc/passwd" not in hostile["con"].execute("SELECT string_agg(url, ' ') FROM articles").fetchone()[0]


# --- parser bombs -----------------------------------------------------------------------
def test_a_100k_item_feed_is_read_up_to_the_cap_and_counted(hostile):
    """100 000 entries within DOWNLOAD_MAXSIZE: the first FEED_MAX_ENTRIES are read and fetched,
    the rest counted and logged, never parsed nor requested."""
    assert hostile["stats"]["prodesc/feed_entries_capped"] == 100_000 - 50
    assert "beyond FEED_MAX_ENTRIES (50): only the first 50 are read" in hostile["log"]
    fetched = sorted(p for p in hostile["requested"] if p.startswith("/n/"))
    assert fetched == sorted(f"/n/{i}" for i in range(50))
    entries, problem = hostile["con"].execute(
        "SELECT entries, problem FROM feed_checks WHERE listing_url LIKE '%feed-100k.xml'").fetchone()
    assert (entries, problem) == (50, None)


def test_billion_laughs_feed_and_sitemap_are_not_expanded(hostile):
    con = hostile["con"]
    assert hostile["stats"]["prodesc/xml_entities_ignored"] >= 3
    assert "declares XML entities" in hostile["log"]
    longest = con.execute("SELECT max(length(title)) FROM articles").fetchone()[0]
    assert longest < 200
    entries = dict(con.execute("SELECT listing_url, entries FROM feed_checks").fetchall())
    assert entries[hostile["base"] + "/lol.xml"] == 1            # its entry is still read
    assert entries[hostile["base"] + "/sitemap-lol.xml"] == 0    # nothing expanded into a URL


def test_external_entities_are_never_fetched_nor_read(hostile):
    assert "/xxe-callback" not in hostile["requested"]
    assert b"root:" not in hostile["staged"]
    titles = [t for (t,) in hostile["con"].execute("SELECT title FROM articles").fetchall()]
    assert not any("root:" in t for t in titles)


def test_gzip_bomb_sitemap_is_refused_with_a_clear_line(hostile):
    assert hostile["stats"]["prodesc/refused/gzip_bomb"] == 1
    assert "expands beyond DOWNLOAD_MAXSIZE" in hostile["log"]
    problem = hostile["con"].execute("SELECT problem FROM feed_checks WHERE listing_url LIKE '%sitemap-bomb.xml.gz'").fetchone()[0]
    assert "gzip bomb" in problem


def test_corrupt_gzip_and_non_xml_sitemaps_are_refused_and_recorded(hostile):
    assert hostile["stats"]["prodesc/refused/bad_gzip"] == 1
    assert hostile["stats"]["prodesc/refused/not_xml"] == 1
    problems = dict(hostile["con"].execute("SELECT listing_url, problem FROM feed_checks").fetchall())
    assert "cannot be decompressed" in problems[hostile["base"] + "/sitemap-bad.xml.gz"]
    assert "not XML" in problems[hostile["base"] + "/sitemap-notxml.xml"]
    assert not hostile["stats"].get("spider_exceptions/StopIteration")


def test_gzip_content_encoding_bomb_is_cut_at_the_limit(hostile):
    reason, detail = _skips(hostile["con"])[hostile["base"] + "/encoded-bomb"]
    assert reason == "fetch_failed" and "DOWNLOAD_MAXSIZE" in detail


def test_endless_redirects_stop_at_the_limit(hostile):
    assert "/chain/10" in hostile["requested"] and "/chain/11" not in hostile["requested"]
    assert "max redirections reached" in _skips(hostile["con"])[hostile["base"] + "/chain/10"][1]
    assert hostile["requested"].count("/loop-a") == 1            # a -> b -> a: Scrapy's duplicate filter


def test_never_ending_responses_are_cut(hostile):
    skips = _skips(hostile["con"])
    assert "took longer than 3.0 seconds" in skips[hostile["base"] + "/drip"][1]
    assert skips[hostile["base"] + "/endless"][0] == "fetch_failed"


# --- bad bytes --------------------------------------------------------------------------
def test_windows_1252_served_as_utf8_is_read_right(hostile):
    title, text = _article(hostile["con"], "/cp1252", hostile["base"])
    assert title == "Niñas de Unión Hidalgo “defienden” su tierra"
    assert "acompañadas por ProDESC" in text and "€1 000" in text


def test_control_characters_never_reach_the_database(hostile):
    title, text = _article(hostile["con"], "/control", hostile["base"])
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in title + text)


def test_binary_empty_truncated_and_mojibake_pages_are_handled(hostile):
    skips, base = _skips(hostile["con"]), hostile["base"]
    assert skips[base + "/binary"][0] in ("no_text", "not_html", "not_an_article")
    assert skips[base + "/empty"][0] == "empty"
    assert skips[base + "/pdf"][0] in ("empty", "not_html")
    assert _article(hostile["con"], "/truncated", base) is not None    # what there is of it is read
    assert _article(hostile["con"], "/mojibake", base) is not None     # stored as the site wrote it


def test_broken_feeds_are_counted_not_fatal(hostile):
    checks = {u: (e, p) for u, e, p in hostile["con"].execute(
        "SELECT listing_url, entries, problem FROM feed_checks").fetchall()}
    base = hostile["base"]
    for feed in ("/html-feed.xml", "/empty-feed.xml", "/binary-feed.xml"):
        assert checks[base + feed][0] == 0
    assert checks[base + "/truncated-feed.xml"][0] == 1
    assert hostile["stats"]["prodesc/feeds_empty"] >= 3 and hostile["stats"]["prodesc/feeds_ill_formed"] >= 3


def test_a_link_that_is_no_url_does_not_lose_the_rest_of_the_feed(hostile):
    entries = dict(hostile["con"].execute("SELECT listing_url, entries FROM feed_checks").fetchall())
    assert entries[hostile["base"] + "/feed.xml"] >= 25          # the two broken links dropped, the rest read
    assert "Spider error processing <GET " + hostile["base"] + "/feed.xml>" not in hostile["log"]


def test_a_sitemap_loc_that_is_no_url_does_not_lose_the_rest_of_the_sitemap(hostile):
    assert hostile["base"] + "/good-after-badloc" in [r[0] for r in hostile["con"].execute("SELECT url FROM articles").fetchall()]
