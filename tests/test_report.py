"""The weekly report and the annual media section, on a small database built here.

`build_db` is shared with test_review.py and test_browser.py: a fortnight of invented
articles around ISO week 2026-W47, with a syndicated copy, an outlet not in the registry,
a candidate the tagger rejected, a silent feed, and a headline carrying a script tag.
"""
from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from tests.test_warehouse import FakeMention, FakeTags, article
from warehouse.db import connect
from pipelines.records import Tagged
from warehouse.load import load_batch, load_outlets

XSS_TITLE = "<script>alert(1)</script> ProDESC recibe un premio"
FORMULA_TITLE = "=HYPERLINK(\"http://evil.example\",\"clic\") ProDESC"
URLS = {
    "land": "http://www.diariouno.example/ejido-amparo",
    "labour": "http://nacionaldos.example/jornaleros",
    "labour_copy": "http://www.diariouno.example/jornaleros-copia",
    "xss": "http://nacionaldos.example/premio",
    "unregistered": "http://la-lista.example/entrevista",
    "rejected": "http://www.diariouno.example/turismo-chichen",
    "formula": "http://nacionaldos.example/formula",
    "w46_land": "http://www.diariouno.example/w46-ejido",
    "w46_labour": "http://nacionaldos.example/w46-sindicato",
    "w44": "http://nacionaldos.example/w44-defensoras",
    "y2023": "http://nacionaldos.example/2023-informe",
}
# What the weekly report must show for 2026-W47 before any review ("theme|reach").
W47 = {"land_territory|local": 1, "labour|national": 1, "labour|local": 1,
       "institutional|national": 2, "institutional|unclassified": 1}


def _text(seed: str) -> str:
    return (f"{seed}. Con el acompañamiento de ProDESC, la comunidad presentó un recurso legal. " * 6)[:600]


def _mention(snippet: str, matched: str = "ProDESC", accepted: bool = True, reason: str = "unambiguous name",
             theme: str = "institutional", field: str = "text", code: str = "unambiguous_name",
             reason_es: str = "nombre inequívoco") -> FakeMention:
    return FakeMention(matched=matched, snippet=snippet, accepted=accepted, reason=reason, theme=theme, field=field,
                       code=code, reason_es=reason_es)


