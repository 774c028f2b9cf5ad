"""Every file and listing people open, written by the real commands from a warehouse whose web
text is hostile: headlines and an outlet name that start a spreadsheet formula or carry a script.

Every cell of every CSV and XLSX the project writes (`export`, `report weekly`, `report year`,
`tally --out`, `search --format csv`, `sql --format csv`) must stay text that never runs, and
both HTML reports must show the script as text. (`add --csv` writes no file: its rejections are
lines on the terminal.)
"""
from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner

from flows.cli import cli
from tests.test_report import URLS, build_db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
OUTLET = '=HYPERLINK("http://evil.example","x")<script>alert("medio")</script>'
TITLES = {"land": "+cmd|' /C calc'!A0 amparo ProDESC", "labour": "-2+3 jornaleros ProDESC",
          "labour_copy": "@SUM(1+1) copia ProDESC", "w46_land": "\t=1+1 laguna ProDESC"}
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?%?")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    from pipelines.registry import load_registry
    from tests.conftest import REGISTRY_YAML

    folder = tmp_path_factory.mktemp("hostile-reports")
    (folder / "sources.yaml").write_text(REGISTRY_YAML, encoding="utf-8")
    db = folder / "r.ducklake"
    con = build_db(db, load_registry(folder / "sources.yaml"))
    for key, title in TITLES.items():
        con.execute("UPDATE articles SET title = ? WHERE url = ?", [title, URLS[key]])
    con.execute("UPDATE outlets SET name = ? WHERE name = 'Nacional Dos'", [OUTLET])
    con.execute("UPDATE articles SET outlet = ? WHERE outlet = 'Nacional Dos'", [OUTLET])
    from warehouse.search import rebuild_index
    rebuild_index(con)                       # what a load does after its batches: `search` reads it
    con.close()
    runner, out, listings = CliRunner(), folder / "out", {}
    for args in (["export", "--out", str(out / "export"), "--format", "csv"],
                 ["report", "weekly", "--week", "2026-W47", "--out", str(out / "weekly")],
                 ["report", "year", "--year", "2026", "--out", str(out / "year")],
                 ["tally", "--year", "2026", "--lang", "es", "--out", str(out / "tally")],
                 ["search", "ProDESC", "--format", "csv"],
                 ["sql", "-c", "SELECT title, outlet, url FROM articles", "--format", "csv"]):
        done = runner.invoke(cli, [*args, "--db", str(db)], prog_name="prodesc-monitor", catch_exceptions=False)
        assert done.exit_code == 0, (args, done.output)
        if args[0] in ("search", "sql"):
            listings[args[0]] = done.stdout
    return out, listings


def _formulas(cells, where) -> list[str]:
    return [f"{where}: {c!r}" for c in cells
            if isinstance(c, str) and c[:1] in FORMULA_STARTS and not NUMBER.fullmatch(c)]


def test_no_cell_of_any_csv_or_xlsx_starts_a_formula(written):
    from openpyxl import load_workbook

    out, listings = written
    csvs, xlsxs = sorted(out.rglob("*.csv")), sorted(out.rglob("*.xlsx"))
    assert {p.parent.name for p in csvs} == {"export", "weekly", "year", "tally"}
    assert {p.parent.name for p in xlsxs} == {"weekly", "year", "tally"}
    found, seen = [], []
    texts = {str(p.relative_to(out)): p.read_text(encoding="utf-8-sig") for p in csvs} | listings
    for where, text in texts.items():
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        seen += cells
        found += _formulas(cells, where)
    for path in xlsxs:
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    seen.append(str(cell.value))
                    if cell.data_type == "f":
                        found.append(f"{path.name}!{cell.coordinate}: a formula {cell.value!r}")
                    found += _formulas([cell.value], f"{path.name}!{cell.coordinate}")
    assert found == []
    assert listings["search"].count("\n") > 5 and listings["sql"].count("\n") > 5
    # the hostile text did reach the files, defused
    assert any(c.startswith("'=HYPERLINK") for c in seen) and any(c.startswith("'+cmd") for c in seen)
    assert any(c.startswith("'-2+3") for c in seen) and any(c.startswith("'@SUM") for c in seen)
    assert any(c.startswith(f"'{OUTLET}") for c in seen)


def test_script_in_titles_and_outlet_names_is_text_in_both_html_reports(written):
    out, _ = written
    pages = {p.parent.name: p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    assert set(pages) == {"weekly", "year"}
    for name, page in pages.items():
        assert "<script>alert" not in page and "<img src=x" not in page, name
        assert "&lt;script&gt;alert(&#34;medio&#34;)&lt;/script&gt;" in page, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ProDESC recibe un premio" in pages["weekly"]
