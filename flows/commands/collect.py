"""Collecting articles: crawl, load, retag, and the offline demo."""
from __future__ import annotations

from pathlib import Path

from flows.commands.common import (
    DAY, command, db_option, option, print_summary, quiet_prefect, require_sources, since_option,
    sources_option, workers_option,
)


@command("crawl", "lee los feeds de los medios (y sus sitemaps para fechas pasadas) y guarda lo nuevo",
         "Lee cada feed del archivo de fuentes; con --since, también recorre los sitemaps de los medios en "
         "busca de artículos publicados en ese periodo. Lee cada artículo, busca menciones de ProDESC y de los "
         "procesos que acompaña, y lo guarda en la base de datos.")
@sources_option()
@db_option()
@since_option()
@option("--until", type=DAY, metavar="FECHA", help="última fecha de publicación que se incluye, p. ej. 2023-12-31")
@workers_option("lee y etiqueta los artículos en este número de procesos a la vez (un clúster local de Dask); "
                "conviene al recorrer periodos largos del pasado")
@option("--refetch", is_flag=True,
        help="vuelve a descargar los artículos aunque ya estén guardados (p. ej. después de mejorar la "
             "extracción de texto)")
def crawl(sources, db, since, until, workers, refetch) -> int:
    quiet_prefect()
    from flows.flows import run_crawl

    require_sources(sources)
    result = run_crawl(str(sources), str(db), since=since, until=until, refetch=refetch, workers=workers,
                       fetch_retries=0)
    print_summary(result)
    print(f"\nGuardado en {db}.")
    return 0


@command("load", "guarda las páginas que una recolección descargó pero no pudo guardar (p. ej. porque la "
                 "base de datos estaba ocupada)")
@sources_option()
@db_option()
def load(sources, db) -> int:
    from flows.steps import load_staged

    summary = load_staged(db, sources)
    print(f"Se cargaron {summary.pages} páginas pendientes: {summary.articles} artículos, "
          f"{summary.appearances} apariciones.")
    return 0


@command("retag", "vuelve a revisar los artículos guardados después de un cambio en la base de conocimiento "
                  "(no descarga nada)")
@db_option()
def retag(db) -> int:
    from flows.steps import retag as retag_stored

    result = retag_stored(db)
    print(f"Se volvieron a etiquetar {result['articles']} artículos guardados con la base de conocimiento "
          f"{result['kb_version']}: {result['changed']} cambiaron de veredicto o de tema. "
          "Los años congelados no cambian.")
    return 0


@command("demo", "prueba todo sin internet con una pequeña web de muestra servida en esta computadora")
@db_option(Path("data/demo.ducklake"), "dónde escribir la base de la demostración (por omisión: data/demo.ducklake)")
def demo(db) -> int:
    """Serve the sample web on this machine and run the real crawl against it."""
    quiet_prefect()
    from flows.demo import run_demo
    from warehouse.db import connect
    from warehouse.reports import recent_weeks
    from warehouse.tally import format_table, tally

    print("Sirviendo la web de muestra en esta computadora (sin internet) y recorriéndola "
          "(alrededor de un minuto)...")
    result = run_demo(db)
    print_summary(result)
    con = connect(db)
    try:
        print()
        print(format_table(tally(con, 2023), 2023))
        print("\nApariciones por semana:")
        for week, n in recent_weeks(con, 4):
            print(f"  {week}: {n}")
    finally:
        con.close()
    print(f"\nLa base de la demostración es {db}; ábrala con DuckDB para explorar las vistas "
          "appearances, weekly_counts y yearly_tally.")
    return 0
