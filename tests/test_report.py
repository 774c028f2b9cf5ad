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


def record_run(con, run_id: str, started: datetime, since=None, until=None, status="ok"):
    """A crawl run in crawl_runs, as `prodesc-monitor crawl` records it."""
    from warehouse.load import record_run as record

    record(con, run_id, started, "sources.yaml", since, until, status, {})


def test_comparison_with_previous_week_and_four_week_average(con):
    """Weeks without a run and without appearances (W43, W45 in build_db) are 'sin datos':
    the average is over the weeks with data, not a 0 for each missing week."""
    from flows.report import weekly_context

    ctx = weekly_context(con, "2026-W47", chart=False)
    rows = {r["key"]: r for r in ctx["by_theme"]}
    # W46: land 1, labour 1; W44: defenders 1; W43 and W45: no data -> averages over 2 weeks.
    assert ctx["average_with_data"] == ["2026-W44", "2026-W46"]
    assert (rows["land_territory"]["now"], rows["land_territory"]["before"], rows["land_territory"]["change"]) == (1, 1, "=")
    assert (rows["labour"]["now"], rows["labour"]["change"], rows["labour"]["avg"]) == (2, "+1", "0.5")  # Mexico: decimal point
    assert rows["defenders"]["vs_avg"] == "−0.5"
    assert (rows["total"]["now"], rows["total"]["before"], rows["total"]["avg"]) == (6, 2, "1.5")
    assert ctx["average_note"] == "semanas 43–46; 2 con datos"
    reach = {r["key"]: r for r in ctx["by_reach"]}
    assert reach["unclassified"]["change"] == "+1"

    # A run during W45 that found nothing makes W45 a real 0, which enters the average.
    record_run(con, "run-w45", datetime(2026, 11, 4, 12, tzinfo=timezone.utc))
    ctx = weekly_context(con, "2026-W47", chart=False)
    assert ctx["average_with_data"] == ["2026-W44", "2026-W45", "2026-W46"]
    assert {r["key"]: r for r in ctx["by_theme"]}["total"]["avg"] == "1"
    # A run going back over a window (--since/--until) covers each week it overlaps.
    record_run(con, "run-back", datetime(2026, 12, 1, 12, tzinfo=timezone.utc), date(2026, 10, 22), date(2026, 10, 23))
    ctx = weekly_context(con, "2026-W47", chart=False)
    assert ctx["average_with_data"] == ["2026-W43", "2026-W44", "2026-W45", "2026-W46"]
    assert ctx["average_note"] == "semanas 43–46"
    # A failed run covers nothing.
    record_run(con, "run-failed", datetime(2026, 9, 9, 12, tzinfo=timezone.utc), status="failed")
    assert "2026-W37" not in weekly_context(con, "2026-W47", chart=False)["with_data"]


def test_summary_line_says_count_trend_and_main_theme(con):
    from flows.report import weekly_context

    ctx = weekly_context(con, "2026-W47", chart=False)
    assert ctx["summary"] == ("6 apariciones en la semana 47 (16–22 nov 2026), 4 más que la semana anterior y por "
                              "encima del promedio de las 2 semanas previas con datos (1.5); el tema más frecuente "
                              "fue institucional.")
    ctx = weekly_context(con, "2026-W46", chart=False)     # W45 no data; W43-W45: only W44 has data
    assert ctx["summary"] == ("2 apariciones en la semana 46 (9–15 nov 2026), sin datos de la semana anterior y por "
                              "encima del promedio de la única semana previa con datos (1).")
    en = weekly_context(con, "2026-W47", "en", chart=False)
    assert en["summary"].startswith("6 appearances in week 47 (16–22 Nov 2026), 4 more than the week before and "
                                    "above the average of the 2 weeks before with data (1.5)")


def test_a_week_the_monitor_did_not_run_is_no_data_not_zero(con, tmp_path):
    from flows.report import weekly_context, write_weekly

    ctx = weekly_context(con, "2026-W45", chart=False)
    assert not ctx["has_data"] and ctx["summary"] == "Sin datos: el monitor no corrió esta semana."
    assert {r["key"]: r for r in ctx["by_theme"]}["total"]["now"] is None
    html = write_weekly(con, "2026-W45", tmp_path)[0].read_text(encoding="utf-8")
    assert "Sin datos: el monitor no corrió esta semana." in html and "0 apariciones" not in html
    assert 'id="grid"' not in html
    assert '<td class="n" data-week="2026-W43"><span class="nodata">sin datos</span>' in html
    assert '<td class="n" data-week="2026-W44">1</td>' in html
    # the same week, watched by a run that found nothing: a real 0
    record_run(con, "run-w45", datetime(2026, 11, 4, 12, tzinfo=timezone.utc))
    ctx = weekly_context(con, "2026-W45", chart=False)
    assert ctx["has_data"] and ctx["summary"].startswith("0 apariciones en la semana 45 (2–8 nov 2026), 1 menos")


