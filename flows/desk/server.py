"""Serving the desk: uvicorn on 127.0.0.1 only, never reachable from the network.

`make_server(con, sources, port=0)` binds the socket at once (port 0: any free port; `.port`
and `.url` are known before it serves), `serve_forever()` runs until `shutdown()` (from another
thread) or Ctrl+C, and `server_close()` releases the socket: the same shape as the standard
library's servers, so a test can run the desk in a thread.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path

import uvicorn

from flows.desk.app import ReviewDesk

HOST = "127.0.0.1"          # loopback only


class DeskServer:
    def __init__(self, desk_factory: Callable[[tuple[str, ...]], ReviewDesk], port: int = 8765,
                 verbose: bool = False):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((HOST, port))
            self.socket.listen(128)
        except OSError:
            self.socket.close()
            raise
        self.port = self.socket.getsockname()[1]
        self.desk = desk_factory((f"{HOST}:{self.port}", f"localhost:{self.port}"))
        config = uvicorn.Config(
            self.desk.app, lifespan="off", server_header=False, timeout_graceful_shutdown=5,
            # quiet unless asked: then one line per request on the terminal
            log_config=uvicorn.config.LOGGING_CONFIG if verbose else None,
            log_level="info" if verbose else "warning", access_log=verbose)
        self._uvicorn = uvicorn.Server(config)
        self._serving = threading.Event()
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def serve_forever(self) -> None:
        """Serve until shutdown() or, in the main thread, Ctrl+C / SIGTERM (re-raised afterwards)."""
        self._serving.set()
        try:
            self._uvicorn.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serving and wait until serve_forever has returned (requests under way finish)."""
        self._uvicorn.should_exit = True
        if self._serving.is_set():
            self._stopped.wait()

    def server_close(self) -> None:
        self.socket.close()
        self.desk.close()


def make_server(con, sources: str | Path, lang: str = "es", port: int = 8765, verbose: bool = False) -> DeskServer:
    """A desk server on 127.0.0.1 (port 0: any free port). Call serve_forever() to run it."""
    return DeskServer(lambda hosts: ReviewDesk(con, sources, lang, hosts), port, verbose)