def build_db(path, registry):
    """A small warehouse on `path` (see the module docstring). Returns the open connection."""
    from trafilatura.deduplication import Simhash

    con = connect(path)
    load_outlets(con, registry, {"la-lista.example"})

    def tagged(key, outlet, day, theme, title, snippet, text=None, is_appearance=True, process=None, mentions=None):
        text = text or _text(f"{key} {title}")
        a = replace(article(URLS[key], outlet=outlet, day=day, text=text), title=title,
                    fingerprint=Simhash(text).to_hex())
        tags = FakeTags(is_appearance=is_appearance, theme=theme, process=process,
                        mentions=mentions or (_mention(snippet, theme=theme or "institutional"),))
        return Tagged(a, tags)

    copy_text = _text("Jornaleros agrícolas de Sinaloa forman un sindicato independiente")
    batch = [
        tagged("land", "Diario Uno", date(2026, 11, 17), "land_territory", "Ejido presenta amparo contra granja",
               "Con el acompañamiento de ProDESC, el ejido presentó un amparo agrario."),
        tagged("labour", "Nacional Dos", date(2026, 11, 18), "labour", "Jornaleros forman sindicato",
               "La Unión de Jornaleros Agrícolas, acompañada por ProDESC, celebró su asamblea.", text=copy_text,
               process="uja"),
        tagged("labour_copy", "Diario Uno", date(2026, 11, 19), "labour", "Jornaleros forman sindicato (copia)",
               "La Unión de Jornaleros Agrícolas, acompañada por ProDESC, celebró su asamblea.", text=copy_text,
               process="uja"),
        tagged("xss", "Nacional Dos", date(2026, 11, 19), "institutional", XSS_TITLE,
               "ProDESC <b>recibió</b> el premio <img src=x onerror=alert(2)> en Ginebra."),
        tagged("unregistered", "la-lista.example", date(2026, 11, 20), "institutional",
               "Entrevista con Alejandra Ancheita", "Alejandra Ancheita, directora de ProDESC, habló del T-MEC.",
               mentions=(_mention("Alejandra Ancheita, directora de ProDESC, habló del T-MEC.", "Alejandra Ancheita"),
                         _mention("Alejandra Ancheita, directora de ProDESC, habló del T-MEC."))),
        tagged("rejected", "Diario Uno", date(2026, 11, 21), None, "Turismo récord en Chichén Itzá",
               "Chichén Itzá recibió un número récord de turistas este fin de semana.", is_appearance=False,
               mentions=(_mention("Chichén Itzá recibió un número récord de turistas este fin de semana.",
                                  "Chichén Itzá", accepted=False, reason="look-alike: tourism news",
                                  code="lookalike_name", reason_es="homónimo: noticias de turismo",
                                  theme="land_territory"),)),
        tagged("formula", "Nacional Dos", date(2026, 11, 22), "institutional", FORMULA_TITLE,
               "=cmd|' /C calc'!A0 ProDESC"),
        tagged("w46_land", "Diario Uno", date(2026, 11, 10), "land_territory", "Ejidatarios defienden la laguna",
               "ProDESC acompaña a los ejidos de la laguna."),
        tagged("w46_labour", "Nacional Dos", date(2026, 11, 12), "labour", "Sindicato audiovisual",
               "El sindicato, asesorado por ProDESC, pidió mesa de diálogo."),
        tagged("w44", "Nacional Dos", date(2026, 10, 28), "defenders", "Escuela de Justicia Transnacional",
               "ProDESC presentó la Escuela de Justicia Transnacional."),
        tagged("y2023", "Nacional Dos", date(2023, 6, 1), "institutional", "Informe anual",
               "ProDESC presentó su informe anual."),
    ]
    load_batch(con, batch, {}, [], "run-1", "kb-test")
    # A feed that gave nothing in its last three runs: the outlet went silent.
    for i in range(3):
        con.execute("INSERT INTO feed_checks VALUES (?, 'http://www.diariouno.example/feed/', 'feed', 'Diario Uno', "
                    "200, 0, 'empty feed', false, ?)", [f"run-{i}", datetime(2026, 11, 20 + i, tzinfo=timezone.utc)])
    return con


@pytest.fixture
def con(tmp_path, registry):
    c = build_db(tmp_path / "r.ducklake", registry)
    yield c
    c.close()


# ---------------------------------------------------------------------------- weeks

def test_weeks_are_iso_weeks_and_bad_input_is_explained():
    from flows.report import ReportError, last_full_week, parse_week, weeks_ending

    assert parse_week("2026-W47") == (date(2026, 11, 16), date(2026, 11, 22))
    assert last_full_week(date(2026, 11, 23)) == "2026-W47"       # Monday: the week that just ended
    assert last_full_week(date(2026, 11, 29)) == "2026-W47"       # Sunday: this week is not over yet
    assert weeks_ending("2026-W02", 3) == ["2025-W52", "2026-W01", "2026-W02"]
    assert parse_week("2026-W53")[0] == date(2026, 12, 28)       # 2026 has 53 ISO weeks
    with pytest.raises(ReportError, match="like 2026-W47"):
        parse_week("2026-47")
    with pytest.raises(ReportError, match="no week 53"):
        parse_week("2025-W53")


def test_highlight_marks_every_mention_as_separate_pieces():
    from flows.report import highlight

    assert highlight("Dijo Alejandra Ancheita, de ProDESC.", ["ProDESC", "Alejandra Ancheita", "Ancheita"]) == [
        ("Dijo ", False), ("Alejandra Ancheita", True), (", de ", False), ("ProDESC", True), (".", False)]
    assert highlight("prodescx no", ["ProDESC"]) == [("prodescx no", False)]


