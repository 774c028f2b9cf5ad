"""An analyst's own SQL, read-only: the one way in behind `prodesc-monitor sql`.

The connection is the app's own (`warehouse.db.connect(..., read_only=True)`): the lake
attached read-only as the default catalog (views included), Mexico City time, and the
full-text index attached as `search` (`search.fts_main_articles.match_bm25` over
`search.main.articles`: plain `search.articles` does not resolve), with the extensions
loaded from their PyPI packages, offline.
It reads one snapshot per statement and never holds up a writer; it refuses every write
(INSERT, UPDATE, CREATE...) with DuckDB's own error.

Results are returned as columns and rows and printed three ways: a table aligned for a
terminal, CSV (RFC 4180, every cell defused with `spreadsheet.safe_cell`, the project's
formula-injection rule) and JSON (an array of objects, dates as ISO text).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO
from uuid import UUID

import duckdb

from warehouse.db import connect
from warehouse.spreadsheet import write_csv_rows

LOCK_WAIT_SECONDS = 2          # an interactive command: give up after a few seconds, not five minutes
TABLE_MAX_ROWS = 1000          # a table in a terminal; csv and json print every row
CELL_WIDTH = 60                # longer text (an article's main_text) is cut in the table only

RELATIONS_SQL = """SELECT table_name AS nombre,
       CASE table_type WHEN 'VIEW' THEN 'vista' ELSE 'tabla' END AS tipo
FROM information_schema.tables WHERE table_catalog = 'lake' AND table_schema = 'main'
  AND table_name NOT IN ('schema_migrations', 'schema_views', 'writer_turn') ORDER BY tipo DESC, nombre"""


class QueryError(Exception):
    """DuckDB refused the statement (syntax, unknown column, a write on a read-only file...)."""


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]
    truncated: bool = False          # more rows than were fetched
    types: list[str] = field(default_factory=list)


def open_read_only(path: str | Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """The app's read-only connection. Raises DatabaseLocked (pipelines.errors) after
    `wait_seconds` if the catalog stays busy."""
    return connect(path, read_only=True, wait_seconds=wait_seconds, say=lambda _message: None)


def statements(text: str) -> list[str]:
    """The statements in `text`, split by DuckDB's own parser (a ';' inside a string stays)."""
    con = duckdb.connect()
    try:
        return [s.query.strip() for s in con.extract_statements(text) if s.query.strip()]
    except duckdb.Error as exc:
        raise QueryError(_one_line(exc)) from exc
    finally:
        con.close()


def run_query(con, sql: str, max_rows: int | None = None) -> Result:
    """Run `sql` (one statement or several: the last one's result) and return its rows."""
    try:
        cur = con.execute(sql)
        if cur.description is None:          # a statement without a result (SET, PRAGMA...)
            return Result([], [])
        columns = [d[0] for d in cur.description]
        types = [str(d[1]) for d in cur.description]
        if max_rows is None:
            return Result(columns, cur.fetchall(), types=types)
        rows = cur.fetchmany(max_rows + 1)
    except duckdb.Error as exc:
        raise QueryError(_one_line(exc)) from exc
    return Result(columns, rows[:max_rows], len(rows) > max_rows, types)


def relations(con) -> Result:
    """The tables and views an analyst can query."""
    return run_query(con, RELATIONS_SQL)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


# ------------------------------------------------------------------ printing

def _text(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _numeric(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def format_table(result: Result) -> str:
    """Aligned columns for a terminal: numbers to the right, long text cut, one line per row."""
    if not result.columns:
        return "Listo."
    cells = []
    for row in result.rows:
        line = []
        for value in row:
            text = " ".join(_text(value).split()) if isinstance(value, str) else _text(value)
            line.append(text if len(text) <= CELL_WIDTH else text[:CELL_WIDTH - 1] + "…")
        cells.append(line)
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(result.columns)]
    right = [bool(result.rows) and all(_numeric(r[i]) or r[i] is None for r in result.rows)
             for i in range(len(result.columns))]

    def render(line):
        return " | ".join(t.rjust(w) if r else t.ljust(w) for t, w, r in zip(line, widths, right)).rstrip()

    out = [render(result.columns), "-+-".join("-" * w for w in widths)]
    out += [render(line) for line in cells]
    n = len(result.rows)
    if result.truncated:
        out.append(f"(se muestran las primeras {n} filas; use --format csv o LIMIT para ver todas)")
    else:
        out.append("(1 fila)" if n == 1 else f"({n} filas)")
    return "\n".join(out)


def _csv_value(value):
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return value


def write_csv(result: Result, out: IO[str]) -> None:
    """RFC 4180 (CRLF line ends), a header row, cells defused against formula injection: the
    project's one CSV writer (warehouse/spreadsheet.py), on a stream."""
    write_csv_rows(out, result.columns, result.rows, plain=_csv_value)


def _json_default(value):
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, UUID):
        return str(value)
    return str(value)


def write_json(result: Result, out: IO[str]) -> None:
    """A JSON array of objects keyed by column name; dates and times as ISO text."""
    records = [dict(zip(result.columns, row)) for row in result.rows]
    json.dump(records, out, ensure_ascii=False, indent=2, default=_json_default)
    out.write("\n")


WRITERS: dict[str, Callable[[Result, IO[str]], None]] = {
    "table": lambda result, out: out.write(format_table(result) + "\n"),
    "csv": write_csv,
    "json": write_json,
}


def read_statements(lines: Iterator[str]) -> Iterator[str]:
    """Statements from lines of text: a statement ends with a line ending in ';' (or at the end)."""
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if line.rstrip().endswith(";"):
            yield from statements("\n".join(buffer))
            buffer = []
    if "".join(buffer).strip():
        yield from statements("\n".join(buffer))

