"""Collecting articles: crawl, load, retag, and the offline demo."""
from __future__ import annotations

from pathlib import Path

from flows.commands.common import (
    DAY, command, db_option, fail, lang_option, option, print_summary, quiet_prefect, require_crawlable, require_db,
    since_option, sources_option, workers_option,
)
from flows.commands.language import Words, number


@command("crawl", "lee los feeds de los medios (y sus sitemaps para fechas pasadas) y guarda lo nuevo",
         "Lee cada feed del archivo de fuentes; con --since, también recorre los sitemaps de los medios en "
         "busca de artículos publicados en ese periodo. Lee cada artículo, busca menciones de ProDESC y de los "
         "procesos que acompaña, y lo guarda en la base de datos.")
@sources_option()
@db_option()
@since_option()
@option("--until", type=DAY, metavar="FECHA", help="última fecha de publicación que se incluye, p. ej. 2023-12-31")
@workers_option("lee y etiqueta los artículos en este número de procesos a la vez; "
                "conviene al recorrer periodos largos del pasado")
@option("--refetch", is_flag=True,
        help="vuelve a descargar los artículos aunque ya estén guardados (p. ej. después de mejorar la "
             "extracción de texto)")
@lang_option()
def crawl(sources, db, since, until, workers, refetch, lang) -> int:
    if since and until and until < since:
        fail(Words(lang)("until_before_since", since=since, until=until))
    require_crawlable(sources, db, since)
    quiet_prefect()
    from flows.flows import run_crawl

    result = run_crawl(str(sources), str(db), since=since, until=until, refetch=refetch, workers=workers,
                       fetch_retries=0)
    print_summary(result, lang)
    print("\n" + Words(lang)("saved", db=db))
    return 0


@command("load", "guarda las páginas que una recolección descargó pero no pudo guardar (p. ej. porque la "
                 "base de datos estaba ocupada)")
@sources_option()
@db_option()
@lang_option()
def load(sources, db, lang) -> int:
    from flows.steps import load_staged, running_crawls, staging_dir_for

    summary, words = load_staged(db, sources), Words(lang)
    print(words("loaded", pages=words.n("pending_pages", summary.pages), articles=words.n("articles", summary.articles),
                appearances=words.n("appearances", summary.appearances)))
    running = running_crawls(staging_dir_for(db), but="")   # their pages are theirs to store (flows.steps.owning)
    if running:
        print(words("running_keep_theirs", runs=", ".join(running)))
    return 0


@command("retag", "vuelve a revisar los artículos guardados después de un cambio en la base de conocimiento "
                  "(no descarga nada)")
@db_option()
@lang_option()
def retag(db, lang) -> int:
    from flows.steps import retag as retag_stored

    require_db(db)   # a mistyped --db would otherwise create an empty warehouse and retag nothing
    result, words = retag_stored(db), Words(lang)
    print(words("retagged", articles=words.n("stored_articles", result["articles"]), kb_version=result["kb_version"],
                changed=words.n("changed", result["changed"])))
    return 0


@command("demo", "prueba todo sin internet con una pequeña web de muestra servida en esta computadora")
@db_option(Path("data/demo.ducklake"), "dónde escribir la base de la demostración (por omisión: data/demo.ducklake)")
@lang_option()
def demo(db, lang) -> int:
    """Serve the sample web on this machine and run the real crawl against it."""
    quiet_prefect()
    from flows.demo import run_demo
    from flows.report import format_week, last_full_week, write_weekly, write_year
    from warehouse.db import connect
    from warehouse.reports import recent_weeks
    from warehouse.tally import format_table, tally

    words = Words(lang)
    print(words["demo_start"])
    result = run_demo(db)
    print_summary(result, lang)
    reports = Path(db).parent / ("informes" if lang == "es" else "reports")
    con = connect(db)
    try:
        print()
        print(format_table(tally(con, 2023), 2023, lang))
        print("\n" + words["demo_weeks"])
        for week, n in recent_weeks(con, 4):
            print(f"  {format_week(week, lang)}: {number(n)}")
        # What the team opens on Monday and in December, from the demo's own data.
        files = [*write_weekly(con, last_full_week(), reports, lang, db_name=Path(db).name),
                 *write_year(con, 2023, reports, lang)]
    finally:
        con.close()
    print("\n" + words("demo_reports", weekly=files[0], year=next(f for f in files[3:] if f.suffix == ".html"),
                       folder=reports))
    print("\n" + words("demo_end", db=db))
    return 0
