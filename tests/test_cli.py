"""The commands as a person runs them: `prodesc-monitor demo` end to end (real Prefect
flow, real Scrapy crawl over a local server, real DuckDB file), and the CLI's help."""
import json
import subprocess
import sys
from pathlib import Path

import click

from warehouse.db import connect as open_warehouse
import pytest
from click.testing import CliRunner

from flows.cli import cli, main

REPO = Path(__file__).parent.parent
SAMPLE = REPO / "flows" / "demo" / "sample_web"


def _commands(group, words=()):
    for name, command in group.commands.items():
        yield (*words, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*words, name))


def test_every_command_has_help():
    """Each command has a one-line summary for the list, and its --help is in Spanish."""
    commands = dict(_commands(cli))
    assert {"crawl", "report", "review", "tally", "demo", "train", "evaluate"} <= {w[0] for w in commands}
    for words, command in commands.items():
        assert command.get_short_help_str(), words
        assert main([*words, "--help"]) == 0, words
        page = CliRunner().invoke(cli, [*words, "-h"], prog_name="prodesc-monitor").output
        assert page.startswith(f"Uso: prodesc-monitor {' '.join(words)}") and "Opciones:" in page, page
        assert "Show this message" not in page and "Usage:" not in page, page


def test_db_option_is_defined_once():
    sources = [REPO / "flows" / "cli.py", *sorted((REPO / "flows" / "commands").glob("*.py"))]
    assert sum(path.read_text(encoding="utf-8").count('"--db"') for path in sources) == 1


def test_docs_cli_md_matches_the_help():
    """docs/cli.md is generated from --help by cog; CI runs the same check."""
    proc = subprocess.run([sys.executable, "-m", "cogapp", "--check", "docs/cli.md"], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, "docs/cli.md is stale: run .venv/bin/cog -r docs/cli.md\n" + proc.stdout + proc.stderr


def test_a_user_error_is_one_line_with_its_exit_code(tmp_path, monkeypatch, capsys):
    import flows.steps
    from pipelines.errors import DatabaseLocked

    def locked(db):
        raise DatabaseLocked(f"La base {db} está en uso por otro programa.")

    monkeypatch.delenv("PRODESC_MONITOR_DEBUG", raising=False)
    monkeypatch.setattr(flows.steps, "retag", locked)
    assert main(["retag", "--db", str(tmp_path / "x.ducklake")]) == DatabaseLocked.exit_code == 3
    err = capsys.readouterr().err
    assert err.splitlines() == [f"La base {tmp_path / 'x.ducklake'} está en uso por otro programa."]

    monkeypatch.setenv("PRODESC_MONITOR_DEBUG", "1")   # asked for: the traceback too
    assert main(["retag", "--db", str(tmp_path / "x.ducklake")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("La base ") and "Traceback (most recent call last)" in err


def test_mistakes_the_cli_detects_are_one_spanish_line(tmp_path, capsys):
    for argv, says in [
        (["crawl", "--since", "2023-13-01"], "no es una fecha como 2023-01-31"),
        (["crawl", "--sources", str(tmp_path / "nope.yaml")], "No existe el archivo de fuentes"),
        (["add", "--csv", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "x.ducklake")], "No existe el archivo"),
        (["evaluate", "--corpus", str(tmp_path)], "no es un corpus etiquetado"),
        (["report", "weekly", "--week", "47"], "no es una semana como 2026-W47"),
        (["tally", "--lang", "fr"], "use uno de: both, es, en"),
        (["crawl", "--dbb", "x"], "No existe la opción --dbb"),
        (["no-such-command"], "No existe el comando no-such-command"),
    ]:
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert len(captured.err.splitlines()) == 1 and says in captured.err, (argv, captured.err)
        assert "Traceback" not in captured.err


def test_an_unexpected_exception_is_shown_as_a_bug(tmp_path, monkeypatch, capsys):
    import flows.steps

    def broken(db):
        raise RuntimeError("a bug in retag")

    monkeypatch.delenv("PRODESC_MONITOR_DEBUG", raising=False)
    monkeypatch.setattr(flows.steps, "retag", broken)
    assert main(["retag", "--db", str(tmp_path / "x.ducklake")]) == 1
    err = capsys.readouterr().err
    assert "error interno" in err.splitlines()[0].lower()
    assert "Traceback (most recent call last)" in err and "RuntimeError: a bug in retag" in err


def test_export_still_takes_several_formats_after_one_flag(tmp_path, capsys):
    from warehouse.db import connect

    db = tmp_path / "e.ducklake"
    connect(db).close()
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "o"), "--format", "parquet", "csv"]) == 0
    assert {p.suffix for p in (tmp_path / "o").iterdir()} == {".parquet", ".csv"}
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "c"), "--format", "csv"]) == 0
    assert {p.suffix for p in (tmp_path / "c").iterdir()} == {".csv"}
    assert main(["export", "--db", str(db), "csv"]) == 2


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    db = out / "demo.ducklake"
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--db", str(db)], cwd=out,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, db


def test_demo_reproduces_the_expected_tally(demo):
    stdout, db = demo
    expected = json.loads((SAMPLE / "expected.json").read_text())
    con = open_warehouse(db, read_only=True)
    got = {}
    for theme, reach, n in con.execute("SELECT theme, reach, appearances FROM yearly_tally WHERE year = 2023").fetchall():
        got.setdefault(theme, {})[reach] = n
    assert got == expected["tally_2023"]
    counted = {r[0] for r in con.execute("SELECT url FROM appearances").fetchall()}
    assert counted == set(expected["counted_urls"])
    assert f"{expected['tally_2023_total']} apariciones" in stdout


def test_demo_unknown_outlet_is_unclassified(demo):
    _, db = demo
    con = open_warehouse(db, read_only=True)
    rows = con.execute("SELECT DISTINCT outlet FROM appearances WHERE reach = 'unclassified'").fetchall()
    assert rows == [(d,) for d in json.loads((SAMPLE / "expected.json").read_text())["unclassified_domains"]]


def test_tally_command_prints_the_table(demo):
    _, db = demo
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "tally", "--year", "2023", "--db", str(db), "--lang", "en"],
                          capture_output=True, text=True)
    assert proc.returncode == 0
    assert "Land and territory" in proc.stdout and "Unclassified" in proc.stdout
