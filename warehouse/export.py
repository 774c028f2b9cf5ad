"""Exports for people who use other tools: Parquet (types kept) and CSV (opens anywhere).

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @) are
prefixed with an apostrophe: text from the web must never execute on a colleague's
machine. Parquet keeps the data exactly as stored. Each CSV starts with the UTF-8 byte-order
mark every CSV of the project has (warehouse/spreadsheet.py), so Excel reads the accents.
"""
from __future__ import annotations

from pathlib import Path

from warehouse.lake import sql_string   # COPY takes a literal file name, not a parameter
from warehouse.spreadsheet import FORMULA_STARTS, mark_utf8

_FORMULA_STARTS_SQL = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)   # the same rule as every spreadsheet

EXPORTS = {
    "appearances": "SELECT * FROM appearances ORDER BY published_date, url",
    "weekly_counts": "SELECT * FROM weekly_counts ORDER BY week, theme, reach",
    "yearly_tally": "SELECT * FROM yearly_tally ORDER BY year, theme, reach",
    "articles": "SELECT * EXCLUDE (main_text, fingerprint_int) FROM articles ORDER BY url",
    "mentions": "SELECT * FROM mention_snippets ORDER BY article_url, start_char",
    "outlets": "SELECT * FROM outlets ORDER BY name",
}


def neutralised(con, sql: str) -> str:
    """Wrap a query so every text column that could start a spreadsheet formula is defused."""
    cols = con.execute(f"DESCRIBE {sql}").fetchall()
    parts = []
    for name, ctype, *_ in cols:
        q = f'"{name}"'
        if ctype == "VARCHAR":
            parts.append(f"CASE WHEN left({q}, 1) IN ({_FORMULA_STARTS_SQL}) "
                         f"THEN '''' || {q} ELSE {q} END AS {q}")
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM ({sql})"


def export(con, out_dir: Path, formats=("parquet", "csv")) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, sql in EXPORTS.items():
        if "parquet" in formats:
            path = out_dir / f"{name}.parquet"
            con.execute(f"COPY ({sql}) TO {sql_string(path)} (FORMAT parquet)")
            written.append(path)
        if "csv" in formats:
            path = out_dir / f"{name}.csv"
            con.execute(f"COPY ({neutralised(con, sql)}) TO {sql_string(path)} (FORMAT csv, HEADER)")
            written.append(mark_utf8(path))
    return written
