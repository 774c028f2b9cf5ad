"""The views analysts read, held to their contract (docs/warehouse.md): counts that pandas and
polars read as integers, a reach_latest on every row, NULL for "no region", the ready-made
answers (tally_cells, monthly_counts, appearance_processes) agreeing with the tally, and bylines
parsed into names apart from desk credits."""
from dataclasses import replace
from datetime import date

import pytest

from pipelines.authors import parse_byline
from pipelines.extract import extract_article
from pipelines.records import Tagged
from tests.test_extract import fetched
from tests.test_warehouse import FakeMention, FakeTags, article
from warehouse.db import connect
from warehouse.load import load_batch, load_outlets

PROCESS = dict(entity_kind="process", theme="labour")


def _process_mention(entity_id, matched, accepted=True):
    return FakeMention(entity_id=entity_id, matched=matched, accepted=accepted, **PROCESS)


@pytest.fixture
def con(tmp_path, registry):
    c = connect(tmp_path / "v.ducklake")
    load_outlets(c, registry, {"la-lista.example"})
    uja, unica, caaatm = (_process_mention("uja", "UJA"), _process_mention("unica", "UNICA"),
                          _process_mention("caaatm", "CAAATM", accepted=False))
    batch = [
        # Diario Uno: 2023 and 2026, its reach changed in between (below): two year rows, one latest reach
        Tagged(article("http://www.diariouno.example/a", day=date(2023, 1, 20)), FakeTags()),
        Tagged(article("http://www.diariouno.example/b", day=date(2023, 6, 3), fingerprint="0f0f0f0f0f0f0f0f"),
               FakeTags(theme="labour", process="uja", mentions=(FakeMention(), uja, uja, unica, caaatm))),
        Tagged(article("http://www.diariouno.example/c", day=date(2026, 11, 18), fingerprint="1234567812345678"),
               FakeTags(theme="labour", process="unica", mentions=(unica,))),
        Tagged(article("http://nacionaldos.example/d", outlet="Nacional Dos", day=date(2026, 11, 30),
                       fingerprint="8765432187654321"), FakeTags()),
        Tagged(article("http://la-lista.example/e", outlet="la-lista.example", day=date(2026, 12, 1),
                       fingerprint="ffff0000ffff0000"), FakeTags(theme="defenders")),
        Tagged(article("http://nacionaldos.example/not", outlet="Nacional Dos", day=date(2026, 11, 2),
                       fingerprint="00ff00ff00ff00ff"), FakeTags(is_appearance=False, theme=None)),
    ]
    load_batch(c, batch, {}, [], "run-1", "kb-test")
    c.execute("INSERT INTO outlet_reach_history (outlet, reach, valid_from, source) "
              "VALUES ('Diario Uno', 'national', DATE '2025-01-01', 'review')")
    c.execute("INSERT INTO manual_appearances (manual_id, outlet, reach, medium, published_date, theme, process, "
              "title) VALUES ('m1', 'Radio Uno', 'local', 'radio', DATE '2024-03-05', 'labour', 'uja', 'Entrevista')")
    yield c
    c.close()


def _views(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE database_name = 'lake' "
                                      "AND schema_name = 'main' AND NOT internal ORDER BY view_name").fetchall()]


# Every column of a view that counts something (docs/warehouse.md).
COUNT_COLUMNS = {
    "weekly_counts": ["appearances"], "yearly_tally": ["appearances"], "monthly_counts": ["appearances"],
    "appearances_by_outlet": ["appearances", "land_territory", "labour", "defenders", "institutional"],
    "process_timeline": ["appearances", "local", "national", "international", "unclassified"],
    "syndication_groups": ["copies"], "silent_outlets": ["silent_runs"], "review_articles": ["decisions"],
    "appearance_processes": ["mentions"],
}


def test_every_count_column_of_every_view_is_bigint(con):
    types = {(v, name): ctype for v in _views(con) for name, ctype, *_ in con.execute(f'DESCRIBE "{v}"').fetchall()}
    for view, columns in COUNT_COLUMNS.items():
        for column in columns:
            assert types[(view, column)] == "BIGINT", (view, column, types.get((view, column)))
    # and no view hands out a type pandas reads as float or polars as Decimal(38,0)
    wide = {k: t for k, t in types.items() if t in ("HUGEINT", "UHUGEINT") or t.startswith("DECIMAL")}
    assert wide == {}
    # a count column nobody listed above would escape the first check
    named_like_counts = {k for k, t in types.items() if t in ("BIGINT", "INTEGER", "HUGEINT")
                         and k[1] not in ("year", "start_char", "end_char", "seq", "column_position")}
    assert named_like_counts == {(v, c) for v, cs in COUNT_COLUMNS.items() for c in cs}


