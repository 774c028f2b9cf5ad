"""Benchmark: crawl throughput, load throughput and peak memory of a large backfill, on this machine.

    PYTHONPATH=. .venv/bin/python bench/backfill.py --articles 10000 --json backfill.json

Serves N synthetic article pages (realistic size: ~6 KB of HTML, a Spanish news
template, one in three naming ProDESC or a process), a robots.txt and a sitemap index over
them for the outlet `diario-sintetico.example`, from a local threaded HTTP server that the
crawler reaches as its HTTP proxy (as the replay demo does), then runs the real pipeline as
production does:
  1. `scrapy crawl monitor` (child process) with politeness off (the server is ours):
     pages per second, and the crawler's peak memory (Scrapy's memusage stat);
  2. the load step (`flows.steps.load_staged`: extract, tag, load, compact, the full-text
     index) in this process, or with `--workers N` the `load staged pages` flow with
     extraction and tagging on N worker processes (`flows.processes`, what `crawl --workers N`
     does): articles per second of wall time, CPU seconds per article (this process and its
     threads: less sensitive to a busy machine than wall time), peak resident memory
     (getrusage: this process, and the largest child: the crawler or a worker), and the
     warehouse's size on disk (catalog, Parquet files and search index) and its Parquet files.
Issue 18's "end-to-end load" is step 2, from staged pages to a searchable warehouse: when the
issue was filed, docs/performance.md said "the end-to-end load of the 50,000-article backfill
(extraction, tagging, load, syndication grouping and the full-text index) ran at 99–106
articles/s on one core", the figure the issue quotes ("about 100 articles per second"). Its
targets: ≥ 300 articles/s for that load and a 50,000-article backfill under 1.5 GB, nothing
growing with the number of articles except the warehouse. Crawl then load (both wall times
added) is printed too: the crawl here runs against our own server with politeness off, and in
production politeness bounds it (docs/performance.md section 3). `--batch` sets the staged pages per
warehouse batch (flows.steps.BATCH_SIZE by default), to choose it by measurement.

Issue 14 asks that the load on DuckLake be at least as fast as on the previous storage
(one DuckDB file, commit 8682150). That code is another commit, so both cannot run in one
process: its figures, measured with this same bench and arguments, are recorded in
docs/performance.md section 5 and below (`BEFORE`), and the bench prints the ratio of
this run's figures to them. Run against the old code (copy this file into a worktree of
8682150) it measures that storage and prints no ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import warehouse

# The lake (issue 14) or the previous storage (one DuckDB file): which code is on PYTHONPATH.
# (By file, not by import: an editable install elsewhere could answer `import warehouse.lake`.)
STORAGE, SUFFIX = (("ducklake", ".ducklake") if (Path(warehouse.__file__).parent / "lake.py").exists()
                   else ("duckdb-file", ".duckdb"))

# The previous storage (one DuckDB file, commit 8682150) with this bench and the same
# --articles, on a quiet machine (load average ~1), the better of two runs interleaved with
# runs of the lake: see docs/performance.md section 5 for the command and every run.
BEFORE_DATE = "2026-12-06"
BEFORE: dict[int, dict[str, float]] = {
    10_000: {"crawl_pages_per_s": 273.0, "load_articles_per_s": 140.0, "load_cpu_ms_per_article": 7.2},
}

PARAGRAPHS = [
    "Integrantes de la comunidad se reunieron este martes en asamblea para revisar el avance del juicio agrario.",
    "Las autoridades municipales informaron que las obras de pavimentación concluirán antes de fin de mes.",
    "Vecinos del mercado pidieron mayor vigilancia durante las noches y mejor alumbrado público.",
    "La temporada de lluvias dejó encharcamientos en varias colonias de la ciudad sin reportes de daños.",
]
MENTIONS = [
    "La organización ProDESC, que acompaña a los ejidatarios, presentó un amparo contra la granja avícola.",
    "El sindicato de trabajadores del cine, UNICA, denunció jornadas de más de catorce horas en los rodajes.",
]


VOCABULARY = ("agua calle mercado escuela alcalde cabildo lluvia cosecha maíz precio transporte ruta colonia "
              "vecinos hospital clínica médico obra puente camino policía seguridad feria fiesta patrono "
              "turismo playa hotel empleo salario comercio tienda pesca puerto barco cooperativa campo "
              "ganado sequía presa riego pozo luz energía tarifa gasolina autobús taxi tráfico parque "
              "museo teatro música danza libro biblioteca universidad estudiantes maestros clases beca").split()


def article_html(i: int, host: str) -> bytes:
    import random
    day = date(2023, 1, 1) + timedelta(days=i % 365)
    rnd = random.Random(i)   # every article its own text, as in real news (near-duplicates are rare)
    paragraphs = [PARAGRAPHS[(i + k) % len(PARAGRAPHS)] + " " + " ".join(rnd.choices(VOCABULARY, k=40)).capitalize()
                  + "." for k in range(8)]
    if i % 3 == 0:   # one article in three is an appearance
        paragraphs[3] = MENTIONS[i % 2]
    body = "".join(f"<p>{text} ({i}-{k})</p>" for k, text in enumerate(paragraphs))
    return (f"""<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>Nota {i} | Diario Sintético</title>
