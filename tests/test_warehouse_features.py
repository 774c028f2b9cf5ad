"""Issue-5 features on a temporary database: freezing, manual appearances, reviews, export, search."""
import csv
from dataclasses import replace
from datetime import date

import pytest

from pipelines.records import Tagged
from tests.test_warehouse import FakeTags, article
from warehouse.db import connect
from warehouse.load import apply_tags, load_batch, load_outlets
from warehouse.manual import Problem, add_manual, read_manual_csv
from warehouse.tally import AlreadyFrozen, compare, freeze, tally, write_outputs


@pytest.fixture
def con(tmp_path, registry):
    c = connect(tmp_path / "f.ducklake")
    load_outlets(c, registry)
    texts = ["Ejidatarios de la península defienden su tierra con un amparo agrario. " * 8,
             "Trabajadoras del cine organizan un sindicato independiente en la capital. " * 8,
             "La organización presentó su informe anual sobre derechos económicos. " * 8]
    from trafilatura.deduplication import Simhash
    batch = [Tagged(replace(article(f"http://www.diariouno.example/{i}", text=t), fingerprint=Simhash(t).to_hex()),
                    FakeTags(theme=th)) for i, (t, th) in enumerate(zip(texts, ["land_territory", "labour", "institutional"]))]
    load_batch(c, batch, {}, [], "r", "kb1")
    yield c
    c.close()


def test_frozen_year_survives_a_retag_that_changes_live_counts(con):
    assert freeze(con, 2023, by="tester") == 3
    apply_tags(con, [("http://www.diariouno.example/1", FakeTags(is_appearance=False, theme=None, mentions=()))], "kb2")
    assert tally(con, 2023)["labour"]["local"] == 0                  # live count changed
    assert tally(con, 2023, frozen=True)["labour"]["local"] == 1     # the published number did not
    assert compare(con, 2023) == [("labour", "local", 1, 0)]
    with pytest.raises(AlreadyFrozen):
        freeze(con, 2023)


