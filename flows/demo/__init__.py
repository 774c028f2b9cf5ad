"""The offline demo: a small fictional press (`sample_web/`) served on this machine, and the
real crawl run against it.

Why it exists: a person can see the whole monitor work (feeds, sitemaps, extraction,
tagging, the tally) in a minute without touching the press, and the test suite exercises
the crawler end to end over real HTTP against the same web. `sampleweb.py` is the replay
server (stdlib only); `sample_web/` holds the recorded pages, the registry the crawl
reads and what a correct crawl must produce (`expected.json`).
"""
from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "sample_web"
SOURCES = SAMPLE / "sources.yaml"
SINCE = "2023-01-01"   # the sample web's oldest articles are reachable only through 2023's sitemaps


def run_demo(db: Path):
    """Crawl the sample web into a fresh `db` through the `crawl` flow; return the CrawlResult."""
    from flows.demo.sampleweb import serving
    from flows.flows import run_crawl
    from flows.steps import LOCAL_SERVER_SETTINGS

    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)   # the demo always starts afresh
    with serving(SAMPLE / "web") as proxy:
        return run_crawl(str(SOURCES), str(db), since=SINCE, fetch_retries=0, settings=LOCAL_SERVER_SETTINGS,
                         env={"http_proxy": proxy, "HTTP_PROXY": proxy})
