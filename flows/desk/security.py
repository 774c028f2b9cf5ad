"""What keeps the desk to this computer and its own pages.

* It listens on 127.0.0.1 only (server.py), and answers only to its own Host name
  (127.0.0.1:PORT or localhost:PORT): a page elsewhere cannot reach it by DNS rebinding (421).
* Every POST must come from the desk's own page: its Origin (or, without one, its Referer) must
  be the desk; anything else is refused (403) before a form is read.
* Every response says: do not cache, do not sniff, never in a frame, no scripts at all (CSP).
* The reviewer's name lives in a cookie that scripts cannot read and other sites cannot send
  (HttpOnly; SameSite=Strict). After a form, the desk only goes back to one of its own paths.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs, quote, unquote, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

COOKIE = "reviewer"
# Control characters (tab, LF and CR apart) in a field: never typed in a desk form. A NUL that
# reaches DuckDB as a parameter ends the string of the SQL DuckLake sends to its catalog (a parser
# error, a 500 page): they are dropped from every query and form field (tests/reliability).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_LIMIT = 1_000_000          # bytes; a desk form is a few hundred
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", CSP),
)


class SecurityHeaders:
    """ASGI middleware: the headers above on every response, whatever produced it."""

    def __init__(self, app):
        self.app = app
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k for k, _ in self.raw}
                message = {**message, "headers": [*(h for h in message.get("headers", []) if h[0] not in names),
                                                  *self.raw]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class OwnPagesOnly:
    """ASGI middleware: the Host must be the desk's (else 421), and a POST must come from the
    desk's own page (else `refuse(request)`, a 403 page). With no `allowed_hosts` (a desk driven
    in-process by tests), both checks are off."""

    def __init__(self, app, allowed_hosts: Iterable[str], refuse: Callable[[Request], Response]):
        self.app = app
        self.allowed_hosts = set(allowed_hosts)
        self.refuse = refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.allowed_hosts:
            return await self.app(scope, receive, send)
        request = Request(scope)
        if request.headers.get("host", "") not in self.allowed_hosts:
            return await PlainTextResponse("Wrong host", 421)(scope, receive, send)   # DNS rebinding
        if request.method == "POST" and not same_origin(request.headers, self.allowed_hosts):
            return await self.refuse(request)(scope, receive, send)
        await self.app(scope, receive, send)


def same_origin(headers, allowed_hosts) -> bool:
    """The request's Origin (or, when there is none or it is 'null', its Referer) is the desk."""
    origin = headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc in allowed_hosts
    referer = headers.get("referer")
    if referer:
        return urlsplit(referer).netloc in allowed_hosts
    return False


def safe_back(raw: str | None, default: str = "/queue") -> str:
    """Only a path on this desk (never another site) to go back to after a form."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return default


def reviewer_from(cookie_header: str) -> str | None:
    """The reviewer's name from the Cookie header, if set."""
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == COOKIE and value:
            return unquote(value).strip() or None
    return None


def reviewer_name(raw: str) -> str:
    """A name as typed, on one line, at most 80 characters ('' when there is none)."""
    return re.sub(r"\s+", " ", raw or "").strip()[:80]


def reviewer_cookie(name: str) -> str:
    """The Set-Cookie value that remembers the reviewer for a year, for this desk only."""
    return f"{COOKIE}={quote(name)}; Path=/; Max-Age=31536000; SameSite=Strict; HttpOnly"


class FormTooLarge(ValueError):
    pass


async def read_form(request: Request, limit: int = FORM_LIMIT) -> dict[str, str]:
    """The url-encoded form of a POST (the last value of a repeated field), refusing a body over
    `limit` bytes. Blank fields are kept: an empty note is a note left empty."""
    declared = request.headers.get("content-length") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise FormTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise FormTooLarge(limit)
    return fields(body.decode("utf-8", "replace"), keep_blank=True)


def fields(encoded: str, keep_blank: bool = False) -> dict[str, str]:
    """The last value of each field of a query string or url-encoded form, control characters
    (CONTROL_CHARS) dropped from names and values."""
    return {CONTROL_CHARS.sub("", k): CONTROL_CHARS.sub("", v[-1])
            for k, v in parse_qs(encoded, keep_blank_values=keep_blank).items()}
