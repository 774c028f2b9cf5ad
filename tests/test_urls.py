import pytest

from pipelines.urls import canonical_url, url_key

SAME = [
    "http://piedepagina.example/ciudad/2026/11/18/nota.html",
    "https://piedepagina.example/ciudad/2026/11/18/nota.html",
    "http://piedepagina.example/ciudad/2026/11/18/nota.html?fbclid=IwAR0xyz",
    "http://piedepagina.example/ciudad/2026/11/18/nota.html?utm_source=tw&utm_medium=social",
    "http://piedepagina.example/ciudad/2026/11/18/nota.html/amp/",
    "http://piedepagina.example/amp/ciudad/2026/11/18/nota.html",
    "http://PiedePagina.example:80/ciudad/2026/11/18/nota.html#comentarios",
]


@pytest.mark.parametrize("variant", SAME)
def test_variants_share_one_key(variant):
    assert url_key(variant) == url_key(SAME[0])


def test_meaningful_query_is_kept():
    assert canonical_url("http://www.milenio.example/?p=149&utm_campaign=x") == "http://www.milenio.example/?p=149"
    assert url_key("http://x.example/nota?id=1") != url_key("http://x.example/nota?id=2")


def test_trailing_slash_and_mobile_host():
    assert url_key("http://x.example/a/b/") == url_key("http://x.example/a/b")
    assert url_key("http://m.x.example/a") == url_key("http://www.x.example/a")


def test_canonicalisation_is_idempotent():
    for u in SAME:
        once = canonical_url(u)
        assert canonical_url(once) == once