# ---------------------------------------------------------------------------- weekly report

def test_weekly_counts_match_the_view(con):
    from flows.report import weekly_cells, weekly_context

    ctx = weekly_context(con, "2026-W47", chart=False)
    assert weekly_cells(ctx) == W47
    view = {f"{t}|{r}": n for t, r, n in con.execute(
        "SELECT theme, reach, appearances FROM weekly_counts WHERE week = '2026-W47'").fetchall()}
    assert weekly_cells(ctx) == view
    assert ctx["total"] == 6


def test_comparison_with_previous_week_and_four_week_average(con):
    from flows.report import weekly_context

    ctx = weekly_context(con, "2026-W47", chart=False)
    rows = {r["key"]: r for r in ctx["by_theme"]}
    # W46: land 1, labour 1; W43-W46 (average): land 1, labour 1, defenders 1 -> 0.25 each.
    assert (rows["land_territory"]["now"], rows["land_territory"]["before"], rows["land_territory"]["change"]) == (1, 1, "=")
    assert (rows["labour"]["now"], rows["labour"]["change"], rows["labour"]["avg"]) == (2, "+1", "0.2")  # Mexico: decimal point
    assert rows["defenders"]["vs_avg"] == "−0.2"
    assert (rows["total"]["now"], rows["total"]["before"], rows["total"]["avg"]) == (6, 2, "0.8")
    reach = {r["key"]: r for r in ctx["by_reach"]}
    assert reach["unclassified"]["change"] == "+1"


def test_weekly_html_is_self_contained_escaped_and_complete(con, tmp_path):
    from flows.report import write_weekly

    html_path, csv_path, xlsx_path = write_weekly(con, "2026-W47", tmp_path / "out")
    html = html_path.read_text(encoding="utf-8")
    # one file: no external stylesheet, script, font or image
    assert "<link" not in html and "<script" not in html
    assert not re.search(r"""src=["'](?!data:)""", html)
    chart = re.search(r'<img class="chart" src="data:image/png;base64,([^"]+)"', html)
    import base64
    assert chart and base64.b64decode(chart[1])[:8] == b"\x89PNG\r\n\x1a\n"
    # what comes from the web shows as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ProDESC recibe un premio" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<b>recibió</b>" not in html
    # counts, cell by cell
    for key, n in W47.items():
        theme, reach = key.split("|")
        assert f'data-theme="{theme}" data-reach="{reach}">{n}<' in html
    # every appearance, grouped by theme, the mention highlighted, the copy with its original
    assert html.count('class="item theme-') == 5          # 6 appearances, 2 of them one story
    assert "<mark>ProDESC</mark>" in html and "<mark>Alejandra Ancheita</mark>" in html
    lead = html.index(f'data-url="{URLS["labour"]}"')
    assert html.index(f'class="copy" data-url="{URLS["labour_copy"]}"') > lead
    assert URLS["rejected"] not in html                    # not an appearance
    # outlets to classify and silent outlets
    assert 'data-outlet="la-lista.example"' in html.split('id="unregistered"')[1].split("</section>")[0]
    assert 'data-outlet="Diario Uno"' in html.split('id="silent"')[1]
    assert "Apariciones en medios" in html and "Tierra y territorio" in html


def test_weekly_spreadsheets_have_the_same_rows_and_no_formulas(con, tmp_path):
    from openpyxl import load_workbook

    from flows.report import write_weekly

    _, csv_path, xlsx_path = write_weekly(con, "2026-W47", tmp_path / "out")
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["Semana", "Tema", "Alcance", "Fecha"]
    assert len(rows) == 1 + 6
    formula = next(r for r in rows if r[6] == URLS["formula"])
    assert formula[5].startswith("'=") and formula[7].startswith("'=")
    sheet = load_workbook(xlsx_path).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 6
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert {v[6] for v in values} == {r[6] for r in rows[1:]}


