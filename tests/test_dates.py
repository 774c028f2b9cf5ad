from datetime import date, datetime, timezone

from pipelines.dates import choose_date, parse_moment, parse_tree


def page(head="", body=""):
    return parse_tree(f"<html><head>{head}</head><body>{body}</body></html>".encode())


def test_utc_metadata_is_read_in_mexico_city():
    # 22:45 on New Year's Eve in Mexico City is already 1 January in UTC: it belongs to the old year.
    tree = page('<meta property="article:published_time" content="2024-01-01T04:45:00Z">')
    moment, day, source = choose_date(tree, None, None, datetime.now(timezone.utc))
    assert day == date(2023, 12, 31) and source == "metadata"


def test_json_ld_date_published():
    tree = page('<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-05-02T10:00:00-06:00",'
                '"dateModified":"2024-01-01T00:00:00-06:00"}</script>')
    assert choose_date(tree, None, None, datetime.now(timezone.utc))[1:] == (date(2023, 5, 2), "metadata")


def test_visible_spanish_byline():
    tree = page(body='<p class="fecha">Publicado el lunes 3 de febrero de 2025</p><p>texto</p>')
    assert choose_date(tree, None, None, datetime.now(timezone.utc))[1:] == (date(2025, 2, 3), "byline")


def test_listing_date_then_first_seen():
    tree = page(body="<p>sin fecha</p>")
    assert choose_date(tree, "Wed, 25 Nov 2026 21:04:00 -0600", None, datetime.now(timezone.utc))[1:] == (
        date(2026, 11, 25), "listing")
    seen = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)   # 21:00 on the 27th in Mexico City
    assert choose_date(tree, None, None, seen)[1:] == (date(2026, 11, 27), "first_seen")


def test_garbage_never_raises():
    for junk in ["", "ninguna", "99/99/9999", "\x00\x01", "2023-13-45T99:99", "3 de floréal"]:
        parse_moment(junk)
        parse_moment(junk, visible=True)
