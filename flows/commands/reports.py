"""What the communications team opens: the weekly and annual reports, and the review desk."""
from __future__ import annotations

from pathlib import Path

import click

from flows.commands.common import (
    Group, command, db_option, lang_option, live_option, option, out_option, port_option, require_db,
    require_sources, sources_option, week_option, year_option,
)

REPORTS_OUT = "carpeta donde escribir (por omisión: reports)"


@click.group("report", cls=Group,
             short_help="escribe el informe semanal o la sección de medios del informe anual (HTML, CSV, XLSX)",
             help="Escribe informes para el equipo de comunicación. El archivo HTML es autocontenido: se abre "
                  "sin internet y se puede adjuntar a un correo electrónico.")
def report() -> None:
    pass


@report.command("weekly",
                short_help="las apariciones de la semana pasada: conteos, gráfica, cada aparición y los medios "
                           "por clasificar",
                help="Escribe el informe semanal (HTML) y las apariciones de la semana como CSV y XLSX.")
@week_option()
@lang_option(help="idioma del informe: es (español) o en (inglés); por omisión, el de PRODESC_MONITOR_LANG, o es")
@db_option()
@out_option(Path("reports"), REPORTS_OUT)
def weekly(week, lang, db, out) -> int:
    from flows.report import messages, write_weekly_report

    require_db(db)
    files = write_weekly_report(db, out, week, lang)
    print(messages(lang)["files"] + "\n" + "\n".join(f"  {f}" for f in files))
    return 0


@report.command("year",
                short_help="la sección de medios del informe anual: párrafo, conteo, cada aparición, meses, año "
                           "anterior, medios destacados y gráfica",
                help="Escribe la sección de medios del informe anual (HTML: cada número de la tabla lleva a su "
                     "lista de apariciones), su tabla y sus apariciones (CSV) y todo en un XLSX con una hoja de "
                     "resumen. Para un año congelado muestra la cifra congelada (la publicada), salvo con --live.")
@year_option()
@lang_option(help="idioma del informe: es (español) o en (inglés); por omisión, el de PRODESC_MONITOR_LANG, o es")
@live_option("para un año congelado, muestra la cifra de hoy")
@db_option()
@out_option(Path("reports"), REPORTS_OUT)
def year(year, lang, live, db, out) -> int:
    from flows.report import messages, write_year
    from warehouse.db import connect

    require_db(db)
    con = connect(db, read_only=True)
    try:
        files = write_year(con, year, out, lang, live=live)
    finally:
        con.close()
    print(messages(lang)["files"] + "\n" + "\n".join(f"  {f}" for f in files))
    return 0


@command("review", "abre la mesa de revisión en su navegador: confirmar, rechazar, corregir y clasificar medios",
         "Abre una pequeña página web en esta computadora (solo esta computadora puede entrar) donde se "
         "revisan las apariciones nuevas y los candidatos rechazados: confirme o rechace cada uno, corrija "
         "temas, marque duplicados y asigne un alcance a los medios nuevos. Cada decisión se guarda con su "
         "nombre y cambia los informes y el conteo en su siguiente ejecución. Dos personas pueden usarla a la "
         "vez desde esta computadora.")
@db_option()
@sources_option("el registro al que se agregan los medios clasificados (por omisión: sources.yaml)")
@port_option(8765, "puerto en esta computadora (por omisión: 8765)")
@lang_option(help="idioma de las páginas: es (español) o en (inglés); por omisión, el de PRODESC_MONITOR_LANG, o es")
@option("--open", "open_browser", is_flag=True, help="también abre la página en el navegador predeterminado")
@option("--verbose", is_flag=True, help="muestra una línea por cada solicitud")
def review(db, sources, port, lang, open_browser, verbose) -> int:
    from flows.desk.command import run_desk

    require_sources(sources)
    return run_desk(db, sources, port, lang, open_browser, verbose)