def test_weekly_report_in_english(con, tmp_path):
    from flows.report import write_weekly

    html_path = write_weekly(con, "2026-W47", tmp_path, lang="en")[0]
    html = html_path.read_text(encoding="utf-8")
    assert html_path.name == "weekly-report-2026-W47.html"
    assert "Media appearances" in html and "Land and territory" in html and "Unclassified" in html
    assert '<html lang="en">' in html


def test_a_review_changes_the_next_report_and_the_tally(con):
    from flows.report import weekly_cells, weekly_context
    from warehouse.reviews import record_decision
    from warehouse.tally import tally

    record_decision(con, URLS["land"], "reject", "Ana", note="no es ProDESC")
    record_decision(con, URLS["xss"], "confirm", "Ana", theme="defenders")
    record_decision(con, URLS["rejected"], "confirm", "Beto", theme="land_territory")
    cells = weekly_cells(weekly_context(con, "2026-W47", chart=False))
    assert cells == {"labour|national": 1, "labour|local": 1, "institutional|national": 1,
                     "defenders|national": 1, "institutional|unclassified": 1, "land_territory|local": 1}
    assert tally(con, 2026)["defenders"]["national"] == 2


# ---------------------------------------------------------------------------- annual report

def test_year_report_tally_outlets_and_chart(con, tmp_path):
    from flows.report import write_year, year_context

    ctx = year_context(con, 2026, chart=False)
    assert ctx["total"] == 9
    assert ctx["outlets"][0]["outlet"] == "Nacional Dos" and ctx["outlets"][0]["appearances"] == 5
    assert "Cifra en vivo" in ctx["note"]
    html_path, csv_path, _items_csv, _xlsx = write_year(con, 2026, tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "9 apariciones en medios en 2026" in html
    assert csv_path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("Tema,Local,Nacional")


def test_year_report_prints_the_frozen_number(con):
    from flows.report import year_context
    from warehouse.reviews import record_decision
    from warehouse.tally import freeze

    freeze(con, 2026, by="Comunicación")
    record_decision(con, URLS["land"], "reject", "Ana")
    frozen = year_context(con, 2026, chart=False)
    live = year_context(con, 2026, live=True, chart=False)
    assert frozen["total"] == 9 and frozen["frozen"] and "congelada" in frozen["note"]
    assert live["total"] == 8 and "es 9" in live["note"]


# ---------------------------------------------------------------------------- command line

def test_report_commands_write_files(con, tmp_path, capsys):
    from flows.cli import main

    db = tmp_path / "r.ducklake"
    con.close()
    assert main(["report", "weekly", "--week", "2026-W47", "--db", str(db), "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "informe-semanal-2026-W47.html").exists()
    assert main(["report", "year", "--year", "2026", "--db", str(db), "--out", str(tmp_path / "o"),
                 "--lang", "en"]) == 0
    assert (tmp_path / "o" / "media-2026.html").exists()
    assert main(["report", "weekly", "--week", "47", "--db", str(db)]) == 2   # a bad week is a usage error


def test_web_text_with_control_characters_still_makes_a_spreadsheet(con, tmp_path):
    from openpyxl import load_workbook

    from flows.report import safe_cell, write_weekly_report

    assert safe_cell("\x1f=1+1") == "'=1+1" and safe_cell("a\tb\nc") == "a\tb\nc"
    con.execute("UPDATE articles SET title = 'Título\x1f con\x0b control' WHERE url = ?", [URLS["land"]])
    con.close()
    files = write_weekly_report(tmp_path / "r.ducklake", tmp_path / "o", "2026-W47")
    titles = [row[5].value for row in load_workbook(files[2]).active.iter_rows(min_row=2)]
    assert "Título con control" in titles