<link rel="canonical" href="http://{host}/notas/{i}"><meta property="og:type" content="article">
<meta property="article:published_time" content="{day.isoformat()}T10:00:00-06:00"><meta name="author" content="Redacción">
</head><body><header><nav><a href="/">Inicio</a> <a href="/politica/">Política</a> <a href="/estados/">Estados</a></nav></header>
<main><article><h1>Nota número {i} sobre la vida local</h1><p class="bajada">Resumen de la nota {i}.</p>{body}</article></main>
<aside><h3>Te puede interesar</h3><ul>{"".join(f'<li><a href="/notas/{i + j}">Otra nota {i + j}</a></li>' for j in range(1, 8))}</ul></aside>
<footer>© Diario Sintético</footer></body></html>""").encode()


OUTLET_HOST = "diario-sintetico.example"


def serve(n: int) -> tuple[ThreadingHTTPServer, str]:
    """The outlet's pages behind a loopback HTTP proxy; returns the server and the proxy's URL."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            # Asked as a proxy ("GET http://diario-sintetico.example/notas/1"): the outlet's own
            # name, port 80, robots.txt included. (Served on 127.0.0.1:<port> under the name
            # 127.0.0.1, the crawl's robots.txt request went to port 80, was refused and
            # retried with back-off: ~20 s of an idle crawler counted in the figures.)
            url = urlsplit(self.path)
            host = url.netloc or self.headers.get("Host", "")
            path = url.path
            if path == "/robots.txt":
                body, ctype = f"User-agent: *\nDisallow: /buscar/\nSitemap: http://{host}/sitemap.xml\n".encode(), "text/plain"
            elif path == "/sitemap.xml":
                parts = "".join(f"<sitemap><loc>http://{host}/sitemaps/{k}.xml</loc></sitemap>" for k in range(0, n, 1000))
                body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{parts}</sitemapindex>'.encode()
                ctype = "application/xml"
            elif path.startswith("/sitemaps/"):
                k = int(path.rsplit("/", 1)[1].split(".")[0])
                urls = "".join(f"<url><loc>http://{host}/notas/{i}</loc><lastmod>2023-06-01</lastmod></url>"
                               for i in range(k, min(k + 1000, n)))
                body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
                ctype = "application/xml"
            elif path.startswith("/notas/"):
                body, ctype = article_html(int(path.rsplit("/", 1)[1]), host), "text/html; charset=utf-8"
            else:
                body, ctype = b"<html><body>404</body></html>", "text/html"
                self.send_response(404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def warehouse_on_disk(db: Path) -> tuple[float, int]:
    """MB on disk of everything the warehouse named `db` is (catalog, WAL, Parquet folder,
    search index), and how many Parquet files it holds."""
    size, parquet = 0, 0
    for p in Path(db).parent.glob(Path(db).name + "*"):
        for f in ([p] if p.is_file() else [q for q in p.rglob("*") if q.is_file()]):
            size += f.stat().st_size
            parquet += f.suffix == ".parquet"
    return size / 2**20, parquet


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, help=f"keep the warehouse here (a path ending in {SUFFIX})")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--workers", type=int, default=1, help="worker processes for extraction and tagging (the flow)")
    ap.add_argument("--batch", type=int, help="staged pages per warehouse batch (default: flows.steps.BATCH_SIZE)")
    ap.add_argument("--setting", "-s", action="append", default=[], metavar="NAME=VALUE",
                    help="one more Scrapy setting for the crawl (to compare settings by measurement)")
    ap.add_argument("--crawl-only", action="store_true", help="measure the crawl and stop")
    args = ap.parse_args()
    if args.json:   # its folder made now: a missing one failed only after the whole run
        args.json.parent.mkdir(parents=True, exist_ok=True)
    from flows.steps import fetch, load_staged, new_run_id
    try:
        from flows.steps import BATCH_SIZE
    except ImportError:             # the code before issue 18 had it fixed at 500
        BATCH_SIZE = 500

    server, proxy = serve(args.articles)
    host = OUTLET_HOST
    os.environ["PRODESC_MONITOR_ALLOW"] = "127.0.0.1"   # our own proxy on loopback
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sources = tmp / "sources.yaml"
        sources.write_text(f"outlets:\n  - name: Diario Sintético\n    domains: ['{host}']\n"
                           f"    reach: local\n    region: Yucatán\n    language: es\n    feeds: []\n"
                           f"    sitemaps: ['http://{host}/sitemap.xml']\n")
        db = args.keep or tmp / f"backfill{SUFFIX}"
        settings = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "32",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "32", "LOG_LEVEL": "WARNING"}
        settings.update(item.split("=", 1) for item in args.setting)
        def children_cpu() -> float:   # finished child processes: the crawler, then the workers and
            # the temporary Prefect server a flow run starts
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime
        t, child_cpu, server_cpu = time.perf_counter(), children_cpu(), time.process_time()
        via_proxy = {"http_proxy": proxy, "HTTP_PROXY": proxy, "no_proxy": "", "NO_PROXY": ""}
        stats = fetch(sources, db, new_run_id(), "2023-01-01", None, settings, via_proxy)
        crawl_s, crawl_cpu = time.perf_counter() - t, children_cpu() - child_cpu
        server_cpu = time.process_time() - server_cpu   # this process meanwhile: the HTTP server's threads
        pages = stats.get("prodesc/staged", 0)
        print(f"crawl: {pages} pages in {crawl_s:.0f} s = {pages / crawl_s:.0f} pages/s; "
              f"{1000 * crawl_cpu / max(pages, 1):.1f} ms of the crawler's CPU per page (the HTTP server: "
              f"{1000 * server_cpu / max(pages, 1):.1f}); crawler peak memory {stats.get('memusage/max', 0) / 2**20:.0f} MB")
        if args.crawl_only:
            server.shutdown()
            return
        t, cpu, child_cpu = time.perf_counter(), time.process_time(), children_cpu()
        if args.workers > 1:
            os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
            os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
            from flows.flows import load_flow
            loaded = load_flow(str(sources), str(db), workers=args.workers)
            summary = SimpleNamespace(articles=loaded["articles"], appearances=loaded["appearances"])
        else:
            summary = load_staged(db, sources, say=lambda m: None, **({"batch_size": args.batch} if args.batch else {}))
        load_s, load_cpu = time.perf_counter() - t, time.process_time() - cpu
        load_child_cpu = children_cpu() - child_cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size, parquet = warehouse_on_disk(db)
    server.shutdown()
    load_after = os.getloadavg()
    figures = {
        "crawl_pages_per_s": round(pages / crawl_s, 1),
        "crawl_cpu_ms_per_page": round(1000 * crawl_cpu / max(pages, 1), 2),
        "load_articles_per_s": round(summary.articles / load_s, 1),
        "load_cpu_ms_per_article": round(1000 * load_cpu / max(summary.articles, 1), 2),
        "crawl_then_load_articles_per_s": round(summary.articles / (crawl_s + load_s), 1),
        "load_workers_cpu_ms_per_article": round(1000 * load_child_cpu / max(summary.articles, 1), 2),
    }
    print(f"load (issue 18's end-to-end load: staged pages to a searchable warehouse): {summary.articles} "
          f"articles ({summary.appearances} appearances) in {load_s:.0f} s = "
          f"{figures['load_articles_per_s']:.0f} articles/s (target ≥ 300), {figures['load_cpu_ms_per_article']:.1f} ms "
          f"of CPU per article; warehouse {size:.0f} MB"
          + (f" in {parquet} Parquet files" if STORAGE == "ducklake" else ""))
    print(f"crawl then load, one after the other: {summary.articles} articles in {crawl_s + load_s:.0f} s = "
          f"{figures['crawl_then_load_articles_per_s']:.0f} articles/s; workers {args.workers}, "
          f"batch {args.batch or BATCH_SIZE}; peak memory: loader {peak:.0f} MB, largest child process "
          f"{child_peak:.0f} MB (target < 1,500 MB each)"
          + (f"; CPU of the child processes (the workers, Prefect's server) "
             f"{figures['load_workers_cpu_ms_per_article']:.1f} ms per article"
             if args.workers > 1 else ""))
    print(f"storage: {STORAGE}; {os.cpu_count()} cores; load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after")
    ratios = {}
    if STORAGE == "ducklake" and args.articles in BEFORE:
        before = BEFORE[args.articles]
        ratios = {k: round(figures[k] / before[k], 2) for k in figures if k in before}
        print(f"after / before (one DuckDB file, {BEFORE_DATE}, --articles {args.articles}; above 1 is "
              f"better for per-second figures, worse for CPU per article): "
              + "; ".join(f"{k} {figures[k]} / {before[k]} = {v:.2f}x" for k, v in ratios.items()))
    elif STORAGE == "ducklake":
        print(f"no recorded figures of the previous storage for --articles {args.articles} "
              f"(recorded: {', '.join(map(str, BEFORE)) or 'none'}): no ratio")
    if args.json:
        args.json.write_text(json.dumps({
            "bench": "backfill", "storage": STORAGE,
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                        "load_average": [round(load_before[0], 2), round(load_after[0], 2)]},
            "arguments": {"articles": args.articles, "workers": args.workers, "batch": args.batch or BATCH_SIZE},
            "crawl": {"pages": pages, "seconds": round(crawl_s, 1), "cpu_seconds": round(crawl_cpu, 1),
                      "server_cpu_seconds": round(server_cpu, 1),
                      "peak_memory_mb": round(stats.get("memusage/max", 0) / 2**20)},
            "load": {"articles": summary.articles, "appearances": summary.appearances, "seconds": round(load_s, 1),
                     "cpu_seconds": round(load_cpu, 1), "peak_memory_mb": round(peak),
                     "largest_child_peak_memory_mb": round(child_peak),
                     "warehouse_mb": round(size, 1), "parquet_files": parquet},
            "figures": figures,
            "targets": {"load_articles_per_s": ">= 300", "peak_memory_mb": "< 1500"},
            "before": {"date": BEFORE_DATE, "commit": "8682150", **({"figures": BEFORE[args.articles]}
                                                                  if args.articles in BEFORE else {})},
            "ratio_after_before": ratios,
        }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
