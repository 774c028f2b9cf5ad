"""The commands as a person runs them: `prodesc-monitor demo` end to end (real Prefect
flow, real Scrapy crawl over a local server, real DuckDB file), and the CLI's help."""
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.cli import build_parser

REPO = Path(__file__).parent.parent
SAMPLE = REPO / "flows" / "sample_web"


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert p.format_help().strip(), name
        assert sub._choices_actions and any(c.dest == name and c.help for c in sub._choices_actions), name


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    db = out / "demo.duckdb"
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--db", str(db)], cwd=out,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, db


def test_demo_reproduces_the_expected_tally(demo):
    stdout, db = demo
    expected = json.loads((SAMPLE / "expected.json").read_text())
    con = duckdb.connect(str(db), read_only=True)
    got = {}
    for theme, reach, n in con.execute("SELECT theme, reach, appearances FROM yearly_tally WHERE year = 2023").fetchall():
        got.setdefault(theme, {})[reach] = n
    assert got == expected["tally_2023"]
    counted = {r[0] for r in con.execute("SELECT url FROM appearances").fetchall()}
    assert counted == set(expected["counted_urls"])
    assert f"{expected['tally_2023_total']} apariciones" in stdout


def test_demo_unknown_outlet_is_unclassified(demo):
    _, db = demo
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT DISTINCT outlet FROM appearances WHERE reach = 'unclassified'").fetchall()
    assert rows == [(d,) for d in json.loads((SAMPLE / "expected.json").read_text())["unclassified_domains"]]


def test_tally_command_prints_the_table(demo):
    _, db = demo
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "tally", "--year", "2023", "--db", str(db), "--lang", "en"],
                          capture_output=True, text=True)
    assert proc.returncode == 0
    assert "Land and territory" in proc.stdout and "Unclassified" in proc.stdout
