"""The content of the hostile web: every fault of docs/reliability.md on one local site.

Written for these tests (no outlet's content). `build(base)` returns the routes for
`tests.reliability.hostile.server.serving`; `sources_yaml(base)` the registry that crawls it.
"""
from __future__ import annotations

import gzip
import io
import os
import zlib

from tests.reliability.hostile.server import drip, endless, redirect_chain

ARTICLE = """<!DOCTYPE html>
<html lang="es"><head><meta charset="{charset}">
<title>{title}</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-03-0{day}T10:00:00-06:00">
</head><body><nav><a href="/">Inicio</a></nav>
<article><h1>{title}</h1>
<p>Las comunidades zapotecas de Unión Hidalgo, acompañadas por ProDESC, presentaron hoy en Juchitán
una nueva demanda agraria para proteger sus tierras frente al parque eólico. La asamblea ejidal
explicó que el proceso de consulta no fue libre ni informado, y que las niñas y los niños de la
comunidad crecen rodeados de aerogeneradores. {extra}</p>
<p>Según la organización, el tribunal agrario deberá revisar los contratos de arrendamiento firmados
hace más de una década. Las autoridades municipales no respondieron a las preguntas de este diario,
mientras que la empresa aseguró que respeta la ley y que dialoga con los ejidatarios de la región del
Istmo de Tehuantepec desde hace años. La audiencia se celebrará el próximo mes en Oaxaca.</p>
</article></body></html>
"""

LAUGHS = "".join(
    f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">\n' for i in range(1, 10))


def article(title: str, day: int = 1, charset: str = "utf-8", extra: str = "") -> str:
    return ARTICLE.format(title=title, day=day, charset=charset, extra=extra)


def rss(items: list[tuple[str, str]], doctype: str = "", channel_title: str = "Hostil") -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{l}</link>"
                   f"<pubDate>Fri, 01 Mar 2024 10:00:00 -0600</pubDate></item>" for t, l in items)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
            f'<rss version="2.0"><channel><title>{channel_title}</title>{body}</channel></rss>').encode()


