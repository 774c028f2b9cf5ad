"""Replay a recorded web over real HTTP, as a loopback forward proxy.

Why this exists: the crawler must be exercised end to end (robots.txt, feeds,
sitemaps, retries, conditional GETs) without touching the press.  The
``prodesc-monitor demo`` command and the test suite both run it against
``flows/demo/sample_web/`` and point the crawler at it with
``http_proxy=http://127.0.0.1:PORT``; every ``http://<any host>/<path>``
request is then answered from a directory instead of the network.  It speaks
the same index format as ``../shared/corpus/web`` so the labelled corpus can be
served by the same code.

The directory holds ``index.json``: a list of entries
``{url, status, headers, file, behaviour?}`` with ``file`` relative to that
directory.  Behaviours reproduce the faults a crawler meets in the wild:

* ``fail_first: N`` -- answer 503 to the first N requests, then normally
  (a crawler that does not retry loses the article);
* ``delay: S`` -- sleep S seconds before answering (slow outlets).

Query strings the index does not know are dropped before the lookup, because
news sites ignore tracking parameters (``utm_*``, ``fbclid``) and serve the
same page.  Every 200 answer carries ``ETag`` and ``Last-Modified`` and
conditional requests get 304, so the crawler's re-polling can be tested.

    python -m flows.demo.sampleweb DIR [--port N] [--log FILE]

Stdlib only: it must start in a bare test environment in milliseconds.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qsl, urlsplit

# One fixed instant for every Last-Modified (2026-11-28 08:00 Mexico City):
# recorded pages never change, and a fixed value keeps answers reproducible.
LAST_MODIFIED = formatdate(1795874400, usegmt=True)

NOT_FOUND = b"<!DOCTYPE html><html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>\n"


def _split(url: str) -> tuple[str, frozenset]:
    """(scheme://host/path, query pairs): the parts a lookup compares.

    Host is lower-cased and a default :80 dropped; the fragment never reaches a
    server and is ignored.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != 80:
        host = f"{host}:{parts.port}"
    base = f"{parts.scheme or 'http'}://{host}{parts.path or '/'}"
    return base, frozenset(parse_qsl(parts.query, keep_blank_values=True))


class SampleWeb:
    """A recorded web loaded from a directory: lookup, hit counters, request log.

    ``web_dir`` is the folder holding ``index.json``; a folder holding
    ``web/index.json`` (the corpus layout, or ``flows/demo/sample_web``) is accepted
    too.  Hit counters live in the instance, so each server starts with fresh
    ``fail_first`` budgets.
    """

    def __init__(self, web_dir: Path, log_path: Path | None = None):
        web_dir = Path(web_dir)
        if not (web_dir / "index.json").exists() and (web_dir / "web" / "index.json").exists():
            web_dir = web_dir / "web"
        self.root = web_dir
        self.entries: list[dict] = json.loads((web_dir / "index.json").read_text(encoding="utf-8"))
        # Several entries may share a path and differ by query (?q=ProDESC).
        self._by_base: dict[str, list[tuple[frozenset, dict]]] = {}
        for e in self.entries:
            base, query = _split(e["url"])
            self._by_base.setdefault(base, []).append((query, e))
        self._hits: dict[str, int] = {}
        self._lock = threading.Lock()
        self._log = open(log_path, "a", encoding="utf-8") if log_path else None

    def lookup(self, url: str) -> dict | None:
        """The entry for ``url``, ignoring query parameters the index does not use.

        Among entries for the same path, the one whose query parameters are
        all present in the request and most numerous wins; an entry without a
        query is the fallback.  So ``?utm_source=rss`` finds the bare article
        and ``?q=ProDESC&hl=es`` finds the ``?q=ProDESC`` feed.
        """
        base, query = _split(url)
        best, best_size = None, -1
        for known, entry in self._by_base.get(base, ()):
            if known <= query and len(known) > best_size:
                best, best_size = entry, len(known)
        return best

    def hit(self, entry: dict) -> int:
        """Count one request for ``entry`` and return how many so far."""
        with self._lock:
            n = self._hits.get(entry["url"], 0) + 1
            self._hits[entry["url"]] = n
            return n

    def body(self, entry: dict) -> bytes:
        return (self.root / entry["file"]).read_bytes() if entry.get("file") else b""

    def log(self, record: dict) -> None:
        """Append one JSON line: the tests and the demo read what was fetched."""
        if self._log is None:
            return
        with self._lock:
            self._log.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._log.flush()

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def _not_modified(headers, etag: str, last_modified: str) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since only when it is absent."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    """Answers proxy-style requests (``GET http://host/path``) and plain ones (Host header)."""

    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format, *args):  # silence stderr; we log JSON lines instead
        pass

    def _url(self) -> str:
        if self.path.startswith(("http://", "https://")):
            return self.path
        return f"http://{self.headers.get('Host', '127.0.0.1')}{self.path}"

    def _send(self, url: str, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # Log before the body goes out: once a client has read the answer, its line is in the log.
        self.server.web.log({"t": round(time.time(), 3), "method": self.command, "url": url,
                             "status": status, "bytes": len(body) if status != 304 else 0,
                             "ua": self.headers.get("User-Agent", "")})
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def do_CONNECT(self):
        # HTTPS cannot be replayed without forging certificates; the sample web is http:// only.
        self._send(self.path, 501, {"Content-Type": "text/plain"}, b"https is not replayed\n")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        web = self.server.web
        url = self._url()
        entry = web.lookup(url)
        if entry is None:
            self._send(url, 404, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND)
            return
        behaviour = entry.get("behaviour") or {}
        if web.hit(entry) <= behaviour.get("fail_first", 0):
            self._send(url, 503, {"Content-Type": "text/plain", "Retry-After": "1"}, b"busy\n")
            return
        if behaviour.get("delay"):
            time.sleep(float(behaviour["delay"]))
        status = entry.get("status", 200)
        headers = dict(entry.get("headers") or {})
        body = web.body(entry)
        if status == 200:
            etag = headers.setdefault("ETag", _etag(body))
            last_modified = headers.setdefault("Last-Modified", LAST_MODIFIED)
            if _not_modified(self.headers, etag, last_modified):
                self._send(url, 304, {"ETag": etag, "Last-Modified": last_modified}, b"")
                return
        self._send(url, status, headers, body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a delayed answer must not block shutdown

    def __init__(self, web: SampleWeb, port: int):
        self.web = web
        super().__init__(("127.0.0.1", port), _Handler)  # loopback only: never an open proxy


@contextmanager
def serving(web_dir: Path, port: int = 0, log_path: Path | None = None) -> Iterator[str]:
    """Serve ``web_dir`` in a daemon thread; yield ``"http://127.0.0.1:PORT"`` (use it as http_proxy).

    ``port=0`` picks a free port, so parallel tests never collide.  The server
    is shut down and the log closed when the block exits.
    """
    web = SampleWeb(web_dir, log_path)
    httpd = _Server(web, port)
    # A short poll interval makes shutdown (and so each test) fast.
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              name="sampleweb", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
        web.close()


def main(argv=None) -> None:
    """Serve a recorded web until Ctrl-C: ``python -m flows.demo.sampleweb DIR [--port N] [--log FILE]``."""
    ap = argparse.ArgumentParser(prog="python -m flows.demo.sampleweb", description=main.__doc__)
    ap.add_argument("dir", type=Path, help="folder with index.json (or with web/index.json)")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--log", type=Path, default=None, help="append one JSON line per request")
    args = ap.parse_args(argv)
    with serving(args.dir, args.port, args.log) as proxy:
        print(f"Reproduciendo {args.dir} en {proxy}  (export http_proxy={proxy}); Ctrl+C para detener", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
