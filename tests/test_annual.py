"""The annual media section, the tally's freeze and the files people open (issue 15): the
paragraph in the 2023 report's shape in both languages, the lists behind the table, the
checklist before a freeze, clickable XLSX links, a BOM on every CSV, only the asked language.
Runs on tests/test_report.py's small warehouse (2026: 9 appearances; 2023: 1)."""
from __future__ import annotations

import csv
import warnings

import pytest

from tests.test_report import URLS, con  # noqa: F401  (the fixture)
from pipelines.vocabulary import REACHES, THEMES

BOM = b"\xef\xbb\xbf"


def _table(cells: dict[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    return {t: {r: cells.get((t, r), 0) for r in REACHES} for t in THEMES}


# The 2023 annual report's cells ("ProDESC in media outlets"). They add up to 218, although the
# report's text says "a total of 213": the paragraph made from a table always agrees with it.
REPORT_2023 = _table({("land_territory", "local"): 104, ("land_territory", "national"): 32,
                      ("land_territory", "international"): 3, ("labour", "local"): 15, ("labour", "national"): 12,
                      ("labour", "international"): 1, ("institutional", "local"): 8,
                      ("institutional", "national"): 10, ("institutional", "international"): 33})


def _name_cases(con):
    con.execute("INSERT INTO entities (id, name, name_en, kind, theme) VALUES "
                "('uja', 'Unión de Jornaleros Agrícolas', 'Agricultural Workers'' Union', 'process', 'labour')")


# ---------------------------------------------------------------------------- the paragraph

def test_the_paragraph_in_the_2023_reports_shape_in_spanish_and_english():
    from flows.report.annual import year_paragraph

    assert year_paragraph(REPORT_2023, 2023, "es") == (
        "Durante 2023, ProDESC y los procesos que acompaña tuvieron presencia en medios de comunicación con un "
        "total de 218 apariciones. En cuanto a la defensa de la tierra y el territorio, 104 en medios locales, 32 "
        "en nacionales y 3 en internacionales; en cuanto a los derechos humanos laborales, 15 en medios locales, "
        "12 en nacionales y 1 en internacionales; en cuanto al trabajo institucional, 8 en medios locales, 10 en "
        "nacionales y 33 en internacionales. No hubo apariciones sobre el derecho a defender derechos.")
    assert year_paragraph(REPORT_2023, 2023, "en") == (
        "During 2023, ProDESC and the processes it accompanies had a total of 218 appearances in the media. "
        "Regarding the defence of land and territory, 104 in local media, 32 in national media and 3 in "
        "international media; regarding labour human rights, 15 in local media, 12 in national media and 1 in "
        "international media; regarding institutional work, 8 in local media, 10 in national media and 33 in "
        "international media. There were no appearances about the right to defend rights.")


def test_the_paragraph_says_one_appearance_leaves_zero_cells_out_and_writes_thousands():
    from flows.report.annual import year_paragraph

    one = year_paragraph(_table({("labour", "national"): 1}), 2031, "es")
    assert one == ("Durante 2031, ProDESC y los procesos que acompaña tuvieron presencia en medios de comunicación "
                   "con 1 aparición. En cuanto a los derechos humanos laborales, 1 en medios nacionales. No hubo "
                   "apariciones sobre la defensa de la tierra y el territorio ni sobre el derecho a defender derechos "
                   "ni sobre el trabajo institucional.")
    assert "1 appearance in the media" in year_paragraph(_table({("labour", "national"): 1}), 2031, "en")
    assert " 0 " not in one and "apariciones." not in one.split(".")[0]
    # a reach without appearances in a theme is skipped; the first one named says "medios"
    text = year_paragraph(_table({("land_territory", "international"): 2, ("land_territory", "local"): 1200}), 2030,
                          "es")
    assert "un total de 1,202 apariciones" in text
    assert "En cuanto a la defensa de la tierra y el territorio, 1,200 en medios locales y 2 en internacionales." \
        in text
    assert year_paragraph(_table({}), 2031, "es") == "No hay apariciones registradas en 2031."
    assert year_paragraph(_table({}), 2031, "en") == "There are no appearances recorded in 2031."


# ---------------------------------------------------------------------------- the annual section

def test_year_section_lists_months_comparison_and_featured_outlets(con, tmp_path):  # noqa: F811
    from flows.report import year_context

    _name_cases(con)
    ctx = year_context(con, 2026, chart=False)
    assert ctx["paragraph"].startswith("Durante 2026,") and "con un total de 9 apariciones" in ctx["paragraph"]
    # the list behind each cell holds exactly that cell's appearances
    for row in ctx["themes_lists"]:
        for group in row["groups"]:
            assert len(group["rows"]) == ctx["table"][row["theme"]][group["reach"]]
    labour_national = next(g for r in ctx["themes_lists"] for g in r["groups"] if g["id"] == "lista-labour-national")
    assert {i["url"] for i in labour_national["rows"]} == {URLS["labour"], "http://nacionaldos.example/w46-sindicato"}
    assert {i["process_name"] for i in labour_national["rows"]} == {"Unión de Jornaleros Agrícolas", None}
    assert [m["n"] for m in ctx["months"]][9:] == [1, 8, 0]
    # 2025 had nothing: said in words; 2024 against 2023 compares by theme and reach with the change
    assert ctx["previous"]["year"] == 2025 and ctx["previous"]["empty"]
    before = year_context(con, 2024, chart=False)["previous"]
    assert before["total"] == {"label": "Total", "before": 1, "now": 0, "change": "−1"}
    assert {f["reach"]: [o["outlet"] for o in f["outlets"]] for f in ctx["featured"]} == {
        "national": ["Nacional Dos"], "international": []}
    english = year_context(con, 2026, "en", chart=False)
    names = {i["process_name"] for i in english["items"]} - {None}
    assert names == {"Agricultural Workers' Union"}


def test_an_empty_year_says_so_without_a_chart_or_a_warning(con, tmp_path):  # noqa: F811
    from flows.report import write_year

    with warnings.catch_warnings():
        warnings.simplefilter("error")         # a matplotlib warning would fail here
        files = write_year(con, 2031, tmp_path)
    html = files[0].read_text(encoding="utf-8")
    assert "No hay apariciones registradas en 2031." in html
    assert "<img" not in html and 'id="grid"' not in html


# ---------------------------------------------------------------------------- files people open

def test_year_xlsx_has_a_summary_first_and_clickable_links(con, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    from flows.report import write_year

    _name_cases(con)
    con.execute("UPDATE articles SET url = 'javascript:alert(1)' WHERE url = ?", [URLS["w44"]])
    xlsx = write_year(con, 2026, tmp_path)[3]
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Resumen", "Apariciones", "Meses"]
    summary = [[c.value for c in row] for row in book["Resumen"].iter_rows()]
    assert summary[0][0] == "ProDESC en medios de comunicación, 2026"
    assert summary[1][0].startswith("Durante 2026, ProDESC y los procesos que acompaña")
    assert ["Total", 3, 5, 0, 1, 9] in summary and ["Tema", "Local", "Nacional", "Internacional", "Sin clasificar",
                                                   "Total"] in summary
    assert ["Nacionales", None] in [r[:2] for r in summary] and ["Nacional Dos", 5] in [r[:2] for r in summary]
    assert ["No hay apariciones registradas en 2025: no hay con qué comparar."] in [r[:1] for r in summary]
    sheet = book["Apariciones"]
    assert [c.value for c in sheet[1]] == ["Fecha", "Medio", "Título", "Enlace", "Tema", "Alcance", "Caso"]
    links = {row[3].value: row[3] for row in sheet.iter_rows(min_row=2)}
    assert len(links) == 9
    cell = links[URLS["labour"]]
    assert cell.hyperlink is not None and cell.hyperlink.target == URLS["labour"] and cell.style == "Hyperlink"
    assert links["javascript:alert(1)"].hyperlink is None             # never a link to a script
    assert "Unión de Jornaleros Agrícolas" in [row[6].value for row in sheet.iter_rows(min_row=2)]


def test_every_csv_the_project_writes_starts_with_a_bom(con, tmp_path):  # noqa: F811
    from flows.report import write_weekly, write_year
    from warehouse.export import export
    from warehouse.tally import tally, write_outputs

    written = [*write_year(con, 2026, tmp_path / "y"), *write_weekly(con, "2026-W47", tmp_path / "w"),
               *write_outputs(tally(con, 2026), 2026, tmp_path / "t"), *export(con, tmp_path / "x", ("csv",))]
    csvs = [p for p in written if p.suffix == ".csv"]
    assert len(csvs) >= 10
    for path in csvs:
        assert path.read_bytes().startswith(BOM), path.name
    # and Excel's reading of it (utf-8-sig) gives the accents and the header back
    rows = list(csv.reader(open(tmp_path / "y" / "medios-2026-apariciones.csv", encoding="utf-8-sig", newline="")))
    assert rows[0] == ["Fecha", "Medio", "Título", "Enlace", "Tema", "Alcance", "Caso"] and len(rows) == 10


def test_tally_lang_es_out_writes_only_spanish_files(con, tmp_path, capsys):  # noqa: F811
    from openpyxl import load_workbook

    from flows.cli import main

    con.close()
    db = str(tmp_path / "r.ducklake")
    assert main(["tally", "--year", "2026", "--db", db, "--lang", "es", "--out", str(tmp_path / "o")]) == 0
    names = sorted(p.name for p in (tmp_path / "o").iterdir())
    assert names == ["tally-2026-es.csv", "tally-2026-es.md", "tally-2026.xlsx"]
    book = load_workbook(tmp_path / "o" / "tally-2026.xlsx")
    assert book.sheetnames == ["Español"]
    cells = [c.value for row in book["Español"].iter_rows() for c in row if c.value]
    assert any(str(v).startswith("Durante 2026, ProDESC") for v in cells)
    assert not any(str(v).startswith("During") for v in cells)
    assert main(["tally", "--year", "2026", "--db", db, "--lang", "es", "--paragraph"]) == 0
    out = capsys.readouterr().out
    assert "Durante 2026, ProDESC y los procesos que acompaña" in out and "During" not in out


# ---------------------------------------------------------------------------- the freeze

def test_freeze_shows_the_checklist_and_refuses_without_yes_and_by(con, tmp_path, capsys):  # noqa: F811
    from flows.cli import main
    from warehouse.reviews import record_decision

    # strong evidence on the rejected candidate: the rules' score reached the threshold
    con.execute("UPDATE mentions SET reason_code = 'passing_mention' WHERE article_url = ?", [URLS["rejected"]])
    record_decision(con, URLS["land"], "confirm", "Ana")
    con.close()
    db = str(tmp_path / "r.ducklake")
    frozen = lambda: _frozen(db)   # noqa: E731

    assert main(["tally", "--year", "2026", "--db", db, "--freeze", "--yes"]) == 2      # --by is required
    assert "--by" in capsys.readouterr().err and frozen() == []

    assert main(["tally", "--year", "2026", "--db", db, "--freeze", "--by", "Ana López"]) == 1   # no --yes
    out = capsys.readouterr().out
    assert frozen() == []
    assert "Antes de congelar 2026 (9 apariciones en vivo), revise:" in out
    assert "Apariciones que cuentan sin que ninguna persona las haya revisado: 8" in out     # one was confirmed
    assert "Ejido presenta amparo contra granja" not in out                                # the confirmed one
    assert "Medios sin clasificar con apariciones en 2026" in out and "la-lista.example (1 aparición)" in out
    assert "evidencia fuerte" in out and "Turismo récord en Chichén Itzá" in out
    assert 'prodesc-monitor tally --year 2026 --freeze --by "Ana López" --yes' in out

    assert main(["tally", "--year", "2026", "--db", db, "--freeze", "--by", "Ana López", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Se congeló 2026: 9 apariciones" in out and "(hora de la Ciudad de México), por Ana López" in out
    assert frozen() == [(2026, "Ana López", 9)]


def _frozen(db) -> list[tuple]:
    from warehouse.db import connect

    c = connect(db, read_only=True)
    try:
        return c.execute("SELECT year, frozen_by, total FROM frozen_tallies").fetchall()
    finally:
        c.close()


def test_a_freeze_without_a_name_is_refused_by_the_warehouse_too(con):  # noqa: F811
    from pipelines.errors import UserError
    from warehouse.tally import freeze, frozen_years

    with pytest.raises(UserError, match="--by"):
        freeze(con, 2026, by="  ")
    assert frozen_years(con) == []


def test_strong_rejection_codes_are_the_taggers_codes():
    """The warehouse names the codes as text (it may not import the tagger): they must exist there."""
    from nlp.reasons import ACCEPTED_CODES, ReasonCode
    from warehouse.tally import STRONG_REJECTION_CODES

    from warehouse.tally import STRONG_IN_TITLE_CODES

    for code in (*STRONG_REJECTION_CODES, *STRONG_IN_TITLE_CODES):
        assert ReasonCode(code) not in ACCEPTED_CODES


def test_a_headline_naming_the_case_turned_down_for_want_of_context_is_strong_evidence(con):  # noqa: F811
    """Without a learned model no mention is ever 'passing_mention': the headline rule is what
    makes item 3 of the checklist find anything. Look-alike cues in the headline are not enough."""
    from warehouse.tally import freeze_checklist

    assert freeze_checklist(con, 2026).strong_rejections == []
    con.execute("UPDATE mentions SET field = 'title', reason_code = 'lookalike_context' WHERE article_url = ?",
                [URLS["rejected"]])
    assert freeze_checklist(con, 2026).strong_rejections == []           # tourism cues: rightly rejected
    con.execute("UPDATE mentions SET reason_code = 'insufficient_context' WHERE article_url = ?", [URLS["rejected"]])
    assert [r["url"] for r in freeze_checklist(con, 2026).strong_rejections] == [URLS["rejected"]]


def test_the_frozen_page_says_when_in_mexico_city_time(con):  # noqa: F811
    from flows.report import year_context
    from warehouse.tally import freeze

    freeze(con, 2026, by="Comunicación")
    note = year_context(con, 2026, chart=False)["note"]
    assert "(hora de la Ciudad de México) por Comunicación" in note and "congelada" in note


# ---------------------------------------------------------------------------- colours

def test_themes_and_reaches_never_share_a_colour():
    from flows.report.charts import REACH_STYLE, THEME_STYLE

    assert not {c for c, _ in THEME_STYLE.values()} & {c for c, _ in REACH_STYLE.values()}


def test_one_appearance_is_singular_and_thousands_take_a_comma(con):  # noqa: F811
    from flows.report import year_context
    from warehouse.tally import format_table

    ctx = year_context(con, 2023, chart=False)                 # the small warehouse has one in 2023
    assert ctx["total_text"] == "1 aparición en medios en 2023"
    assert "con 1 aparición." in ctx["paragraph"] and ctx["num"](1234) == "1,234"
    assert year_context(con, 2023, "en", chart=False)["total_text"] == "1 media appearance in 2023"
    assert format_table(_table({("labour", "local"): 1}), 2031, "es").splitlines()[0] == "1 aparición en medios, 2031"
    big = format_table(_table({("labour", "national"): 1233, ("labour", "local"): 1}), 2031, "es")
    assert big.splitlines()[0] == "1,234 apariciones en medios, 2031" and "1,233" in big
