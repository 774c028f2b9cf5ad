"""Bulk inserts through DuckDB's JSON reader instead of `executemany`.

`executemany` converts every value through Python one by one (and, on this stack,
tries to import pandas and pyarrow for each one): ~20 ms per article. Writing the
batch as JSON lines to a temporary file and inserting with `read_json` is a single
columnar scan. Types come from the target table, so dates, timestamps and lists
arrive as such; BLOBs travel base64-encoded and are decoded in SQL.
"""
from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot store {type(value).__name__}")


def column_types(con, table: str) -> dict[str, str]:
    return {name: ctype for name, ctype, *_ in con.execute(f"DESCRIBE {table}").fetchall()}


def bulk_insert(con, table: str, columns: Sequence[str], rows: Iterable[Sequence], *, conflict: str = "") -> int:
    """INSERT rows (tuples in `columns` order) into `table`; `conflict` e.g. 'ON CONFLICT DO NOTHING'."""
    types = column_types(con, table)
    fd, path = tempfile.mkstemp(suffix=".jsonl", prefix="prodesc-bulk-")
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(dict(zip(columns, row)), default=_json_default, ensure_ascii=False) + "\n")
                n += 1
        if not n:
            return 0
        read_types = {c: ("VARCHAR" if types[c] == "BLOB" else types[c]) for c in columns}
        struct = "{" + ", ".join(f"'{c}': '{t}'" for c, t in read_types.items()) + "}"
        select = ", ".join(f"from_base64({c})" if types[c] == "BLOB" else c for c in columns)
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "
                    f"FROM read_json(?, format = 'newline_delimited', columns = {struct}) {conflict}", [path])
        return n
    finally:
        os.unlink(path)
