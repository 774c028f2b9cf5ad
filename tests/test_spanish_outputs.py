"""Everything the team sees in Spanish is Spanish: no English case name, no English reason.

The offline demo (the sample web, crawled over real HTTP) fills a warehouse; then every
Spanish output is produced the way the team produces it — `report weekly`, `report year`,
`tally --out` and their CLI messages as subprocesses, the review desk's pages over HTTP —
and each text (HTML, CSV, the cells of each XLSX sheet, each page, stdout and stderr) is
searched for the English name of any case (the knowledge base's `name_en`) and for the
phrases the tagger's English reasons are made of. The same search over the English report
must find English names: the detector is shown able to fail.
"""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nlp.kb import load_kb
from tests.test_review import Client

REPO = Path(__file__).resolve().parents[1]
# The fixed parts of the tagger's English reasons (nlp/reasons.py: Reason.en).
ENGLISH_REASON_PHRASES = ("look-alike", "unambiguous name", "acronym (exact capitals)", "signed by (byline)",
                          "named unambiguously", "missing required context", "a common word on its own",
                          "no context cue", "named only in passing", "a way of writing the name", "score ",
                          "context: ")


def english_names() -> set[str]:
    return {e.name_en for e in load_kb().entities if e.name_en and e.name_en != e.name}


def leaks(text: str) -> list[str]:
    """The English case names and reason phrases found in `text`."""
    return [n for n in english_names() if n in text] + [p for p in ENGLISH_REASON_PHRASES if p in text]


def file_texts(folder: Path) -> dict[str, str]:
    """Every file the command wrote, as text: XLSX as the values of all its sheets' cells."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.suffix == ".xlsx":
            from openpyxl import load_workbook
            book = load_workbook(p, read_only=True)
            out[p.name] = "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                                    for v in row if v is not None)
        elif p.suffix in {".html", ".csv", ".txt", ".md", ".json"}:
            out[p.name] = p.read_text(encoding="utf-8-sig")
    return out


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path, str]:
    """The offline demo's warehouse, and what the demo printed."""
    out = tmp_path_factory.mktemp("spanish")
    db = out / "demo.ducklake"
    proc = cli("demo", "--db", str(db), cwd=out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, db, proc.stdout + proc.stderr


def test_the_detector_finds_english_names_in_the_english_report(demo):
    out, db, _ = demo
    folder = out / "en"
    proc = cli("report", "year", "--year", "2023", "--lang", "en", "--db", str(db), "--out", str(folder), cwd=out)
    assert proc.returncode == 0, proc.stderr
    weekly = cli("report", "weekly", "--week", "2026-W48", "--lang", "en", "--db", str(db), "--out", str(folder),
                 cwd=out)
    assert weekly.returncode == 0, weekly.stderr
    found = [n for text in file_texts(folder).values() for n in leaks(text)]
    assert found, "the English outputs should name cases in English: the detector cannot see them"


def test_spanish_files_and_messages_carry_no_english_case_name_or_reason(demo):
    out, db, demo_said = demo
    said = {"demo": demo_said}
    folder = out / "es"
    for week in ("2026-W46", "2026-W47", "2026-W48"):
        p = cli("report", "weekly", "--week", week, "--db", str(db), "--out", str(folder), cwd=out)
        assert p.returncode == 0, p.stderr
        said[f"report weekly {week}"] = p.stdout + p.stderr
    p = cli("report", "year", "--year", "2023", "--db", str(db), "--out", str(folder), cwd=out)
    assert p.returncode == 0, p.stderr
    said["report year"] = p.stdout + p.stderr
    p = cli("tally", "--year", "2023", "--lang", "es", "--db", str(db), "--out", str(folder / "tally"), cwd=out)
    assert p.returncode == 0, p.stderr
    said["tally"] = p.stdout + p.stderr
    p = cli("report", "weekly", "--week", "2026-W99", "--db", str(db), cwd=out)      # an error, in Spanish too
    assert p.returncode != 0
    said["error"] = p.stdout + p.stderr
    texts = file_texts(folder)
    assert any(name.endswith(".xlsx") for name in texts) and any(name.endswith(".csv") for name in texts)
    found = {name: leaks(text) for name, text in {**texts, **said}.items() if leaks(text)}
    assert not found


def test_review_desk_pages_carry_no_english_case_name_or_reason(demo):
    from flows.desk.server import make_server
    from warehouse.db import connect

    out, db, _ = demo
    con = connect(db)
    srv = make_server(con, REPO / "flows" / "demo" / "sample_web" / "sources.yaml", port=0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        desk = Client(srv, name="Ana")           # the desk's own test client: cookie and Origin
        paths = {"outlets": "/outlets"}
        for week in ("2026-W46", "2026-W47", "2026-W48"):
            paths.update({f"{view} {week}": f"/queue?view={view}&week={week}" for view in ("new", "rejected", "reviewed")})
            paths[f"report {week}"] = f"/report?week={week}"
        answers = {name: desk.get(path) for name, path in paths.items()}
        assert {name: a[0] for name, a in answers.items() if a[0] != 200} == {}
        pages = {name: a[2] for name, a in answers.items()}
    finally:
        srv.shutdown()
        srv.server_close()
        con.close()
    assert any("Sin clasificar" in p or "Confirmar" in p for p in pages.values())   # real desk pages
    found = {name: leaks(text) for name, text in pages.items() if leaks(text)}
    assert not found
