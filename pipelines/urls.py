"""One article, one URL: canonical URLs and the key that merges their variants.

Counting rules §1: tracking parameters, AMP/mobile variants, http vs https and a
trailing slash never make a second appearance. Normalisation itself (case,
default ports, percent-encoding, dot segments) is url-normalize's job; dropping
tracking parameters is w3lib's (Scrapy's own URL toolkit). What is ours is only
the list of what counts as "the same article".
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from url_normalize import url_normalize
from w3lib.url import url_query_cleaner

# Parameters that identify a campaign or a click, never an article.
TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "utm_name",
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
    "ocid", "cmpid", "ref", "ref_src", "amp", "outputType", "output", "s_kwcid", "ito", "ncid",
)
_AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$|$)", re.I)


def canonical_url(url: str) -> str:
    """Normalised URL without tracking parameters, fragment or AMP suffix.

    The scheme is kept (it is part of a working link); `url_key` ignores it.
    """
    url = (url or "").strip()
    if not url:
        return url
    try:
        normalised = url_normalize(url, default_scheme="http") or url
        if normalised.startswith(("http:///", "https:///")):
            return url   # "./0" became "http:///0": no host, no URL (normalised again it moved: "http://0/")
        url = normalised
    except Exception:  # a malformed URL is kept as given; the fetch will fail and be counted
        return url
    try:
        url = url_query_cleaner(url, TRACKING_PARAMS, remove=True, unique=False, keep_fragments=False)
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": no URL at all; kept as given, refused later (docs/reliability.md)
        return url
    segments = parts.path.split("/")
    if any(seg.lower() == "amp" for seg in segments):  # /amp/section/x.html or /section/x.html/amp/
        segments = [seg for seg in segments if seg.lower() != "amp"]
        segments[-1:] = [segments[-1]] if segments[-1] else [""]
    path = _AMP_SUFFIX.sub("", "/".join(segments)) or "/"
    if path.endswith("/") and "." in path.rstrip("/").rsplit("/", 1)[-1]:
        path = path.rstrip("/")  # "/x.html/amp/" -> "/x.html", not "/x.html/"
    host = parts.netloc
    if host.startswith("amp."):
        host = host[4:]
    return urlunsplit((parts.scheme, host, path, parts.query, ""))


def url_key(url: str) -> str:
    """Identity of an article across http/https, `www.`-less mobile hosts and trailing slashes."""
    return canonical_key(canonical_url(url), url)


def canonical_key(canonical: str, url: str | None = None) -> str:
    """`url_key` of a URL already made canonical (`canonical_url`): the extractor has it, and
    normalising it a second time gives the same URL (idempotent, tests/test_properties.py)."""
    try:
        parts = urlsplit(canonical)
    except ValueError:  # an unparseable URL is its own key (reliability: property tests)
        return (canonical if url is None else url or "").strip()
    host = parts.netloc.lower()
    if host.startswith("m.") or host.startswith("mobile."):
        host = "www." + host.split(".", 1)[1]
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[::1": no host (reliability: property tests)
        return ""


# News-search aggregators: their own pages are never an outlet's article.
AGGREGATOR_HOSTS = ("news.google.com",)
_GN_PATH = re.compile(r"^/(?:rss/)?articles/([A-Za-z0-9_-]+)")
_URL_IN_BYTES = re.compile(rb"https?://[\x21-\x7e]+")


def decode_google_news(url: str) -> str | None:
    """The publisher's URL inside an old-style Google News article link, if it holds one.

    Older links carry the target URL inside a base64 protobuf; newer ones ("AU_yqL...")
    carry only an opaque id that Google resolves with JavaScript. Those return None and
    are fetched as-is: if they do not redirect to a publisher they are skipped (counted),
    never stored as an article of news.google.com.
    """
    import base64

    try:
        parts = urlsplit(url)
        if parts.hostname not in AGGREGATOR_HOSTS:
            return None
    except ValueError:  # not a URL at all (reliability: property tests)
        return None
    match = _GN_PATH.match(parts.path)
    if not match:
        return None
    token = match.group(1)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    found = _URL_IN_BYTES.search(raw)
    if not found:
        return None
    candidate = found.group(0).decode("ascii", "ignore")
    return candidate if host_of(candidate) else None


def is_aggregator(url: str) -> bool:
    return host_of(url) in AGGREGATOR_HOSTS
