"""Benchmark: crawl throughput and peak memory of a large backfill, on this machine.

    .venv/bin/python bench/backfill.py --articles 50000

Serves N synthetic article pages (realistic size: ~6 KB of HTML, a Spanish news
template, one in three naming ProDESC or a process) and a sitemap index over them
from a local threaded HTTP server, then runs the real pipeline as production does:
  1. `scrapy crawl monitor` (child process) with politeness off (the server is ours):
     pages per second, and the crawler's peak memory (Scrapy's memusage stat);
  2. the load step (extract, tag, load into DuckDB) in this process: articles per
     second and peak resident memory (getrusage), with the database size.
The target is a 50,000-article backfill under 1.5 GB, nothing growing with the
number of articles except the database.
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


def serve(n: int) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            host = self.headers.get("Host", "")
            path = self.path.split("?")[0]
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
    return server, f"127.0.0.1:{server.server_port}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, help="keep the database here")
    args = ap.parse_args()
    from flows.steps import fetch, load_staged, new_run_id

    server, host = serve(args.articles)
    os.environ["PRODESC_MONITOR_ALLOW"] = "127.0.0.1"   # our own server on loopback
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sources = tmp / "sources.yaml"
        sources.write_text(f"outlets:\n  - name: Diario Sintético\n    domains: ['{host.split(':')[0]}']\n"
                           f"    reach: local\n    region: Yucatán\n    language: es\n    feeds: []\n"
                           f"    sitemaps: ['http://{host}/sitemap.xml']\n")
        db = args.keep or tmp / "backfill.ducklake"
        settings = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "32",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "32", "LOG_LEVEL": "WARNING"}
        t = time.perf_counter()
        stats = fetch(sources, db, new_run_id(), "2023-01-01", None, settings, {"http_proxy": "", "HTTP_PROXY": ""})
        crawl_s = time.perf_counter() - t
        pages = stats.get("prodesc/staged", 0)
        print(f"crawl: {pages} pages in {crawl_s:.0f} s = {pages / crawl_s:.0f} pages/s; "
              f"crawler peak memory {stats.get('memusage/max', 0) / 2**20:.0f} MB")
        t = time.perf_counter()
        summary = load_staged(db, sources, say=lambda m: None)
        load_s = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = sum(p.stat().st_size for p in Path(db).parent.glob(Path(db).name + "*")) / 2**20
        print(f"load: {summary.articles} articles ({summary.appearances} appearances) in {load_s:.0f} s = "
              f"{summary.articles / load_s:.0f} articles/s; peak memory of the loading process {peak:.0f} MB; "
              f"database {size:.0f} MB")
    server.shutdown()


if __name__ == "__main__":
    main()
