"""Property tests: arbitrary input never raises; canonical URLs are idempotent.

Hypothesis generates URLs, date strings, texts and bytes that no fixture thought of.
Example counts stay modest so the suite stays fast.
"""
from __future__ import annotations

import string
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.dates import parse_moment
from pipelines.urls import canonical_key, canonical_url, decode_google_news, host_of, url_key

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_host_label = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12)
_path_seg = st.text(alphabet=string.ascii_letters + string.digits + "-_.~%áéñ ", max_size=12)
_param = st.tuples(st.sampled_from(["utm_source", "id", "fbclid", "q", "amp", "p", "ref"]),
                   st.text(alphabet=string.ascii_letters + string.digits + "%+ ", max_size=8))
urls = st.builds(
    lambda scheme, www, labels, tld, port, segs, params, frag, amp: (
        f"{scheme}://{www}{amp}{'.'.join(labels)}.{tld}{port}/" + "/".join(segs)
        + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "") + frag),
    st.sampled_from(["http", "https", "HTTP"]), st.sampled_from(["", "www.", "m."]),
    st.lists(_host_label, min_size=1, max_size=3), st.sampled_from(["mx", "com", "com.mx", "example"]),
    st.sampled_from(["", ":80", ":443", ":8080"]), st.lists(_path_seg, max_size=4),
    st.lists(_param, max_size=4), st.sampled_from(["", "#top", "#"]), st.sampled_from(["", "amp."]))


@FAST
@given(st.text(max_size=300))
@example("http://[::1")             # unbalanced IPv6 bracket
@example("http://a.example:99999/")  # port out of range
@example("\x00http://a.example/\x1b")
def test_canonical_url_never_raises_on_any_text(text):
    for f in (canonical_url, url_key, host_of, decode_google_news):
        f(text)


@FAST
@given(urls)
def test_canonical_url_is_idempotent(url):
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert url_key(once) == url_key(url) == canonical_key(once)   # what the extractor stores


@FAST
@given(st.text(max_size=300))
@example("./0")   # normalised to a URL without a host, which moved when normalised again
def test_canonical_url_is_idempotent_on_any_text(text):
    once = canonical_url(text)
    assert canonical_url(once) == once
    assert canonical_key(once) == url_key(text)


@FAST
@given(st.one_of(st.text(max_size=200), st.none(), st.integers(), st.binary(max_size=50)), st.booleans())
@example("0001-01-01T00:00:00Z", False)     # real page (usatoday, scrapinghub benchmark): overflowed
@example("9999-12-31T23:59:59-12:00", False)
@example("31 de febrero de 2024", True)
def test_parse_moment_never_raises(value, visible):
    moment = parse_moment(value, visible=visible)
    assert moment is None or (isinstance(moment, datetime) and moment.tzinfo is not None)


@FAST
@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)))
def test_iso_moments_round_trip(moment):
    assert parse_moment(moment.isoformat()) == moment


@pytest.fixture(scope="module")
def tagger():
    from nlp.tagger import Tagger
    return Tagger.load()


_words = st.sampled_from(["ProDESC", "Prodesc", "Unión Hidalgo", "Alejandra Ancheita", "ejido", "Bachoco",
                          "Chichén Itzá", "única", "@ProDESC_AC", "#ProDESC", "ProDESC-A.C.", "EDF-Unión",
                          "mineros", "sindicato", "Tehuantepec", "\x00", "\u200b", "\ufeff", "\U0001F600"])
_texts = st.one_of(st.text(max_size=400), st.lists(st.one_of(_words, st.text(max_size=12)), max_size=60).map(" ".join))


@FAST
@given(_texts, _texts, st.one_of(st.none(), st.text(max_size=40)))
def test_tagger_never_raises(tagger, title, text, author):
    result = tagger.tag(title, text, author=author)
    assert isinstance(result.is_appearance, bool)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([None, "application/rss+xml", "text/html", "text/xml; charset=utf-16"]))
def test_parse_feed_never_raises(body, ctype):
    from spiders.feeds import parse_feed
    parse_feed(body, "http://a.example/feed", ctype)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.binary(max_size=3000),
                 st.text(max_size=2000).map(lambda t: f"<html><head><title>{t[:50]}</title></head><body><p>{t}</p>"
                                                      f"</body></html>".encode("utf-8", "surrogatepass"))),
       st.sampled_from(["text/html", "text/html; charset=utf-8", "", "application/octet-stream"]))
def test_extract_article_never_raises(registry_from_conftest, body, ctype):
    from pipelines.extract import extract_article
    from pipelines.records import FetchedPage
    page = FetchedPage(url="http://www.diariouno.example/n", final_url="http://www.diariouno.example/n", status=200,
                       content_type=ctype, body=body, discovered_via="feed", source_url="", listed_at=None,
                       listed_title=None, fetched_at=datetime(2026, 11, 28, tzinfo=timezone.utc).isoformat())
    extract_article(page, registry_from_conftest)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=300).map(
    lambda t: f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{t}</loc></url>'.encode())))
@example(b"")
@example(b"<?xml version='1.0'?>")
@example(b"\x1f\x8b\x08\x00garbage")
def test_sitemap_readers_never_raise(body):
    """What a sitemap listing meets: the safety check, then (if it passes) Scrapy's parser and ours."""
    from scrapy.utils.sitemap import Sitemap

    from spiders.safety import gunzipped_size, has_root_element
    from spiders.sitemaps import news_publication_dates
    gunzipped_size(body, 1 << 20)
    news_publication_dates(body)
    if has_root_element(body):   # else ListingSafetyMiddleware refuses it (prodesc/refused/not_xml)
        list(Sitemap(body))


@pytest.fixture(scope="module")
def registry_from_conftest(tmp_path_factory):
    from pipelines.registry import load_registry
    from tests.conftest import REGISTRY_YAML
    path = tmp_path_factory.mktemp("reg") / "sources.yaml"
    path.write_text(REGISTRY_YAML, encoding="utf-8")
    return load_registry(path)
