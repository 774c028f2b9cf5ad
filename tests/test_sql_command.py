"""`prodesc-monitor sql`: the analysts' way in, on a real DuckDB file with a full-text index,
through the real CLI (and once through the installed console script, stdin piped)."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path


from warehouse.db import connect as open_warehouse
import pytest

from flows.cli import main
from pipelines.records import Tagged
from tests.test_warehouse import FakeTags, article
from warehouse.db import connect
from warehouse.load import load_batch, load_outlets
from warehouse.search import rebuild_index

REPO = Path(__file__).parent.parent


@pytest.fixture
def db(tmp_path, registry):
    path = tmp_path / "monitor.ducklake"
    con = connect(path)
    load_outlets(con, registry, set())
    batch = [
        Tagged(article("http://www.diariouno.example/eolico", text="El parque eólico y ProDESC. " * 20,
                       fingerprint="0000000000000001"), FakeTags(theme="land_territory")),
        Tagged(article("http://nacionaldos.example/huelga", outlet="Nacional Dos", day=date(2023, 6, 9),
                       text="=HYPERLINK huelga de trabajadoras, dijo ProDESC. " * 20, fingerprint="ffff000000000000"),
               FakeTags(theme="labour")),
    ]
    load_batch(con, batch, {}, [], "run", "kb1")
    con.execute("UPDATE articles SET title = '=HYPERLINK(\"x\")' WHERE url LIKE '%huelga'")
    rebuild_index(con)
    con.close()
    return path


def sql(capsys, db, *args):
    code = main(["sql", "--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_is_aligned_and_counts_rows(db, capsys):
    code, out, err = sql(capsys, db, "-c", "SELECT year, theme, reach, appearances FROM yearly_tally ORDER BY theme")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split(" | ") == ["year", "theme         ", "reach   ", "appearances"]
    assert set(lines[1]) <= {"-", "+"}
    assert lines[2].split(" | ")[:3] == ["2023", "labour        ", "national"]
    assert len({line.replace("+", "|").index("|") for line in lines[:4]}) == 1        # columns line up
    assert lines[-1] == "(2 filas)"


def test_csv_is_rfc4180_and_defused(db, capsys):
    code, out, _ = sql(capsys, db, "-c", "SELECT published_date, title, outlet FROM appearances ORDER BY url",
                       "--format", "csv")
    assert code == 0
    assert out.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["published_date", "title", "outlet"]
    assert rows[1] == ["2023-06-09", "'=HYPERLINK(\"x\")", "Nacional Dos"]   # never runs as a formula
    assert rows[2] == ["2023-05-02", "t", "Diario Uno"]   # never runs as a formula


def test_json_is_an_array_of_objects_with_iso_dates(db, capsys):
    code, out, _ = sql(capsys, db, "-c", "SELECT url, published_date, first_seen, reach FROM appearances "
                       "ORDER BY url", "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert [r["url"] for r in records] == ["http://nacionaldos.example/huelga", "http://www.diariouno.example/eolico"]
    assert records[0]["published_date"] == "2023-06-09"
    assert records[0]["first_seen"].startswith("20") and "T" in records[0]["first_seen"]
    assert records[1]["reach"] == "local"


def test_full_text_search_works(db, capsys):
    code, out, _ = sql(capsys, db, "-c", "SELECT url FROM (SELECT *, fts_main_articles.match_bm25(url, "
                       "'parques eolicos') AS score FROM articles) WHERE score IS NOT NULL", "--format", "json")
    assert code == 0 and json.loads(out) == [{"url": "http://www.diariouno.example/eolico"}]


def test_times_are_in_mexico_city(db, capsys):
    assert sql(capsys, db, "-c", "SELECT current_setting('TimeZone') AS tz", "--format", "csv")[1].splitlines() == [
        "tz", "America/Mexico_City"]


def test_a_sql_error_is_one_spanish_line_and_exit_2(db, capsys):
    code, out, err = sql(capsys, db, "-c", "SELECT nope FROM appearances")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("Error en la consulta: ") and "nope" in err


def test_it_is_read_only(db, capsys):
    for statement in ("INSERT INTO outlets (name) VALUES ('x')", "DELETE FROM articles",
                      "CREATE TABLE t (x INT)", "UPDATE articles SET title = 'x'"):
        code, _, err = sql(capsys, db, "-c", statement)
        assert code == 2 and err.startswith("Error en la consulta: ") and "read-only" in err, statement
    con = open_warehouse(db, read_only=True)
    assert con.execute("SELECT count(*) FROM articles WHERE title = 'x'").fetchone() == (0,)
    con.close()


def test_a_missing_database_is_named(tmp_path, capsys):
    code, _, err = sql(capsys, tmp_path / "nope.ducklake", "-c", "SELECT 1")
    assert code == 2 and "No existe la base de datos" in err


def test_statements_from_stdin(db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT 'a;b' AS s;\nSELECT count(*)\n  AS n FROM appearances;\n"
                                                  "SELECT 3 AS last"))
    code, out, _ = sql(capsys, db)
    assert code == 0
    assert "a;b" in out and out.count("(1 fila)") == 3 and "last" in out
    assert out.splitlines()[out.splitlines().index("n") + 2].strip() == "2"


def test_stdin_stops_at_the_first_error(db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT 1 AS ok;\nSELECT nope;\nSELECT 2 AS never;\n"))
    code, out, err = sql(capsys, db)
    assert code == 2 and "ok" in out and "never" not in out
    assert len(err.splitlines()) == 1 and err.startswith("Error en la consulta: ")


def test_the_console_script_reads_a_pipe(db):
    script = Path(sys.executable).parent / "prodesc-monitor"
    argv = [str(script)] if script.exists() else [shutil.which("prodesc-monitor") or "prodesc-monitor"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([*argv, "sql", "--db", str(db), "--format", "csv"], input="SELECT theme, appearances "
                          "FROM yearly_tally ORDER BY theme;\n", capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["theme,appearances", "labour,1", "land_territory,1"]


def test_the_interactive_prompt(db, capsys, monkeypatch):
    from flows.commands import sql as command

    typed = iter(["SELECT 41 + 1", "  AS answer;", ".tablas", "SELECT nope;", "SELECT 'still here' AS s;", ".salir",
                  "SELECT 'after quit';"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    code, out, err = sql(capsys, db)
    assert code == 0
    assert "42" in out and "answer" in out and re.search(r"^yearly_tally +\| vista$", out, re.M) and "still here" in out
    assert "after quit" not in out
    assert "Error en la consulta" in err and "solo lectura" in err
    assert command.QUIT[0] == ".salir"


def test_ctrl_d_ends_the_prompt(db, capsys, monkeypatch):
    def eof(prompt=""):
        raise EOFError

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", eof)
    assert sql(capsys, db)[0] == 0


def test_a_writer_holding_the_catalog_does_not_stop_the_analyst(db, capsys):
    """Another program holds the catalog for writing (the worst a crawl or the desk can do):
    the analyst's query still answers at once, from the last committed snapshot."""
    import multiprocessing
    import time

    from holders import hold_catalog
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=hold_catalog, args=(str(db), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        started = time.monotonic()
        code, out, err = sql(capsys, db, "-c", "SELECT count(*) AS n FROM appearances")
        assert time.monotonic() - started < 5, "the analyst waited for a writer"
        assert code == 0 and err == "" and out.splitlines()[2].strip() == "2"
    finally:
        release.set()
        holder.join(30)


def test_flows_run_no_sql():
    """The SQL lives in warehouse/ (CI: `grep -rn "execute(" flows/` is empty)."""
    for path in (REPO / "flows").rglob("*.py"):
        assert "execute(" not in path.read_text(encoding="utf-8"), path


def test_the_plain_duckdb_snippet_in_the_docs_works_offline(db, tmp_path):
    """docs/warehouse.md's snippet for analysts without the monitor: a fresh home (no extension
    downloaded before), the project not importable, the database at data/monitor.ducklake."""
    text = (REPO / "docs" / "warehouse.md").read_text(encoding="utf-8")
    section = text[text.index("### Sin el monitor"):]
    assert "pip install duckdb==1.5.5 duckdb-extension-fts==1.5.5 duckdb-extension-ducklake==1.5.5" in section
    snippet = section[section.index("```python\n") + len("```python\n"):section.index("```", section.index("```python") + 9)]
    assert "LOAD fts" not in snippet.replace("`LOAD fts`", "")
    work = tmp_path / "analyst"
    (work / "data").mkdir(parents=True)
    shutil.copy(db, work / "data" / "monitor.ducklake")      # the warehouse moves as its three parts
    shutil.copytree(f"{db}.files", work / "data" / "monitor.ducklake.files")
    shutil.copy(f"{db}.search.duckdb", work / "data" / "monitor.ducklake.search.duckdb")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HOME")}
    env.update(HOME=str(tmp_path / "home"), http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
               HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
    proc = subprocess.run([sys.executable, "-I", "-c", snippet], cwd=work, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "land_territory" in proc.stdout and "http://www.diariouno.example/eolico" in proc.stdout
    assert not (tmp_path / "home" / ".duckdb").exists()     # nothing was downloaded
