"""Spreadsheets for people: the one CSV and XLSX writer (weekly report, annual section, tally).

Text from the web must never run on a colleague's machine: a cell that a spreadsheet
would read as a formula (starting with =, +, -, @, tab or carriage return) is prefixed
with an apostrophe, and control characters that XLSX refuses are dropped (openpyxl
raises `IllegalCharacterError` and no file at all would be written).

It lives in warehouse/ so that both the tally (warehouse/tally.py) and the reports
(flows/report/) can use it: flows may import warehouse, never the reverse.
`warehouse/export.py` writes its CSV with DuckDB's COPY and applies the same
`FORMULA_STARTS` in SQL.

Every CSV file the project writes starts with a UTF-8 byte-order mark (`CSV_ENCODING`):
Excel in Mexico reads a UTF-8 CSV without one as Windows-1252 and shows "Ã³" for "ó".
`write_csv` writes it; `mark_utf8` adds it to a file DuckDB's COPY wrote.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODING = "utf-8-sig"          # UTF-8 with a byte-order mark: Excel reads the accents
BOM = "\ufeff".encode("utf-8")
WEB_ADDRESS = re.compile(r"^https?://", re.IGNORECASE)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # not allowed in XLSX (tab, CR, LF are)


def safe_cell(value):
    """A spreadsheet cell that can never run as a formula (CSV/XLSX injection) and that XLSX
    accepts (control characters from the web are dropped)."""
    if isinstance(value, str):
        value = CONTROL_CHARS.sub("", value)
        if value[:1] in FORMULA_STARTS:
            return "'" + value
    return value


def write_csv_rows(out: IO[str], head: Sequence, rows: Iterable[Sequence], plain=None) -> None:
    """Header and rows as CSV on an open text stream, every cell made safe. ``plain`` turns a
    value into what the cell should say; by default dates become ISO text (2026-11-17)."""
    plain = plain or (lambda v: v.isoformat() if isinstance(v, date) else v)
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in head])
    writer.writerows([[safe_cell(plain(v)) for v in row] for row in rows])


def write_csv(path, head: Sequence, rows: Iterable[Sequence]) -> Path:
    """Header and rows as a CSV file (`write_csv_rows`), with the byte-order mark every CSV
    of the project has (`CSV_ENCODING`), so Excel reads the accents."""
    path = Path(path)
    with open(path, "w", newline="", encoding=CSV_ENCODING) as fh:
        write_csv_rows(fh, head, rows)
    return path


def mark_utf8(path) -> Path:
    """Give a UTF-8 CSV written by another writer (DuckDB's COPY) the byte-order mark that
    `write_csv` writes, so every CSV of the project opens the same way in Excel."""
    path = Path(path)
    data = path.read_bytes()
    if not data.startswith(BOM):
        path.write_bytes(BOM + data)
    return path


@dataclass
class Sheet:
    """One worksheet: an optional bold title line, the header, the rows."""
    name: str
    head: Sequence
    rows: Iterable[Sequence]
    title: str | None = None           # a line above the header, in bold
    bold_head: bool = True
    widths: Sequence[float] = ()       # column widths from column A on
    date_columns: Sequence[int] = ()   # 1-based columns shown as yyyy-mm-dd
    freeze_head: bool = False          # keep the header in view when scrolling
    link_columns: Sequence[int] = ()   # 1-based columns whose web addresses become clickable links
    lines: Sequence[str] = ()          # lines of text under the title, above the header (a paragraph)
    after: Sequence[Sequence] = ()     # rows below the table, after an empty row


def write_xlsx(path, sheets: Sequence[Sheet]) -> Path:
    """An XLSX workbook with these sheets, every cell made safe (strings stay strings)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.name)
        if spec.title is not None:
            sheet.append([safe_cell(spec.title)])
            sheet["A1"].font = Font(bold=True)
        for line in spec.lines:
            sheet.append([safe_cell(line)])
        if spec.lines:
            sheet.append([])
        sheet.append([safe_cell(v) for v in spec.head])
        head_row = sheet.max_row
        if spec.bold_head:
            for cell in sheet[head_row]:
                cell.font = Font(bold=True)
        for row in spec.rows:
            sheet.append([safe_cell(v) for v in row])
            for col in spec.date_columns:
                sheet.cell(row=sheet.max_row, column=col).number_format = "yyyy-mm-dd"
            for col in spec.link_columns:
                _link(sheet.cell(row=sheet.max_row, column=col))
        if spec.after:
            sheet.append([])
            for row in spec.after:
                sheet.append([safe_cell(v) for v in row])
        for i, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        if spec.freeze_head:
            sheet.freeze_panes = f"A{head_row + 1}"
    book.save(path)
    return path


def _link(cell) -> None:
    """A web address in a cell becomes a link Excel opens with one click (the "Hyperlink" style,
    blue and underlined); anything else (a `javascript:` URL from the web, a manual entry's
    id) stays plain text."""
    if isinstance(cell.value, str) and WEB_ADDRESS.match(cell.value):
        cell.hyperlink = cell.value
        cell.style = "Hyperlink"
