"""A hostile little web on 127.0.0.1: bombs, loops, drips, lies about charsets.

Each route maps a path to either `(status, headers, body)` or a callable
`handler(request_handler)` that writes its own answer (drips, endless bodies).
Every request is logged (path, user agent). Stdlib only.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict):
        self.routes = routes
        self.log: list[str] = []
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        self.server.log.append(path)
        route = self.server.routes.get(path) or self.server.routes.get(path.rsplit("/", 1)[0] + "/*")
        if route is None:
            return self._answer(404, {"Content-Type": "text/html"}, b"<html><body>not here</body></html>")
        if callable(route):
            try:
                return route(self)
            except (BrokenPipeError, ConnectionResetError):
                return None
        status, headers, body = route
        return self._answer(status, headers, body)

    def _answer(self, status, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def drip(interval: float = 0.2, seconds: float = 60.0) -> Callable:
    """A response that never ends: one byte every `interval` s, chunked, no length (until the client gives up)."""
    def handler(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        h.wfile.write(b"f\r\n<html><body><p>\r\n")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not h.server.stop.is_set():
            h.wfile.write(b"1\r\na\r\n")
            h.wfile.flush()
            time.sleep(interval)
    return handler


def redirect_chain(prefix: str) -> Callable:
    """/prefix/N answers 302 to /prefix/N+1, for ever: a loop of always-new URLs."""
    def handler(h):
        n = int(h.path.rsplit("/", 1)[1] or 0)
        h._answer(302, {"Location": f"{prefix}/{n + 1}"}, b"")
    return handler


def endless(chunk: int = 64 * 1024, seconds: float = 60.0) -> Callable:
    """A body streamed as fast as possible, without end (chunked, no length)."""
    def handler(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        data = b"<p>" + b"x" * chunk + b"</p>"
        frame = f"{len(data):x}\r\n".encode() + data + b"\r\n"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not h.server.stop.is_set():
            h.wfile.write(frame)
    return handler


@contextmanager
def serving(routes: dict) -> Iterator[HostileServer]:
    server = HostileServer(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
