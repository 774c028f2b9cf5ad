"""`prodesc-monitor review`: open the desk on this computer until Ctrl+C."""
from __future__ import annotations

import signal
import sys
from pathlib import Path

from flows.report import LANGS

HELP = "open the review desk in your browser: confirm, reject, correct, classify outlets"
DESCRIPTION = ("Opens a small web page on this computer (only this computer can reach it) where "
               "you go through new appearances and rejected candidates, confirm or reject each, "
               "correct themes, mark duplicates and give a reach to new outlets. Every decision "
               "is stored with your name and changes the reports and the tally on their next run. "
               "Two people can use it at once from this computer.")


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


def cmd_review(args) -> int:
    return run_desk(args.db, args.sources, args.port, args.lang, args.open, args.verbose)


def add_review_command(sub) -> None:
    """Register `review` on the CLI's (argparse) subparsers."""
    r = sub.add_parser("review", help=HELP, description=DESCRIPTION)
    r.add_argument("--db", type=Path, default=Path("data/monitor.duckdb"),
                   help="the database file (default: data/monitor.duckdb)")
    r.add_argument("--sources", type=Path, default=Path("sources.yaml"),
                   help="the registry that classified outlets are added to (default: sources.yaml)")
    r.add_argument("--port", type=int, default=8765, help="port on this computer (default: 8765)")
    r.add_argument("--lang", choices=LANGS, default="es", help="language of the pages (default: es, Spanish)")
    r.add_argument("--open", action="store_true", help="also open the page in the default browser")
    r.add_argument("--verbose", action="store_true", help="print one line per request")
    r.set_defaults(func=cmd_review)
