from spiders.feeds import parse_feed

RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>
<item><title>Uno</title><link>http://x.example/uno</link><pubDate>Wed, 25 Nov 2026 21:04:00 -0600</pubDate></item>
<item><title>Dos</title><link>/dos</link></item></channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>Uno</title><link href="http://x.example/uno"/><updated>2026-11-25T21:04:00-06:00</updated></entry></feed>"""


def test_rss_entries_with_dates_and_relative_links():
    feed = parse_feed(RSS, "http://x.example/feed/")
    assert [e.link for e in feed.entries] == ["http://x.example/uno", "http://x.example/dos"]
    assert feed.entries[0].published.isoformat() == "2026-11-26T03:04:00+00:00"
    assert feed.entries[1].published is None and not feed.bozo


def test_atom():
    feed = parse_feed(ATOM, "http://x.example/atom")
    assert feed.entries[0].link == "http://x.example/uno"


def test_ill_formed_feed_is_read_as_far_as_possible():
    broken = RSS.replace(b"<title>Uno</title>", b"<title>Uno & dos</title>").replace(b"</channel></rss>", b"")
    feed = parse_feed(broken, "http://x.example/feed/")
    assert feed.bozo and len(feed.entries) >= 1


def test_latin1_feed_without_declared_charset():
    body = RSS.replace(b'encoding="utf-8"', b'encoding="iso-8859-1"').replace(b"Uno", "Año".encode("latin-1"))
    feed = parse_feed(body, "http://x.example/feed/", "application/rss+xml")
    assert feed.entries[0].title == "Año"


def test_html_instead_of_feed_gives_no_entries():
    assert parse_feed(b"<html><body>hola</body></html>", "http://x.example/feed/").entries == ()


def test_past_max_entries_the_feed_is_cut_before_parsing_and_counted():
    rss = RSS.replace(b"</channel>", b"".join(b"<item><link>/n%d</link></item>" % i for i in range(10)) + b"</channel>")
    feed = parse_feed(rss, "http://x.example/feed/", max_entries=3)
    assert [e.link for e in feed.entries] == ["http://x.example/uno", "http://x.example/dos", "http://x.example/n0"]
    assert (feed.capped, feed.bozo, feed.problem) == (9, False, None)     # the cut is ours, not the feed's fault
    atom = ATOM.replace(b"</feed>", b'<entry><link href="/dos"/></entry><atom:entry xmlns:atom="http://www.w3.org/2005/Atom"/></feed>')
    assert parse_feed(atom, "http://x.example/atom", max_entries=1).capped == 2
    assert parse_feed(rss, "http://x.example/feed/").capped == 0 and len(parse_feed(rss, "http://x.example/feed/").entries) == 12