def test_reach_latest_is_on_every_row_of_an_outlet(con):
    rows = con.execute("SELECT outlet, year, reach_latest FROM appearances_by_outlet ORDER BY outlet, year").fetchall()
    assert ("Diario Uno", 2023, "national") in rows and ("Diario Uno", 2026, "national") in rows
    assert all(reach is not None for _, _, reach in rows)


def test_no_region_is_null_not_an_empty_string(con):
    # Nacional Dos has region "" in sources.yaml; la-lista.example is not in the registry
    assert con.execute("SELECT name, region FROM outlets ORDER BY name").fetchall() == [
        ("Diario Uno", "Yucatán"), ("Nacional Dos", None), ("la-lista.example", None)]
    # an outlet stored with '' before (by an older version, or the desk) is NULL in the views too
    con.execute("UPDATE outlets SET region = '' WHERE name = 'Nacional Dos'")
    regions = dict(con.execute("SELECT DISTINCT outlet, region FROM appearances").fetchall())
    assert regions == {"Diario Uno": "Yucatán", "Nacional Dos": None, "la-lista.example": None, "Radio Uno": None}


def test_tally_cells_regroup_to_exactly_the_yearly_tally(con):
    regrouped = con.execute("SELECT year, theme, reach, count(*) FROM tally_cells GROUP BY ALL "
                            "ORDER BY ALL").fetchall()
    tally = con.execute("SELECT year, theme, reach, appearances FROM yearly_tally ORDER BY ALL").fetchall()
    assert regrouped == tally and sum(n for *_, n in tally) == 6
    assert con.execute("SELECT count(*) FROM tally_cells WHERE url = 'http://nacionaldos.example/not'").fetchone()[0] == 0
    assert [d[0] for d in con.execute("SELECT * FROM tally_cells LIMIT 0").description] == [
        "year", "theme", "reach", "url", "outlet", "published_date", "title", "process"]


def test_monthly_counts_has_every_month_theme_and_reach_from_first_to_last(con):
    months = [r[0] for r in con.execute("SELECT DISTINCT month FROM monthly_counts ORDER BY month").fetchall()]
    assert months[0] == date(2023, 1, 1) and months[-1] == date(2026, 12, 1)
    assert len(months) == 4 * 12           # January 2023 to December 2026, none missing
    per_month = set(con.execute("SELECT count(*) FROM monthly_counts GROUP BY month").fetchall())
    assert per_month == {(16,)}            # 4 themes × 4 reaches in every month
    assert con.execute("SELECT appearances FROM monthly_counts WHERE month = DATE '2023-02-01' "
                       "AND theme = 'labour' AND reach = 'local'").fetchone() == (0,)
    assert con.execute("SELECT month_label, appearances FROM monthly_counts WHERE month = DATE '2026-11-01' "
                       "AND theme = 'labour' AND reach = 'national'").fetchone() == ("2026-11", 1)
    total = con.execute("SELECT sum(appearances) FROM monthly_counts").fetchone()[0]
    assert total == con.execute("SELECT count(*) FROM appearances").fetchone()[0]


def test_appearance_processes_lists_every_accepted_process_with_how_often(con):
    rows = con.execute("SELECT url, process, mentions, is_primary FROM appearance_processes ORDER BY url, process"
                       ).fetchall()
    assert rows == [
        ("http://www.diariouno.example/b", "uja", 2, True),     # the rejected CAAATM mention is not listed
        ("http://www.diariouno.example/b", "unica", 1, False),
        ("http://www.diariouno.example/c", "unica", 1, True),
        ("manual:m1", "uja", 0, True),                          # a manual appearance: its process, no mention
    ]
    accepted = set(con.execute("SELECT DISTINCT m.article_url, m.entity_id FROM mentions AS m JOIN appearances "
                               "AS a ON a.url = m.article_url WHERE m.accepted AND m.entity_kind = 'process'"
                               ).fetchall())
    assert accepted <= {(u, p) for u, p, *_ in rows}


# ---------------------------------------------------------------------------- bylines

