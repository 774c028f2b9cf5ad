"""The data contract in the database: a COMMENT ON every table, view and table column.

One source, `warehouse/contract.yaml` (Spanish descriptions, {relation: {description, columns,
not_exported}}): the export writes it into datapackage.json, docs/warehouse.md renders it
(cog), and this writes it into the catalog, so an analyst in any DuckDB client reads the
meaning where the data is (`duckdb_tables()`, `duckdb_views()`, `duckdb_columns()`'s
`comment`). Applied with the views (warehouse.db.create_views): the views digest includes
contract.yaml, so an edited description is written again on the next open, and after every
migration (a new or changed table gets its comments).

DuckLake (the extension shipped for DuckDB 1.5.5) stores COMMENT ON TABLE, COMMENT ON VIEW
and COMMENT ON COLUMN of a table, but refuses a column of a view ("Binder Error: Cannot
comment on columns for entry appearances - it is not a table"; plain DuckDB accepts it).
Upstream has merged view-column comments (duckdb/ducklake#1102) but no released extension
for DuckDB 1.5.x carries them. Until one does, every column's description is in the catalog
as data instead: the view `column_descriptions` (one row per relation and column, built here
from contract.yaml with the other views), so any DuckDB client can join it to
`duckdb_columns()` or `DESCRIBE`. tests/test_contract.py notices the day DuckLake accepts
the comments.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from warehouse.lake import sql_string

CONTRACT = Path(__file__).with_name("contract.yaml")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@cache
def contract() -> dict:
    """{relation: {description, columns: {column: description}, not_exported: {...}}}."""
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))


def columns(relation: str) -> dict[str, str]:
    """Every described column of `relation`, the exported ones first, in contract order."""
    entry = contract()[relation]
    return {**entry.get("columns", {}), **entry.get("not_exported", {})}


def _ident(name: str) -> str:
    # Names come from contract.yaml, our own file; still, only plain snake_case names pass.
    if not _NAME.fullmatch(name):
        raise ValueError(f"contract.yaml: {name!r} is not a plain relation or column name")
    return f'"{name}"'


def comment_statements(tables: set[str], views: set[str]) -> list[str]:
    """COMMENT ON statements for the relations that exist (`tables`, `views`) and are described.

    COMMENT ON takes no parameters: each description is a quoted SQL string literal
    (lake.sql_string doubles its quotes), each name a checked, quoted identifier."""
    out = []
    for relation, entry in contract().items():
        if relation in tables:
            out.append(f"COMMENT ON TABLE {_ident(relation)} IS {sql_string(entry['description'])}")
            for column, text in columns(relation).items():
                out.append(f"COMMENT ON COLUMN {_ident(relation)}.{_ident(column)} IS {sql_string(text)}")
        elif relation in views:
            out.append(f"COMMENT ON VIEW {_ident(relation)} IS {sql_string(entry['description'])}")
    return out


DICTIONARY_VIEW = "column_descriptions"


def dictionary_view_sql() -> str:
    """CREATE OR REPLACE VIEW column_descriptions: contract.yaml's column descriptions as rows.

    A VALUES list of quoted literals (lake.sql_string), names checked like the comments'.
    Relations of both kinds are listed, so an analyst has one place to read what a column
    means whether or not its COMMENT could be stored."""
    rows = []
    for relation in contract():
        _ident(relation)
        for position, (column, text) in enumerate(columns(relation).items(), start=1):
            _ident(column)
            rows.append(f"({sql_string(relation)}, {position}::BIGINT, {sql_string(column)}, {sql_string(text)})")
    return (f"CREATE OR REPLACE VIEW {DICTIONARY_VIEW} AS SELECT * FROM (VALUES\n  "
            + ",\n  ".join(rows)
            + "\n) AS d(relation_name, column_position, column_name, description)")


def lake_relations(con) -> tuple[set[str], set[str]]:
    """The lake's own tables and views (the `lake` catalog, schema main)."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = 'main'").fetchall()}
    views = {r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = 'lake' AND schema_name = 'main' "
        "AND NOT internal").fetchall()}
    return tables, views


def apply_comments(con) -> int:
    """Write the contract's descriptions as comments, and the column_descriptions view, inside the
    caller's transaction. Returns how many comments."""
    con.execute(dictionary_view_sql())
    tables, views = lake_relations(con)
    statements = comment_statements(tables, views)
    for sql in statements:
        con.execute(sql)
    return len(statements)