def test_a_manual_appearance_gives_its_week_data(con, tmp_path):
    """A radio interview added by hand (`prodesc-monitor add`) in a week no run watched: the
    week shows that appearance (never "sin datos" over a count), marked as added by hand."""
    from flows.report import weekly_context, write_weekly
    from warehouse.manual import ManualAppearance, add_manual

    add_manual(con, [ManualAppearance("m1", "Radio Educación", "national", "radio", date(2026, 11, 5), "labour",
                                      "cnddhl", "Entrevista sobre defensoras laborales", None, None, "Ana")])
    ctx = weekly_context(con, "2026-W45", chart=False)
    assert ctx["has_data"] and ctx["summary"].startswith("1 aparición en la semana 45 (2–8 nov 2026)")
    html = write_weekly(con, "2026-W45", tmp_path)[0].read_text(encoding="utf-8")
    assert "Registrada a mano" in html and 'href="#c-cnddhl">1</a>' in html


def test_cases_outlets_and_the_most_reprinted_story(con):
    from flows.report import weekly_context

    ctx = weekly_context(con, "2026-W47", chart=False)
    cases = {c["key"]: (c["label"], c["n"]) for c in ctx["by_case"]}
    assert cases["none"] == ("ProDESC o su directora, sin un caso en particular", 4)
    assert cases["uja"][1] == 2
    assert [(o["outlet"], o["n"]) for o in ctx["top_outlets"]] == [
        ("Nacional Dos", 3), ("Diario Uno", 2), ("la-lista.example", 1)]
    assert ctx["reprinted"]["lead"]["url"] == URLS["labour"]
    assert ctx["reprinted"]["outlets"] == ["Diario Uno", "Nacional Dos"]


def test_every_number_links_to_exactly_its_appearances(con, tmp_path):
    """Each link of the counts leads to a list in the same file with exactly the rows counted."""
    from flows.report import write_weekly

    html = write_weekly(con, "2026-W47", tmp_path)[0].read_text(encoding="utf-8")
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    ids = set(ids)
    targets = re.findall(r'href="#([^"]+)"', html)
    assert targets and set(targets) <= ids
    for key, n in W47.items():
        theme, reach = key.split("|")
        assert f'data-theme="{theme}" data-reach="{reach}"><a class="count" href="#t-{theme}-{reach}">{n}</a><' in html
        block = html.split(f'id="t-{theme}-{reach}"')[1].split("</ul>")[0]
        assert len(re.findall(r"<li data-url=", block)) == n
    labour = html.split('id="t-labour-national"')[1].split("</ul>")[0]
    assert re.findall(r'<li data-url="([^"]+)"', labour) == [URLS["labour"]]
    assert 'href="#c-uja">2</a>' in html and 'href="#o-1">3</a>' in html
    assert '<td class="n" data-week="2026-W47"><a class="count" href="#items">6</a></td>' in html


def test_footer_names_the_moment_and_the_database(con, tmp_path):
    from flows.report import weekly_context, write_weekly_report

    ctx = weekly_context(con, "2026-W47", chart=False)
    assert "desde la base" not in ctx["generated"]
    assert re.fullmatch(r"Generado el \d{1,2} [a-z]{3} \d{4} a las \d\d:\d\d \(hora de la Ciudad de México\)\.",
                        ctx["generated"])
    con.close()
    html = write_weekly_report(tmp_path / "r.ducklake", tmp_path / "o", "2026-W47")[0].read_text(encoding="utf-8")
    assert re.search(r"a las \d\d:\d\d \(hora de la Ciudad de México\) desde la base r\.ducklake\.", html)


def test_opinion_column_shows_its_author_and_a_real_sentence_foreign_items_their_language(con):
    """An opinion column signed by Alejandra Ancheita: her name alone is no excerpt."""
    from flows.report import weekly_context

    url = "http://nacionaldos.example/opinion-ancheita"
    text = ("Alejandra Ancheita\nLa debida diligencia en derechos humanos no puede quedarse en el papel de las "
            "empresas. " * 3)
    a = replace(article(url, outlet="Nacional Dos", day=date(2026, 11, 18), text=text),
                title="La debida diligencia, en serio", author="Alejandra Ancheita")
    byline = _mention("Alejandra Ancheita", "Alejandra Ancheita")
    signed = replace(byline, field="author")
    foreign_url = "http://nacionaldos.example/english-piece"
    foreign = replace(article(foreign_url, outlet="Nacional Dos", day=date(2026, 11, 18),
                              text="ProDESC said the ruling matters for Mexican workers everywhere. " * 5),
                      title="A ruling for workers")
    load_batch(con, [Tagged(a, FakeTags(mentions=(signed, byline))),
                     Tagged(foreign, FakeTags(language="en", mentions=(_mention(
                         "ProDESC said the ruling matters for Mexican workers everywhere."),)))],
               {}, [], "run-2", "kb-test")
    items = {i["url"]: i for g in weekly_context(con, "2026-W47", chart=False)["groups"]
             for s in g["stories"] for i in [s["lead"], *s["copies"]]}
    column = items[url]
    assert column["author"] == "Alejandra Ancheita"
    assert column["sentence"] == ("La debida diligencia en derechos humanos no puede quedarse en el papel de "
                                  "las empresas.")
    assert items[foreign_url]["language_text"] == "en inglés" and column["language_text"] == ""


