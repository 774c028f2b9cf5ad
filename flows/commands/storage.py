"""The warehouse as files: a backup while everyone works (backup), and moving a database of the
previous version (one DuckDB file) into the lake (migrate)."""
from __future__ import annotations

from flows.commands.common import PATH, command, db_option, fail, lang_option, option
from flows.commands.language import Words


@command("backup", "copia el almacén a otra carpeta sin detener a nadie (el catálogo y sus archivos)",
         "Copia el almacén a otra carpeta mientras todos siguen trabajando: primero el catálogo, con la copia de "
         "seguridad de SQLite (incluye lo guardado hace un momento que todavía está en el archivo -wal), y "
         "después los archivos Parquet de datos; los que ya estaban en la carpeta de un respaldo anterior no se "
         "vuelven a copiar. No copie el archivo del catálogo a mano: puede perder las últimas decisiones. Para "
         "restaurar, ponga los archivos de la carpeta junto a donde estaba el almacén.")
@db_option()
@option("--to", "to", type=PATH, required=True, metavar="CARPETA",
        help="carpeta del respaldo (se crea si no existe), p. ej. respaldos/2026-12-06")
@lang_option()
def backup(db, to, lang) -> int:
    from warehouse.backup import backup as copy_warehouse

    report, words = copy_warehouse(db, to), Words(lang)
    print(words("backup_done", catalog=report.catalog, copied=words.n("files", report.files_copied),
                kept=words.n("files", report.files_kept), megabytes=f"{report.bytes_copied / 1e6:,.1f}"))
    return 0


def format_int(n: int) -> str:
    """1,234: the comma separates thousands in Mexico."""
    return f"{n:,}"


@command("migrate", "pasa una base de la versión anterior (data/monitor.duckdb) al almacén nuevo",
         "Pasa una base de la versión anterior (un solo archivo DuckDB, p. ej. data/monitor.duckdb) al almacén "
         "nuevo (--db), sin perder nada: artículos, menciones, páginas, revisiones, apariciones manuales, años "
         "congelados, historial de alcances y el registro de las recolecciones. El archivo anterior no se modifica "
         "(se trabaja sobre una copia). Todo se copia en una sola transacción: si algo falla o se interrumpe, el "
         "almacén queda como estaba. No migra encima de un almacén que ya tiene datos. Al terminar muestra las "
         "filas de cada tabla antes y después.")
@option("--from", "source", type=PATH, required=True, metavar="ARCHIVO",
        help="la base de la versión anterior (p. ej. data/monitor.duckdb); no se modifica")
@db_option(help="el almacén nuevo, vacío: su catálogo (por omisión: data/monitor.ducklake) o postgres:<conexión>")
def migrate(source, db) -> int:
    from warehouse.legacy import MigrationError, migrate_legacy

    try:
        report = migrate_legacy(source, db)
    except MigrationError as exc:
        fail(str(exc))
    refresh_case_names(db)
    if report.upgraded:
        print(f"La copia de la base anterior se actualizó primero ({', '.join(report.upgraded)}).")
    width = max(len(t) for t, _, _ in report.counts)
    print("\nFilas por tabla (antes → después):")
    for table, before, after in report.counts:
        print(f"  {table.ljust(width)}  {format_int(before):>10} → {format_int(after):>10}"
              + ("" if before == after else "  ¡DIFERENTE!"))
    print("\nVistas con el mismo resultado que en la base anterior: "
          + ", ".join(f"{v} ({format_int(n)} filas)" for v, n in report.views) + ".")
    if report.frozen_years:
        print(f"Años congelados migrados: {', '.join(map(str, report.frozen_years))}. Se contaron antes de que "
              f"existieran las versiones del almacén: su cifra congelada se conserva tal cual, pero "
              f"tally --as-frozen no puede volver a contarlos.")
    if report.skipped_tables:
        print(f"Aviso: no se copiaron {', '.join(report.skipped_tables)}: no son tablas del monitor (quedan en el "
              f"archivo anterior).")
    seconds = report.seconds
    print(f"\nListo: {format_int(report.rows)} filas en {len(report.counts)} tablas, en {seconds['total']:.1f} s "
          f"(copia {seconds['copia']:.1f} s, tablas {seconds['tablas']:.1f} s, índice de búsqueda "
          f"{seconds['índice']:.1f} s). Desde ahora use --db {db}; el archivo {source} ya no se usa.")
    return 0


def refresh_case_names(db) -> None:
    """The old file named the cases in English; the reports name them from the knowledge base
    (Spanish `name`, `name_en`), so the migrated warehouse takes today's names at once rather
    than at its first crawl."""
    from nlp.kb import entity_rows, load_kb
    from warehouse.db import connect
    from warehouse.load import load_entities

    con = connect(db)
    try:
        load_entities(con, entity_rows(load_kb()))
    finally:
        con.close()