def test_as_frozen_counts_the_year_again_from_its_snapshot(con, tmp_path, capsys):
    """Frozen, then more articles, a review and a retag change the live count: --as-frozen still
    reproduces the frozen table cell by cell from the lake's snapshot, and --compare shows the change."""
    from flows.cli import main
    from warehouse.db import transactions
    from warehouse.lake import current_snapshot
    from warehouse.reviews import record_decision
    from warehouse.tally import recount_frozen, tally_at_snapshot

    assert freeze(con, 2023, by="tester") == 3
    frozen = tally(con, 2023, frozen=True)
    snapshot = con.execute("SELECT snapshot_id FROM frozen_tallies WHERE year = 2023").fetchone()[0]
    assert snapshot is not None
    text = "Defensoras comunitarias denuncian amenazas ante la fiscalía estatal del istmo. " * 8
    load_batch(con, [Tagged(replace(article("http://nacionaldos.example/n", outlet="Nacional Dos", text=text),
                                    fingerprint="0f0f0f0f0f0f0f0f"), FakeTags(theme="defenders"))], {}, [], "r2", "kb1")
    record_decision(con, "http://www.diariouno.example/0", "reject", "Luis", note="no es ProDESC")
    apply_tags(con, [("http://www.diariouno.example/2", FakeTags(theme="labour"))], "kb2")
    live = tally(con, 2023)
    assert live != frozen and compare(con, 2023)

    result = recount_frozen(con, 2023)
    assert (result.snapshot, result.differences, result.recounted) == (snapshot, [], frozen)
    # a real count, not a copy of the frozen table: at today's version it gives today's number
    assert tally_at_snapshot(con, 2023, current_snapshot(con)) == live
    path = str(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = 'lake'").fetchone()[0])
    db = path.removeprefix("sqlite:")
    con.close()

    assert main(["tally", "--year", "2023", "--as-frozen", "--db", db, "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert f"contado de nuevo en la versión {snapshot} del almacén" in out and "Idéntica a la tabla congelada" in out
    assert main(["tally", "--year", "2023", "--compare", "--db", db, "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert "difieren 4 celdas" in out and "defenders / national: congelada 0, en vivo 1" in out
    assert main(["tally", "--year", "2022", "--as-frozen", "--db", db]) == 2
    assert "2022 no está congelado" in capsys.readouterr().err

    # a frozen table that no longer matches its snapshot is reported, cell by cell, with exit code 1
    c = connect(db)
    for txn in transactions(c):
        with txn:
            c.execute("DELETE FROM frozen_appearances WHERE theme = 'labour'")
    c.close()
    assert main(["tally", "--year", "2023", "--as-frozen", "--db", db, "--lang", "es"]) == 1
    out = capsys.readouterr().out
    assert "Difieren 1 celdas" in out and "labour / local: congelada 0, contada de nuevo 1" in out


def test_reviews_override_the_tagger(con):
    con.execute("INSERT INTO reviews VALUES ('r1', 'http://www.diariouno.example/0', 'reject', NULL, NULL, 'turismo', 'ana', now())")
    con.execute("INSERT INTO reviews VALUES ('r2', 'http://www.diariouno.example/2', 'confirm', 'defenders', NULL, NULL, 'ana', now())")
    rows = dict(con.execute("SELECT url, theme FROM appearances").fetchall())
    assert "http://www.diariouno.example/0" not in rows
    assert rows["http://www.diariouno.example/2"] == "defenders"


def test_manual_appearances_counted_once_however_often_loaded(con, tmp_path):
    path = tmp_path / "manual.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "outlet", "medium", "theme", "title", "reach"])
        w.writerow(["2023-03-01", "Radio Comunitaria X", "radio", "land_territory", "Entrevista sobre el ejido", "local"])
        w.writerow(["2023-04-02", "Diario Uno", "print", "institutional", "Columna impresa", ""])
    assert add_manual(con, read_manual_csv(path).rows) == 2
    assert add_manual(con, read_manual_csv(path).rows) == 0
    rows = con.execute("SELECT outlet, reach, origin FROM appearances WHERE origin = 'manual' ORDER BY outlet").fetchall()
    assert rows == [("Diario Uno", "local", "manual"), ("Radio Comunitaria X", "local", "manual")]


def test_manual_csv_problems_name_the_line_and_keep_the_good_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,outlet,medium,theme,title\n2023-03-01,X,radio,land_territory,ok\n2023-31-01,X,radio,labour,bad\n")
    found = read_manual_csv(path)
    assert [r.title for r in found.rows] == ["ok"] and found.read == 2
    assert found.problems == [Problem(3, "no_such_date", {"value": "2023-31-01"})]
    path.write_text("date,outlet,title\n")
    assert read_manual_csv(path).problems == [Problem(1, "missing_columns", {"columns": ["theme"]})]


def test_tally_files_in_both_languages(con, tmp_path):
    files = write_outputs(tally(con, 2023), 2023, tmp_path / "out")
    names = sorted(f.name for f in files)
    assert names == ["tally-2023-en.csv", "tally-2023-en.md", "tally-2023-es.csv", "tally-2023-es.md", "tally-2023.xlsx"]
    assert "Tierra y territorio" in (tmp_path / "out" / "tally-2023-es.md").read_text()
    from openpyxl import load_workbook
    sheet = load_workbook(tmp_path / "out" / "tally-2023.xlsx")["English"]
    assert [c.value for c in sheet[2]][:2] == ["Theme", "Local"]


def test_export_neutralises_formulas(con, tmp_path):
    from warehouse.export import export
    con.execute("UPDATE articles SET title = '=HYPERLINK(\"http://evil.example\")' WHERE url LIKE '%/0'")
    export(con, tmp_path / "x")
    text = (tmp_path / "x" / "appearances.csv").read_text()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    import duckdb
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'x' / 'appearances.parquet'}'").fetchone()[0] == 3


def test_full_text_search_offline(con):
    from warehouse.search import rebuild_index, search
    rebuild_index(con)
    hits = search(con, "sindicatos del cine")
    assert hits and hits[0][4] == "http://www.diariouno.example/1"


def test_all_views_answer(con):
    for view in ("appearances", "weekly_counts", "yearly_tally", "appearances_by_outlet", "process_timeline",
                 "syndication_groups", "mention_snippets", "appearance_themes"):
        con.execute(f"SELECT * FROM {view}").fetchall()
