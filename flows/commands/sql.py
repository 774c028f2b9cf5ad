"""`prodesc-monitor sql`: the analysts' one way in, read-only (docs/warehouse.md).

The SQL and the printing live in warehouse/sql.py; this is the command line around it:
one query with -c, statements piped on stdin, or an interactive prompt in a terminal.
"""
from __future__ import annotations

import importlib
import sys

from flows.commands.common import OneOf, command, db_option, fail, option, require_db

FORMATS = ("table", "csv", "json")
QUIT = (".salir", ".quit", ".exit")
LOCKED = ("El catálogo de {db} está bloqueado por otro programa (no por el monitor: quizá una sesión de sqlite3 "
          "con BEGIN EXCLUSIVE) y no se pudo abrir. Ciérrelo y vuelva a intentarlo.")
WELCOME = ("Consultas de solo lectura a {db}. Escriba una consulta SQL terminada en «;» "
           "(p. ej. SELECT * FROM yearly_tally;). .tablas lista las tablas y vistas; .salir o Ctrl+D termina.\n"
           "Puede dejarla abierta: la recolección y la mesa de revisión siguen guardando mientras tanto.")


@command("sql", "consulta la base de datos con SQL, sin modificarla (la forma de entrar para analistas)",
         "Consulta la base de datos con SQL, sin modificarla: las mismas vistas que usa el monitor "
         "(appearances, weekly_counts, yearly_tally, mention_snippets...), la hora de la Ciudad de México y "
         "la búsqueda de texto completo (search.fts_main_articles.match_bm25 sobre search.main.articles). Con -c ejecuta una consulta y "
         "termina; sin -c abre un indicador donde escribir consultas terminadas en «;» (.salir o Ctrl+D "
         "para terminar), o lee las consultas de la entrada estándar si no es una terminal, p. ej.: "
         "echo \"SELECT * FROM yearly_tally;\" | prodesc-monitor sql. Vea docs/warehouse.md.")
@option("-c", "--command", "sql_text", metavar="CONSULTA",
        help="la consulta a ejecutar, p. ej. -c \"SELECT * FROM yearly_tally WHERE year = 2023\"")
@option("--format", "fmt", type=OneOf(FORMATS), default="table", metavar="FORMATO",
        help="table (columnas alineadas, por omisión), csv o json (una lista de objetos)")
@db_option()
def sql(sql_text, fmt, db) -> int:
    from pipelines.errors import DatabaseLocked
    from warehouse.sql import open_read_only

    require_db(db)
    try:
        con = open_read_only(db)
    except DatabaseLocked:
        fail(LOCKED.format(db=db), code=DatabaseLocked.exit_code)
    try:
        if sql_text is not None:
            _print(con, sql_text, fmt)
        elif sys.stdin.isatty():
            _interactive(con, db)
        else:
            _piped(con, fmt)
    finally:
        con.close()
    return 0


def _piped(con, fmt: str) -> None:
    """Statements from a pipe or a file, each printed as it runs; the first error stops (exit 2)."""
    from warehouse.sql import QueryError, read_statements

    try:
        for statement in read_statements(line.rstrip("\n") for line in sys.stdin):
            _print(con, statement, fmt)
    except QueryError as exc:
        fail(f"Error en la consulta: {exc}")


def _print(con, statement: str, fmt: str) -> None:
    from warehouse.sql import TABLE_MAX_ROWS, WRITERS, QueryError, run_query

    try:
        result = run_query(con, statement, TABLE_MAX_ROWS if fmt == "table" else None)
    except QueryError as exc:
        fail(f"Error en la consulta: {exc}")
    WRITERS[fmt](result, sys.stdout)
    sys.stdout.flush()


def _interactive(con, db) -> None:
    from warehouse.sql import TABLE_MAX_ROWS, QueryError, format_table, relations, run_query, statements

    try:   # line editing and history at the prompt, where the platform has them
        importlib.import_module("readline")
    except ImportError:
        pass
    print(WELCOME.format(db=db), file=sys.stderr)
    buffer: list[str] = []
    while True:
        try:
            line = input("   -> " if buffer else "sql> ")
        except EOFError:
            print()
            return
        except KeyboardInterrupt:   # Ctrl+C: drop what was being typed, as other SQL prompts do
            print()
            buffer = []
            continue
        word = line.strip().lower()
        if not buffer and word in QUIT:
            return
        if not buffer and word in (".tablas", ".tables"):
            print(format_table(relations(con)))
            continue
        if not buffer and not word:
            continue
        buffer.append(line)
        if not line.rstrip().endswith(";"):
            continue
        text, buffer = "\n".join(buffer), []
        try:
            for statement in statements(text):
                print(format_table(run_query(con, statement, TABLE_MAX_ROWS)))
        except QueryError as exc:
            print(f"Error en la consulta: {exc}", file=sys.stderr)
