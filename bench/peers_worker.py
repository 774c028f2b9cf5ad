"""One extractor over a list of saved pages, in its own process: bench/peers.py runs it once per tool.

    <python> bench/peers_worker.py TOOL PAGES.json [--repeat N]

TOOL is `trafilatura` (bare `trafilatura.extract`), `ours` (our whole processing stage:
extraction, language and tagging, the warehouse load) or `news-please`
(`NewsPlease.from_html`). PAGES.json lists {"path", "url"}. The tool runs once to warm up
(lazy pipelines, compiled patterns), then `repeat` times timed; prints one JSON object:
the wall and CPU seconds of each timed run (CPU: the whole process, every thread), and the
text each page gave (title and body), for scoring.

Top level is standard library only: the news-please run uses its own virtual environment
(build/peers-venv), where none of the monitor's packages are installed. Every tool runs
with the network shut (any connection outside this machine fails and is counted): the
bench never contacts an outlet, whatever a library would like to fetch.
"""
from __future__ import annotations

import argparse
import atexit
import itertools
import json
import shutil
import socket
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

# This script's folder is not a package path: bench/incremental.py would shadow the `incremental`
# package Twisted imports (news-please pulls in Scrapy).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

NETWORK_ATTEMPTS: list[str] = []
ERRORS: dict[str, str] = {}          # url -> the exception a tool raised on that page
_connect = socket.socket.connect


def _local_only(self, address):
    host = address[0] if isinstance(address, tuple) else ""
    if self.family == getattr(socket, "AF_UNIX", None) or host in ("127.0.0.1", "::1", "localhost"):
        return _connect(self, address)
    NETWORK_ATTEMPTS.append(str(address))
    raise OSError(f"bench: network disabled ({address})")


socket.socket.connect = _local_only


def trafilatura_tool():
    import trafilatura

    def run(pages):
        return [trafilatura.extract(body, url=url) or "" for body, url in pages]
    return run


def ours_tool():
    """What bench/processing.py calls the whole stage: extract_article, Tagger.tag, then one
    warehouse batch (load_outlets + load_batch) into a new DuckLake made before the clock starts."""
    from datetime import datetime, timezone

    from nlp.tagger import Tagger
    from pipelines.extract import extract_article
    from pipelines.records import FetchedPage, Skip, Tagged
    from pipelines.registry import Registry
    from warehouse.db import connect
    from warehouse.load import load_batch, load_outlets

    registry, tagger = Registry(outlets=()), Tagger.load()
    stamp = datetime.now(timezone.utc).isoformat()
    work = Path(tempfile.mkdtemp(prefix="peers-ours-"))
    atexit.register(shutil.rmtree, work, True)
    runs = itertools.count()

    def run(pages):
        con = connect(work / f"run{next(runs)}.ducklake")   # the warehouse exists before a load: not timed
        started, cpu = time.perf_counter(), time.process_time()
        texts, tagged = [], []
        for body, url in pages:
            page = FetchedPage(url=url, final_url=url, status=200, content_type="text/html", body=body,
                               discovered_via="feed", source_url="", listed_at=None, listed_title=None,
                               fetched_at=stamp)
            article = extract_article(page, registry)
            if isinstance(article, Skip):
                texts.append("")
                continue
            tagged.append(Tagged(article, tagger.tag(article.title, article.text, author=article.author)))
            texts.append(article.title + " " + article.text)
        load_outlets(con, registry, {t.article.domain for t in tagged})
        load_batch(con, tagged, {}, [], "peers", tagger.kb_version)
        run.elapsed, run.cpu = time.perf_counter() - started, time.process_time() - cpu
        con.close()
        return texts
    return run


def news_please_tool():
    from newsplease import NewsPlease
    from newsplease.crawler.response_decoder import detect_encoding

    def decode(body: bytes) -> str:
        """As news-please decodes what it downloads (crawler.response_decoder.decode_response)."""
        encoding = detect_encoding(body)
        if encoding:
            try:
                return body.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                pass
        return body.decode("utf-8", errors="replace")

    def run(pages):
        texts = []
        for body, url in pages:
            try:
                article = NewsPlease.from_html(decode(body), url=url, fetch_images=False)
            except Exception as exc:   # as installed from the registry, it stops on some pages: counted, text ""
                ERRORS[url] = f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:120]}"
                texts.append("")
                continue
            texts.append(" ".join(x for x in (getattr(article, "title", None), getattr(article, "maintext", None))
                                  if x))
        return texts
    return run


TOOLS = {"trafilatura": (trafilatura_tool, "trafilatura"), "ours": (ours_tool, "prodesc-monitor"),
         "news-please": (news_please_tool, "news-please")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tool", choices=sorted(TOOLS))
    ap.add_argument("pages", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    listed = json.loads(args.pages.read_text(encoding="utf-8"))
    pages = [(Path(p["path"]).read_bytes(), p["url"]) for p in listed]
    build, dist = TOOLS[args.tool]
    run = build()
    texts = run(pages)   # warm-up; its texts are the ones scored (every run gives the same)
    seconds, cpu_seconds = [], []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        run(pages)
        seconds.append(getattr(run, "elapsed", None) or time.perf_counter() - started)
        cpu_seconds.append(getattr(run, "cpu", None) or time.process_time() - cpu)
    try:
        version = metadata.version(dist)
    except metadata.PackageNotFoundError:
        version = None
    json.dump({"tool": args.tool, "version": version, "python": sys.version.split()[0], "pages": len(pages),
               "seconds": [round(s, 4) for s in seconds], "cpu_seconds": [round(s, 4) for s in cpu_seconds],
               "texts": {p["path"]: t for p, t in zip(listed, texts)},
               "network_attempts": NETWORK_ATTEMPTS, "errors": ERRORS}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
