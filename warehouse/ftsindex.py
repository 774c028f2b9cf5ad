"""The full-text index of one table: the fts extension's own tables and functions, filled by our SQL.

Why not `PRAGMA create_fts_index` alone: it stems every occurrence of every word, then numbers
the terms and counts them with UPDATEs that look each row up again. On the 50,000 articles of
`bench/backfill.py` (22 million words) the index's rebuild took 32.0 s of a 201-second load.
Here the pragma runs on an empty copy of the table: it creates the schema `fts_main_<table>`,
its empty tables and the `tokenize` and `match_bm25` functions that `search` calls. Then
`queries/fts_index.sql` fills those tables: the text split by that same `tokenize`, each distinct
word stemmed once, ids given by joins: 13.8 s for the same 50,000 articles, and 16 s of CPU
against 57 (docs/performance.md §7).

The rows are the pragma's (`tests/test_ftsindex.py` builds both on the same articles and compares
every table and the scores); only the numbers given to terms (`dict.termid`) may differ, and only
the index's own joins read them. A release of the extension that changes what its tables hold
fails that test.
"""
from __future__ import annotations

from warehouse.db import query

# What every index is built with: no stop words (a search for "sin tierra" needs "sin"), accents
# and case aside. Our SQL applies the stop-word table the pragma makes, whatever it holds.
# Words split at digits and at every punctuation mark and symbol (Unicode's P and S classes):
# the extension's own rule in DuckDB 1.5.5 splits only at ASCII ones, so "¡Justicia!" was indexed
# as "¡justicia", “ProDESC” as "“prodesc”", and a search for justicia or prodesc missed them.
FTS_OPTIONS = r"stopwords = 'none', strip_accents = 1, lower = 1, overwrite = 1, ignore = '[0-9\p{P}\p{S}]+'"
FIELDS = ("title", "main_text")       # `queries/fts_index.sql` names them too


def create_index(con, table: str, stemmer: str, options: str = FTS_OPTIONS) -> None:
    """Index `table` (url, title, main_text) on connection `con`, as
    `PRAGMA create_fts_index(table, 'url', 'title', 'main_text', stemmer, options)` does.
    `table` and `stemmer` are constants of ours, never text from the data."""
    fields = ", ".join(f"'{f}'" for f in FIELDS)
    full = f"{table}_to_index"
    con.execute(f"ALTER TABLE {table} RENAME TO {full}")
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM {full} LIMIT 0")
    con.execute(f"PRAGMA create_fts_index('{table}', 'url', {fields}, stemmer = '{stemmer}', {options})")
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {full} RENAME TO {table}")
    con.execute(query("fts_index").format(schema=f"fts_main_{table}", table=table, stemmer=stemmer))
