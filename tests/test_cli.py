"""The commands as a person runs them: `prodesc-monitor demo` end to end (real Prefect
flow, real Scrapy crawl over a local server, real DuckDB file), and the CLI's help."""
import json
import re
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
    from warehouse.db import connect

    connect(tmp_path / "x.ducklake").close()   # retag refuses a database that does not exist

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
        (["retag", "--db", str(tmp_path / "nope.ducklake")], "No existe la base de datos"),
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
    assert not list(tmp_path.glob("nope.ducklake*"))   # refused before anything was created


def test_an_unexpected_exception_is_shown_as_a_bug(tmp_path, monkeypatch, capsys):
    import flows.steps
    from warehouse.db import connect

    connect(tmp_path / "x.ducklake").close()

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
    assert {p.suffix for p in (tmp_path / "o").iterdir()} == {".parquet", ".csv", ".json", ".md"}
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "c"), "--format", "csv"]) == 0
    assert {p.suffix for p in (tmp_path / "c").iterdir()} == {".csv", ".json", ".md"}   # + datapackage, README
    package = json.loads((tmp_path / "c" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["format"] for r in package["resources"]} == {"csv"}
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


def test_demo_writes_the_weekly_report_and_the_annual_section(demo):
    """The demo ends with what the team opens: last week's report and the 2023 media section,
    named by week as the team says it, not as an ISO code."""
    stdout, db = demo
    folder = db.parent / "informes"
    html = {p.name for p in folder.glob("*.html")}
    assert "medios-2023.html" in html and any(n.startswith("informe-semanal-") for n in html)
    assert {p.suffix for p in folder.iterdir()} == {".html", ".csv", ".xlsx"}
    assert str(folder / "medios-2023.html") in stdout
    weeks = stdout.split("Apariciones por semana:")[1].split("Informes escritos")[0]
    assert re.search(r"^  semana \d+ \(\d+", weeks, re.M) and "-W" not in weeks


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


# ------------------------------------------------------------------ Spanish by default (issue 15)

ENGLISH_WORDS = ("pages fetched", "appearances", "Skipped", "articles", "Outlet", "Crawl ")


def _fake_crawl():
    from collections import Counter
    from types import SimpleNamespace

    from pipelines.records import ProcessSummary

    loaded = ProcessSummary(pages=1234, articles=80, appearances=1, new_articles=5)
    loaded.per_outlet = {
        "Diario Uno": Counter({"fetched": 1200, "articles": 70, "appearances": 1, "skipped: http_error": 2,
                               "skipped: not_html": 1}),
        "El Sol de Tlaxcala": Counter({"fetched": 34, "articles": 10}),
    }
    return SimpleNamespace(run_id="20261206T105500Z-abc123", loaded=loaded,
                           crawl_stats={"prodesc/feed_feeds": 4, "prodesc/discovery_feeds": 1, "retry/count": 3})


def test_the_crawl_summary_is_plain_spanish_with_an_aligned_table():
    from flows.summary import summary_markdown, summary_text

    text = summary_text(_fake_crawl())
    lines = text.splitlines()
    assert lines[0] == ("Recorrido 20261206T105500Z-abc123: 1,234 páginas descargadas, 80 notas leídas, "
                        "1 aparición encontrada (5 notas nuevas en la base).")
    assert "**" not in text and "|" not in text and "0,8" not in text
    assert not [w for w in ENGLISH_WORDS if w in text], text
    header = next(i for i, line in enumerate(lines) if line.startswith("Medio "))
    table = lines[header:header + 4]
    assert table[0].split()[:4] == ["Medio", "Páginas", "Notas", "Apariciones"]
    assert "página de error: 2; no es una página web (PDF, imagen…): 1" in table[2]
    # numbers right-aligned under their header
    ends = {line.index(n) + len(n) for line, n in ((table[2], "1,200"), (table[3], "34"), (table[0], "Páginas"))}
    assert len(ends) == 1, table
    markdown = summary_markdown(_fake_crawl())   # the Prefect artifact: Markdown, in Spanish
    assert "| Medio | Páginas |" in markdown and "Recorrido" in markdown
    english = summary_text(_fake_crawl(), "en")
    assert english.startswith("Crawl 20261206T105500Z-abc123: 1,234 pages fetched") and "Outlet" in english


def test_demo_prints_no_markdown_and_no_english(demo):
    stdout, _ = demo
    assert stdout.splitlines()[0].startswith("Sirviendo la web de muestra")
    assert any(line.startswith("Recorrido ") and "páginas descargadas" in line for line in stdout.splitlines())
    assert "**" not in stdout and "|" not in stdout and "---|" not in stdout
    assert not [w for w in ("pages fetched", "Skipped", "articles read", "Outlet", "media appearances")
                if w in stdout], stdout


def test_every_language_has_the_same_cli_words():
    import re

    from flows.commands.language import LANGS, messages

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value]
        return sorted(set(re.findall(r"\{(\w+)\}", value)))

    es = messages("es")
    for lang in LANGS:
        assert shape(messages(lang)) == shape(es), lang