def test_highlight_marks_whole_accepted_names_never_a_lookalike(con):
    from flows.report import highlight, weekly_context

    # a name split by a line break or a non-breaking space is still one mark
    assert highlight("la comunidad de Unión\u00a0Hidalgo y Alejandra\nAncheita", ["Unión Hidalgo", "Alejandra Ancheita"]) == [
        ("la comunidad de ", False), ("Unión\u00a0Hidalgo", True), (" y ", False), ("Alejandra\nAncheita", True)]
    # Bachoco accepted in one sentence (the dispute) and rejected in the one shown (business news)
    url = "http://nacionaldos.example/bachoco"
    shown = "ProDESC comentó las ventas de Bachoco en el trimestre, que subieron en Peto."
    load_batch(con, [Tagged(replace(article(url, outlet="Nacional Dos", day=date(2026, 11, 18)), title="Granjas"),
                            FakeTags(theme="land_territory", process="chichankanab", mentions=(
                                _mention(shown),
                                _mention(shown, "Bachoco", accepted=False, reason="look-alike: business"),
                                _mention("La granja de Bachoco en Akutzá amenaza el agua de los ejidos mayas.",
                                         "Bachoco", field="title")))),
                     ], {}, [], "run-2", "kb-test")
    item = next(i for g in weekly_context(con, "2026-W47", chart=False)["groups"] for s in g["stories"]
                for i in [s["lead"], *s["copies"]] if i["url"] == url)
    assert [p for p, marked in item["pieces"] if marked] == ["ProDESC"]
    # the other side's names are never marked, even accepted (the farm and the company of the dispute)
    from flows.report.weekly import marked_names
    assert marked_names(["Akutza", "BACHOCO", "Unión Hidalgo", "EDF", "ProDESC"]) == ["Unión Hidalgo", "ProDESC"]


def test_theme_and_reach_colours_never_share_a_colour():
    """Same colour, same meaning: green is land and territory, never also a reach."""
    from flows.report.charts import REACH_COLOURS, THEME_COLOURS
    from flows.report.html import TEMPLATES
    from pipelines.vocabulary import REACHES, THEMES

    assert set(THEME_COLOURS) == set(THEMES) and set(REACH_COLOURS) == set(REACHES)
    theme, reach = {c.upper() for c in THEME_COLOURS.values()}, {c.upper() for c in REACH_COLOURS.values()}
    assert len(theme) == len(THEMES) and len(reach) == len(REACHES) and not theme & reach
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    for t, colour in THEME_COLOURS.items():      # the items' borders and the legend use the same colours
        assert re.search(rf"\.theme-{t} {{ border-left-color: {colour}; }}", css)
        assert f".swatch.theme-{t} {{ background: {colour}; }}" in css


def test_an_empty_stretch_draws_no_chart_and_prints_no_warning(tmp_path, registry):
    import warnings

    from flows.report import write_weekly
    from flows.report.charts import weeks_chart, year_chart

    assert weeks_chart(["2026-W46", "2026-W47"], {"labour": [0, 0]}, "es") is None
    assert year_chart({"labour": {"local": 0}}, 2026, "es") is None
    c = connect(tmp_path / "empty.ducklake")
    try:
        load_outlets(c, registry)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            html = write_weekly(c, "2026-W47", tmp_path / "o")[0].read_text(encoding="utf-8")
    finally:
        c.close()
    assert "<img" not in html and "No hubo apariciones en las últimas 12 semanas" in html
    assert "Sin datos: el monitor no corrió esta semana." in html


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
        assert f'data-theme="{theme}" data-reach="{reach}"><a class="count" href="#t-{theme}-{reach}">{n}</a><' in html
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
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["Resumen", "Apariciones"]     # what a reader opening the file sees first
    summary = [[c.value for c in row] for row in book["Resumen"].iter_rows()]
    assert summary[0][0] == "Apariciones en medios — semana 47 (16–22 nov 2026)"
    assert summary[-1][0] == "Total" and summary[-1][-1] == sum(W47.values())
    sheet = book["Apariciones"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 6
    assert {v[0] for v in values} == {"semana 47 (16–22 nov 2026)"}
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert {v[6] for v in values} == {r[6] for r in rows[1:]}
    links = {row[6].hyperlink.target for row in sheet.iter_rows(min_row=2) if row[6].hyperlink}
    assert links == {r[6] for r in rows[1:] if r[6].startswith("http")} and links   # the addresses open on a click


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
    titles = [row[5].value for row in load_workbook(files[2])["Apariciones"].iter_rows(min_row=2)]
    assert "Título con control" in titles