@pytest.mark.parametrize("raw, outlet, names, desk", [
    # visible bylines of the labelled corpus, with their date
    ("Por Alberto Mejía | 12 de noviembre de 2026 10:00", "Línea Directa", ("Alberto Mejía",), None),
    ("By Camille Léger | 14 août 2023 à 21:16", "Libération", ("Camille Léger",), None),
    ("Por Redacción Línea Directa | 3 de enero de 2024 09:00", "Línea Directa", (), "Redacción Línea Directa"),
    # the extractor's author with a dateline and a credit glued on
    ("Camille Dorval Mexico; Correspondance", "Libération", ("Camille Dorval",), "Correspondance"),
    ("Redacción NVI", "NVI Noticias", (), "Redacción NVI"),
    ("Desinformémonos", "Desinformémonos", (), "Desinformémonos"),     # the outlet signs its own piece
    ("Milenio Digital", "Milenio", (), "Milenio Digital"),
    ("Agencias", "La Jornada Maya", (), "Agencias"),
    ("Daniela Ortega / AFP", "Nacional Dos", ("Daniela Ortega",), "AFP"),
    ("Itzel Barrera y Alberto Mejía", "Línea Directa", ("Itzel Barrera", "Alberto Mejía"), None),
    ("Leticia Ramírez Guerrero", "Milenio", ("Leticia Ramírez Guerrero",), None),   # a surname, not a dateline
    ("Alejandra Ancheita", "Desinformémonos", ("Alejandra Ancheita",), None),
    ("Por parte de la UABJO", "NVI Noticias", (), None),                           # a sentence, not a byline
    # shapes seen in real pages' metadata (../shared/realpress), with names made up
    ("ANA LÓPEZ; JUAN PÉREZ Associated Press", "X", ("Ana López", "Juan Pérez"), "Associated Press"),
    ("Le Monde; Claire Dubois", "X", ("Claire Dubois",), "Le Monde"),              # another newsroom signs
    ("Rosa Ruiz; CNN", "X", ("Rosa Ruiz",), "CNN"),
    ("Sarah E Tello", "X", ("Sarah E Tello",), None),                              # an initial, not "and"
    ("Analysis by Luis Mora; Staff reporter", "X", ("Luis Mora",), "Staff reporter"),
    ("No Author", "X", (), None),
    (None, "Milenio", (), None),
])
def test_a_byline_is_split_into_names_and_a_desk_credit(raw, outlet, names, desk):
    byline = parse_byline(raw, (outlet,))
    assert (byline.names, byline.desk) == (names, desk)


PAGE = """<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>{title}</title>{meta}
<meta property="og:type" content="article"></head><body><main><h1>{title}</h1>
<p class="fecha">Por Itzel Barrera | 14 de noviembre de 2026 10:20</p>
<div class="entry-content">{text}</div></main></body></html>"""
TEXT = "<p>Los jornaleros agrícolas de Sinaloa, acompañados por ProDESC, presentaron su pliego de demandas.</p>" * 6


def test_an_author_only_in_the_visible_byline_fills_the_names_not_the_raw_author(registry):
    page = PAGE.format(title="Jornaleros presentan pliego", meta="", text=TEXT).encode()
    art = extract_article(fetched(page, url="http://www.diariouno.example/jornaleros"), registry)
    assert art.author is None                  # what the tagger reads is what the extractor gave
    assert (art.author_names, art.desk_byline, art.author_source) == (("Itzel Barrera",), None, "byline")


def test_the_extractors_author_is_parsed_and_kept_raw(registry):
    meta = '<meta name="author" content="Camille Dorval Mexico; Correspondance">'
    page = PAGE.format(title="Jornaleros presentan pliego", meta=meta, text=TEXT).encode()
    art = extract_article(fetched(page, url="http://www.diariouno.example/jornaleros"), registry)
    assert art.author == "Camille Dorval Mexico; Correspondance"
    assert (art.author_names, art.desk_byline, art.author_source) == (("Camille Dorval",), "Correspondance",
                                                                       "extractor")


def test_names_are_stored_and_old_bylines_parsed_once(tmp_path, registry):
    from warehouse.load import fill_author_names

    c = connect(tmp_path / "n.ducklake")
    load_outlets(c, registry)
    signed = replace(article("http://www.diariouno.example/x"), author="Por Itzel Barrera | 2 de mayo de 2023",
                     author_names=("Itzel Barrera",), author_source="extractor")
    desk = replace(article("http://www.diariouno.example/y", fingerprint="0f0f0f0f0f0f0f0f"), author="Redacción")
    load_batch(c, [Tagged(signed, FakeTags()), Tagged(desk, FakeTags())], {}, [], "run", "kb")
    assert c.execute("SELECT author, author_names, author_source FROM articles WHERE url LIKE '%/x'").fetchone() == (
        "Por Itzel Barrera | 2 de mayo de 2023", ["Itzel Barrera"], "extractor")
    # as a warehouse stored before migration 003 holds them: NULL, then parsed from `author`
    c.execute("UPDATE articles SET author_names = NULL, desk_byline = NULL, author_source = NULL")
    assert fill_author_names(c) == 2
    assert c.execute("SELECT author_names, desk_byline FROM articles ORDER BY url").fetchall() == [
        (["Itzel Barrera"], None), ([], "Redacción")]
    assert fill_author_names(c) == 0
    c.close()
