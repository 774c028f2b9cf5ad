from datetime import date, datetime, timezone

from pipelines.extract import extract_article
from pipelines.records import FetchedPage, Skip
from tests.conftest import FIXTURES


def fetched(body: bytes, url="http://www.diariouno.example/cultura/bordadoras-exponen-en-merida?utm_source=fb",
            ctype="text/html; charset=utf-8", status=200, listed_at=None):
    return FetchedPage(url=url, final_url=url, status=status, content_type=ctype, body=body,
                       discovered_via="feed", source_url="http://www.diariouno.example/feed/",
                       listed_at=listed_at, listed_title=None,
                       fetched_at=datetime(2026, 11, 28, 12, tzinfo=timezone.utc).isoformat())


def test_main_text_excludes_menus_sidebars_and_comments(registry):
    article = extract_article(fetched((FIXTURES / "article_with_comments.html").read_bytes()), registry)
    assert not isinstance(article, Skip)
    assert "catorce bordadoras" in article.text.lower()
    assert "prodesc" not in article.text.lower()          # only in the menu, the sidebar and a comment
    assert article.title == "Bordadoras de Tehuantepec exponen en Mérida"
    assert article.author == "Lucía Pech"
    assert article.url == "http://www.diariouno.example/cultura/bordadoras-exponen-en-merida"
    assert article.outlet == "Diario Uno"
    assert (article.published_date, article.date_source) == (date(2026, 11, 4), "metadata")


def test_tag_page_is_not_an_article(registry):
    result = extract_article(fetched((FIXTURES / "tag_page.html").read_bytes(), url="http://www.diariouno.example/tag/prodesc/"), registry)
    assert isinstance(result, Skip) and result.reason == "not_an_article"


def test_non_html_and_errors_are_skips(registry):
    assert extract_article(fetched(b"%PDF-1.4 ...", ctype="application/pdf"), registry).reason == "not_html"
    assert extract_article(fetched(b"", status=404), registry).reason == "http_error"
    assert extract_article(fetched(b"   "), registry).reason == "empty"
    assert extract_article(fetched(b"\x00\x01\x02binary", ctype="application/octet-stream"), registry).reason == "not_html"


def test_canonical_to_another_outlet_is_ignored(registry):
    # A syndicated copy pointing its canonical link at the original outlet is still its own appearance.
    body = (FIXTURES / "article_with_comments.html").read_bytes().replace(
        b"http://www.diariouno.example/cultura/bordadoras-exponen-en-merida", b"http://nacionaldos.example/original")
    article = extract_article(fetched(body, url="http://www.diariouno.example/copia"), registry)
    assert article.url == "http://www.diariouno.example/copia" and article.outlet == "Diario Uno"


def test_latin1_page_declared_only_in_meta(registry):
    html = (FIXTURES / "article_with_comments.html").read_text(encoding="utf-8").replace(
        '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    article = extract_article(fetched(html.encode("latin-1"), ctype="text/html"), registry)
    assert "Mérida" in article.title


def test_news_search_page_is_never_an_article(registry):
    body = (FIXTURES / "article_with_comments.html").read_bytes()
    url = "https://news.google.com/rss/articles/AU_yqLNmZ4opaque?oc=5"
    result = extract_article(fetched(body, url=url), registry)
    assert isinstance(result, Skip) and result.reason == "not_an_article"