def urlset(locs: list[str], doctype: str = "") -> bytes:
    body = "".join(f"<url><loc>{l}</loc><lastmod>2024-03-01</lastmod></url>" for l in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>').encode()


def huge_feed(items: int = 100_000) -> bytes:
    """An RSS feed of `items` entries (3.4 MB for 100 000: within DOWNLOAD_MAXSIZE), each
    linking to its own page of the hostile site (404 there), no date: all in the window."""
    body = b"".join(b"<item><link>/n/%d</link></item>" % i for i in range(items))
    return (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Enorme</title>'
            + body + b"</channel></rss>")


def gzip_bomb(expanded: int = 200 * 1024 * 1024) -> bytes:
    """A small .gz (~200 KB) that expands to `expanded` bytes of an XML-looking sitemap."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        gz.write(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
        block = b" " * (1024 * 1024)
        for _ in range(expanded // len(block)):
            gz.write(block)
    return out.getvalue()


def gzip_encoded_bomb(expanded: int = 200 * 1024 * 1024) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    return b"".join([c.compress(block) for _ in range(expanded // len(block))] + [c.flush()])


HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
XML = {"Content-Type": "application/xml"}


def build(base: str) -> dict:
    """Routes: path -> (status, headers, body) or a handler."""
    passwd = "file:///etc/passwd"
    private_links = [
        "http://10.0.0.5/nota",                     # RFC 1918
        "http://192.168.1.1/admin",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata, link-local
        "http://[::1]/nota",                        # IPv6 loopback
        "http://[::ffff:10.0.0.7]/nota",            # IPv4-mapped IPv6
        "http://0x0a000008/nota",                   # 10.0.0.8 in hex
        "http://localhost:1/nota",                  # loopback by name
        f"http://127.0.0.2:{base.rsplit(':', 1)[1]}/good",   # loopback, not the allow-listed 127.0.0.1
        "http://224.0.0.1/nota",                    # multicast
        "http://0.0.0.0/nota",                      # unspecified
    ]
    articles = ["/good", "/cp1252", "/mojibake", "/control", "/binary", "/truncated", "/empty", "/drip",
                "/endless", "/loop-a", "/chain/0", "/to-metadata", "/to-file", "/encoded-bomb", "/pdf"]
    xxe_doctype = (f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{passwd}">'
                   f'<!ENTITY cb SYSTEM "{base}/xxe-callback">]>\n')
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
        "/feed.xml": (200, RSS, rss([("no es URL", "http://[::1"), ("puerto", "http://a.example:99999/")]
                                    + [(a[1:], base + a) for a in articles]
                                    + [("privada", u) for u in private_links] + [("archivo", passwd)])),
        "/lol.xml": (200, RSS, rss([("&lol9;", base + "/good-lol")], doctype=f"<!DOCTYPE rss [\n<!ENTITY lol0 \"lol\">\n{LAUGHS}]>\n",
                                   channel_title="&lol9;")),
        "/xxe.xml": (200, RSS, rss([("&xxe;&cb;", base + "/good-xxe")], doctype=xxe_doctype, channel_title="&xxe;")),
        "/html-feed.xml": (200, RSS, article("Soy una página, no un feed").encode()),
        "/empty-feed.xml": (200, RSS, b""),
        "/binary-feed.xml": (200, RSS, os.urandom(4096)),
        "/truncated-feed.xml": (200, RSS, rss([("cortada", base + "/good-truncated-feed")])[:-40]),
        "/sitemap.xml": (200, XML, urlset([base + "/good-sitemap"])),
        "/sitemap-lol.xml": (200, XML, urlset([base + "/&lol9;"], doctype=f"<!DOCTYPE urlset [\n<!ENTITY lol0 \"lol\">\n{LAUGHS}]>\n")),
        "/sitemap-xxe.xml": (200, XML, urlset([base + "/x&xxe;&cb;"], doctype=xxe_doctype.replace("rss", "urlset"))),
        "/sitemap-bomb.xml.gz": (200, {"Content-Type": "application/x-gzip"}, gzip_bomb()),
        "/sitemap-notxml.xml": (200, XML, b"\x00\x01 not xml at all"),
        "/sitemap-badloc.xml": (200, XML, urlset(["http://[::1", base + "/good-after-badloc"])),
        "/sitemap-bad.xml.gz": (200, {"Content-Type": "application/x-gzip"}, b"\x1f\x8b\x08\x00" + os.urandom(2000)),
        "/good": (200, HTML, article("Nota buena sobre ProDESC", 1).encode()),
        "/good-lol": (200, HTML, article("Nota del feed de risas", 2).encode()),
        "/good-xxe": (200, HTML, article("Nota del feed XXE", 3).encode()),
        "/good-truncated-feed": (200, HTML, article("Nota del feed cortado", 4).encode()),
        "/good-sitemap": (200, HTML, article("Nota del sitemap", 5).encode()),
        "/good-after-badloc": (200, HTML, article("Nota tras un loc roto", 5).encode()),
        # Windows-1252 bytes, the header and the page both claiming UTF-8
        "/cp1252": (200, HTML, article("Niñas de Unión Hidalgo “defienden” su tierra", 6,
                                       extra="Señalan que €1 000 no compensan el daño.").encode("cp1252")),
        # double-encoded UTF-8 (mojibake already in the source)
        "/mojibake": (200, HTML, article("Ni\u00c3\u00b1as de Uni\u00c3\u00b3n Hidalgo", 7).encode("utf-8")),
        # C0 control characters, a NUL, an escape sequence and a lone surrogate's bytes
        "/control": (200, HTML, article("Control\x00 \x1b[31mrojo\x07", 8,
                                        extra="Texto con \x00NUL, \x0bVT, \x1b[0m y \x7f.").encode("utf-8") + b"\xed\xa0\x80"),
        "/binary": (200, HTML, os.urandom(20000)),
        "/truncated": (200, HTML, article("Nota cortada", 9).encode()[:900]),
        "/empty": (200, HTML, b""),
        "/pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n" + os.urandom(3000)),
        "/drip": drip(),
        "/endless": endless(),
        "/loop-a": (302, {"Location": base + "/loop-b"}, b""),
        "/loop-b": (302, {"Location": base + "/loop-a"}, b""),
        "/chain/*": redirect_chain(base + "/chain"),
        "/to-file": (302, {"Location": passwd}, b""),
        "/feed-100k.xml": (200, RSS, huge_feed()),
        "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/iam"}, b""),
        "/encoded-bomb": (200, {**HTML, "Content-Encoding": "gzip"}, gzip_encoded_bomb()),
    }
    return routes


def sources_yaml(base: str) -> str:
    host_port = base.split("//", 1)[1]
    feeds = ", ".join(f"{base}/{f}" for f in ("feed.xml", "lol.xml", "xxe.xml", "html-feed.xml", "empty-feed.xml",
                                              "binary-feed.xml", "truncated-feed.xml",
                                              "feed-100k.xml"))
    sitemaps = ", ".join(f"{base}/{f}" for f in ("sitemap.xml", "sitemap-lol.xml", "sitemap-xxe.xml",
                                                 "sitemap-bomb.xml.gz", "sitemap-bad.xml.gz",
                                                 "sitemap-notxml.xml", "sitemap-badloc.xml"))
    return f"""\
outlets:
  - name: Diario Hostil
    domains: ["{host_port}", "127.0.0.1"]
    reach: local
    region: Oaxaca
    language: es
    feeds: [{feeds}]
    sitemaps: [{sitemaps}]
discovery: []
"""
