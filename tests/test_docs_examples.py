"""Every example in docs/warehouse.md runs: each ```sql statement through `prodesc-monitor sql -c`
and through the plain-DuckDB route the page documents (its ```python block, executed as written
but pointed at the demo warehouse), so an analyst who copies an example never gets an error the
docs did not warn about. A block the page marks `<!-- no ejecutable: reason -->` on the line
before its fence is skipped with that reason; nothing else is."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main

REPO = Path(__file__).parent.parent
DOC = REPO / "docs" / "warehouse.md"
NOT_RUNNABLE = re.compile(r"<!--\s*no ejecutable:\s*(.+?)\s*-->")
# A block for the bare `duckdb` shell: skipped by the two routes, run by test_the_duckdb_shell_block.
SHELL_ONLY = re.compile(r"<!--\s*(solo DuckDB:\s*.+?)\s*-->")
PLACEHOLDER = "/ruta/impresa/por/--extension-path/fts.duckdb_extension"
# The analysts' questions must answer something on the demo warehouse, not only parse.
PROMISE_ROWS = "## Preguntas frecuentes de análisis"


def blocks(language):
    """(line, code, skip reason or None, section) for each fenced block of that language."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    found, section, i = [], "", 0
    while i < len(lines):
        if lines[i].startswith("## "):
            section = lines[i]
        if lines[i].strip() == f"```{language}":
            start = i
            end = lines.index("```", i + 1)
            marker = (NOT_RUNNABLE.search(lines[start - 1]) or SHELL_ONLY.search(lines[start - 1])) if start else None
            found.append((start + 1, "\n".join(lines[start + 1:end]), marker and marker.group(1), section))
            i = end
        i += 1
    return found


def statements(code):
    """(statement, its comment lines) of a block, split at a `;` that ends a line."""
    found = []
    for chunk in re.split(r";\s*$", code, flags=re.M):
        lines = chunk.strip().splitlines()
        comment = " ".join(line for line in lines if line.lstrip().startswith("--"))
        statement = "\n".join(line for line in lines if not line.lstrip().startswith("--")).strip()
        if statement:
            found.append((statement, comment))
    return found


def promises_rows(section, comment):
    """The analysts' questions promise an answer on the demo, unless their comment says the demo has none."""
    return section.startswith(PROMISE_ROWS) and "sin filas en la demo" not in comment


CASES = [pytest.param(stmt, promises_rows(section, comment), id=f"line{line}-{n}",
                      marks=[pytest.mark.skip(reason=skip)] if skip else [])
         for line, code, skip, section in blocks("sql")
         for n, (stmt, comment) in enumerate(statements(code), 1)]
# The one-liners of the ```sh blocks: `prodesc-monitor sql -c "..."` (the query between the quotes).
CASES += [pytest.param(query, False, id=f"line{line}-sh{n}", marks=[pytest.mark.skip(reason=skip)] if skip else [])
          for line, code, skip, _ in blocks("sh")
          for n, query in enumerate(re.findall(r'prodesc-monitor sql -c "(.+?)"', code, flags=re.S), 1)]


def test_the_page_has_examples_and_the_analysts_questions():
    assert len(CASES) >= 20
    assert sum("-sh" in case.id for case in CASES) == 4
    assert sum(case.values[1] for case in CASES) == 7      # the demo has no syndicated copies
    assert len(blocks("python")) == 1


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The offline demo's warehouse (the sample web crawled on this machine, ~20 s)."""
    path = tmp_path_factory.mktemp("demo") / "monitor.ducklake"
    assert main(["demo", "--db", str(path)]) == 0
    return path


def plain_setup(demo):
    """The docs' Python snippet up to its first query, with the demo's files for data/monitor.ducklake."""
    (_, code, _, _), = blocks("python")
    setup = code[:code.index("con.sql(")]
    return setup.replace("data/monitor.ducklake", str(demo))


@pytest.fixture(scope="module")
def plain(demo):
    scope = {}
    exec(plain_setup(demo), scope)
    yield scope["con"]
    scope["con"].close()


@pytest.mark.parametrize("statement, promises_rows", CASES)
def test_through_prodesc_monitor_sql(demo, capsys, statement, promises_rows):
    code = main(["sql", "--db", str(demo), "-c", statement, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) or not promises_rows, "no rows"


@pytest.mark.parametrize("statement, promises_rows", CASES)
def test_through_plain_duckdb(plain, statement, promises_rows):
    rows = plain.execute(statement).fetchall()
    assert rows or not promises_rows, "no rows"


def test_the_python_snippet_runs_as_written(demo, tmp_path):
    """The whole block, its `.show()` calls included, in a fresh interpreter."""
    (_, code, _, _), = blocks("python")
    script = tmp_path / "snippet.py"
    script.write_text(code.replace("data/monitor.ducklake", str(demo)), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert "yearly" not in proc.stderr and "theme" in proc.stdout


def test_the_duckdb_shell_block(demo):
    """The search in a bare DuckDB (no monitor), with the path `--extension-path` prints in its LOAD."""
    import duckdb

    from warehouse.lake import extension_path

    (_, code, _, _), = [b for b in blocks("sql") if b[2] and b[2].startswith("solo DuckDB")]
    assert PLACEHOLDER in code
    code = code.replace(PLACEHOLDER, extension_path("fts")).replace("data/monitor.ducklake", str(demo))
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    *setup, query = [statement for statement, _ in statements(code)]
    for statement in setup:
        con.execute(statement)
    assert con.execute(query).fetchall()        # the demo has articles about the wind farm
    con.close()


def _marked(needle):
    """The one statement of the block whose skip reason names `needle` (a block the generic routes skip)."""
    (_, code, _, _), = [b for b in blocks("sql") if b[2] and needle in b[2]]
    (statement, _), = statements(code)
    return statement


def test_the_export_block(demo, tmp_path, monkeypatch):
    """Reading an exported CSV back, as the page shows it, from the folder `export` writes."""
    statement = _marked("test_the_export_block")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--db", str(demo), "--out", "export", "--format", "csv"]) == 0
    import duckdb
    rows = duckdb.connect().execute(statement).fetchall()
    assert len(rows) > 0
    con = connect_demo(demo)
    assert len(rows) == con.execute("SELECT count(*) FROM appearances").fetchone()[0]
    con.close()


def test_the_english_index_block(tmp_path, registry, capsys):
    """The English index's block, on a warehouse that has an English article (test_search's)."""
    from tests.test_search import ENGLISH, db as search_db
    path = search_db.__wrapped__(tmp_path, registry)
    assert main(["sql", "--db", str(path), "-c", _marked("test_the_english_index_block"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["url"] for r in rows] == [ENGLISH]


def connect_demo(path):
    from warehouse.db import connect
    return connect(path, read_only=True)
