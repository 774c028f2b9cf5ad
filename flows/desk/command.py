"""`prodesc-monitor review`: open the desk on this computer until Ctrl+C."""
from __future__ import annotations

import signal
import sys
from pathlib import Path


def _stop(signum, frame):
    raise KeyboardInterrupt


def run_desk(db: Path, sources: Path, port: int = 8765, lang: str = "es", open_browser: bool = False,
             verbose: bool = False) -> int:
    """Serve the desk over the database `db` until Ctrl+C (or SIGTERM); the exit status."""
    from flows.desk.messages import desk_text
    from flows.desk.server import make_server
    from warehouse.db import connect

    if not Path(sources).exists():
        print(f"The sources file {sources} does not exist. Give one with --sources FILE.", file=sys.stderr)
        return 2
    con = connect(db)
    try:
        server = make_server(con, sources, lang, port, verbose)
        signal.signal(signal.SIGTERM, _stop)   # closed by the system: close the database cleanly too
        try:
            print(desk_text(lang)["console_open"].format(url=server.url), flush=True)
            if open_browser:
                import webbrowser
                webbrowser.open(server.url)
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        con.close()
    return 0