MANUAL_CSV = ("medio,fecha,título,enlace,tema,alcance,proceso,tipo\r\n"
              "Radio Comunitaria X,15/03/2023,Entrevista sobre el ejido,,Tierra,local,Unión Hidalgo,radio\r\n"
              "La Jornada,2023-04-02,Columna impresa,https://www.jornada.com.mx/x,Institucional,Nacional,,impreso\r\n"
              "Diario Y,31/02/2023,Fecha imposible,,laboral,,,\r\n"
              "\r\n"
              "Diario Z,01/05/2023,Tema raro,,deportes,estatal,,\r\n"
              "Diario W,2/6/2023,Personas defensoras,,personas defensoras,internacional,,televisión\r\n"
              "Diario V,3/6/2023,Caso desconocido,,laboral,local,Sindicato Inventado,\r\n"
              "Diario U,4/6/2023,Por sigla,,laboral,local,uja,\r\n")


def test_add_csv_reads_spanish_headers_and_dates_and_explains_each_bad_row(tmp_path, capsys):
    from warehouse.db import connect

    db, path = tmp_path / "m.ducklake", tmp_path / "radio.csv"
    connect(db).close()
    path.write_bytes(b"\xef\xbb\xbf" + MANUAL_CSV.encode("utf-8"))   # Excel's «CSV UTF-8»: with a BOM
    assert main(["add", "--csv", str(path), "--db", str(db)]) == 1   # some rows rejected: exit 1
    out, err = capsys.readouterr()
    assert "7 filas leídas; 4 apariciones nuevas agregadas, 0 ya estaban (actualizadas)." in out
    assert err.splitlines()[0].startswith("3 filas rechazadas")
    assert "  línea 4: la fecha «31/02/2023» no existe; escríbala como dd/mm/aaaa" in err.splitlines()
    line6 = next(line for line in err.splitlines() if line.startswith("  línea 6: "))
    assert "el tema «deportes»" in line6 and "el alcance «estatal»" in line6
    line8 = next(line for line in err.splitlines() if line.startswith("  línea 8: "))
    assert "el proceso «Sindicato Inventado» no está en la base de conocimientos" in line8 and "unionhidalgo" in line8
    con = connect(db, read_only=True)
    rows = con.execute("SELECT outlet, published_date::VARCHAR, theme, reach, medium, process FROM manual_appearances "
                       "ORDER BY published_date").fetchall()
    con.close()
    # the case stored as its knowledge-base id, as crawled appearances store it, whatever name was written
    assert rows == [("Radio Comunitaria X", "2023-03-15", "land_territory", "local", "radio", "unionhidalgo"),
                    ("La Jornada", "2023-04-02", "institutional", "national", "print", None),
                    ("Diario W", "2023-06-02", "defenders", "international", "tv", None),
                    ("Diario U", "2023-06-04", "labour", "local", "other", "uja")]
    # the same file again: nothing counted twice; in English on request
    assert main(["add", "--csv", str(path), "--db", str(db), "--lang", "en"]) == 1
    out, err = capsys.readouterr()
    assert "7 rows read; 0 new appearances added, 4 already there (updated)." in out
    assert "  line 4: the date «31/02/2023» does not exist; write it as dd/mm/yyyy" in err.splitlines()


def test_add_csv_header_mistakes_and_the_template(tmp_path, capsys, monkeypatch):
    from warehouse.db import connect
    from warehouse.manual import read_manual_csv

    db, path = tmp_path / "m.ducklake", tmp_path / "x.csv"
    connect(db).close()
    path.write_text("fecha;medio;tema\n01/01/2023;X;laboral\n", encoding="cp1252")
    assert main(["add", "--csv", str(path), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == ["línea 1: a los encabezados les falta: título. Se necesitan al menos fecha, medio, "
                                "tema y título (vea docs/plantilla-apariciones.csv)."]
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)))          # an .xlsx saved under a .csv name
    assert main(["add", "--csv", str(path), "--db", str(db)]) == 2
    assert "parece un libro de Excel (.xlsx)" in capsys.readouterr().err
    template = REPO / "docs" / "plantilla-apariciones.csv"
    assert template.read_bytes().startswith(b"\xef\xbb\xbffecha,medio,")
    found = read_manual_csv(template)        # its example rows are well formed, and never added
    assert found.read == 2 and not found.rows and {p.key for p in found.problems} == {"example_row"}
    monkeypatch.setenv("PRODESC_MONITOR_LANG", "en")     # the configured default
    path.write_text("fecha,medio,tema,título\n01/13/2023,X,laboral,t\n", encoding="utf-8")
    assert main(["add", "--csv", str(path), "--db", str(db)]) == 1
    assert "  line 2: the date «01/13/2023» puts the month first; write it as dd/mm/yyyy (the day first)" \
        in capsys.readouterr().err.splitlines()
    monkeypatch.setenv("PRODESC_MONITOR_LANG", "fr")
    assert main(["add", "--csv", str(path), "--db", str(db)]) == 2
    assert "PRODESC_MONITOR_LANG" in capsys.readouterr().err


def test_one_is_singular_and_thousands_take_a_comma():
    from flows.commands.language import Words, number

    words = Words("es")
    assert words("loaded", pages=words.n("pending_pages", 1), articles=words.n("articles", 1),
                 appearances=words.n("appearances", 1234)) == \
        "Páginas pendientes guardadas: 1 página, con 1 nota y 1,234 apariciones."
    assert words.n("rows_read", 1) == "1 fila leída" and words.n("rows_read", 2) == "2 filas leídas"
    assert number(0.8) == "0.8" and number(1234567) == "1,234,567" and number(2.50) == "2.5"
