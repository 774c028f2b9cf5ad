"""`prodesc-monitor search`: every word by default, quoted phrases, filters, snippets, CSV, and each
article stemmed in its own language (warehouse/search.py), on a small real warehouse and index."""
import csv
import os
import io
from datetime import date

import pytest

from flows.cli import main
from pipelines.records import Tagged
from tests.test_warehouse import FakeTags, article
from warehouse.db import connect
from warehouse.load import load_batch, load_outlets
from warehouse.search import IndexState, index_state, parse_query, rebuild_due, rebuild_index, refresh_index, search

PHRASE = "http://www.diariouno.example/union-hidalgo"        # the phrase itself, an appearance about the case
SCATTERED = "http://nacionaldos.example/hidalgo-union"        # both words, apart; not an appearance; 2024
HIDALGO = "http://www.diariouno.example/hidalgo"              # one of the two words only
ENGLISH = "http://nacionaldos.example/wind-farm"              # English: found by an English inflection


@pytest.fixture
def db(tmp_path, registry):
    path = tmp_path / "monitor.ducklake"
    con = connect(path)
    load_outlets(con, registry, set())
    batch = [
        Tagged(article(PHRASE, text="Las comunidades zapotecas de Unión Hidalgo, Oaxaca, defienden sus tierras "
                                    "frente al parque eólico de EDF, dijo ProDESC. " * 3,
                       fingerprint="0000000000000001"),
               FakeTags(theme="land_territory", process="unionhidalgo")),
        Tagged(article(SCATTERED, outlet="Nacional Dos", day=date(2024, 3, 4),
                       text="En Hidalgo, la unión de productores de cebada pidió apoyo al gobierno estatal. " * 3,
                       fingerprint="00000000ffff0000"),
               FakeTags(is_appearance=False, theme=None)),
        Tagged(article(HIDALGO, day=date(2023, 8, 1), text="El gobierno de Hidalgo anunció obras. " * 5,
                       fingerprint="ffff000000000000"),
               FakeTags(is_appearance=False, theme=None)),
        Tagged(article(ENGLISH, outlet="Nacional Dos", day=date(2023, 9, 1),
                       text="Workers are organizing at the wind farm, ProDESC said. " * 3,
                       fingerprint="0f0f0f0f0f0f0f0f"),
               FakeTags(theme="labour", language="en")),
    ]
    load_batch(con, batch, {}, [], "run", "kb1")
    for url, title in ((PHRASE, "Unión Hidalgo frente a EDF"), (SCATTERED, "Productores de Hidalgo"),
                       (HIDALGO, "Obras en Hidalgo"), (ENGLISH, "=Wind farm workers")):
        con.execute("UPDATE articles SET title = ? WHERE url = ?", [title, url])
    rebuild_index(con)
    con.close()
    return path


@pytest.fixture
def con(db):
    c = connect(db, read_only=True)
    yield c
    c.close()


def urls(hits):
    return [h.url for h in hits]


def test_a_query_is_words_and_quoted_phrases():
    q = parse_query('"Unión  Hidalgo" eólico “parque eólico”')
    assert q.words == ("Unión", "Hidalgo", "eólico", "parque", "eólico")
    assert q.phrases == ("Unión Hidalgo", "parque eólico")
    assert parse_query('"sin cerrar').phrases == ("sin cerrar",)


def test_every_word_must_be_present(con):
    assert set(urls(search(con, "union hidalgo"))) == {PHRASE, SCATTERED}     # never HIDALGO: one word only
    assert urls(search(con, "hidalgo cebada")) == [SCATTERED]
    assert search(con, "hidalgo nadaquever") == []


def test_a_quoted_phrase_must_appear_as_written_accents_and_case_aside(con):
    assert urls(search(con, '"union hidalgo"')) == [PHRASE]
    assert urls(search(con, '"UNIÓN HIDALGO" eólico')) == [PHRASE]
    assert search(con, '"hidalgo union"') == []                                # the order counts


def test_filters(con):
    assert urls(search(con, "union hidalgo", appearances=True)) == [PHRASE]
    assert urls(search(con, "union hidalgo", year=2024)) == [SCATTERED]
    assert urls(search(con, "union hidalgo", outlet="nacional")) == [SCATTERED]
    assert urls(search(con, "union hidalgo", outlet="DIARIO UNO")) == [PHRASE]
    assert urls(search(con, "hidalgo", case="unionhidalgo")) == [PHRASE]
    assert search(con, "hidalgo", year=2022) == []


def test_each_article_is_stemmed_in_its_own_language(con):
    # English stemming makes "organized" and "organizing" one word; the Spanish stemmer does not,
    # so before per-language indexes this English article could not be found this way.
    spanish = {con.execute("SELECT stem(?, 'spanish')", [w]).fetchone()[0] for w in ("organized", "organizing")}
    assert len(spanish) == 2
    hits = search(con, "organized workers")
    assert urls(hits) == [ENGLISH] and hits[0].language == "en"
    assert "**organizing**" in hits[0].snippet and "**Workers**" in hits[0].snippet


def test_snippets_mark_the_words_and_the_phrase(con):
    hit = search(con, '"union hidalgo"')[0]
    assert hit.snippet.startswith("Las comunidades zapotecas de **Unión Hidalgo**, Oaxaca")
    assert hit.snippet.endswith("…") and len(hit.snippet) < 300
    words = {h.url: h.snippet for h in search(con, "tierra hidalgo")}
    assert "**Hidalgo**" in words[PHRASE] and "**tierras**" in words[PHRASE]     # a plural, by its stem
    assert search(con, '"union hidalgo"')[0].is_appearance
    assert not search(con, "cebada")[0].is_appearance


def test_cli_table_is_in_spanish_best_first(db, capsys):
    assert main(["search", "--db", str(db), '"union hidalgo"']) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 artículo con «\"union hidalgo\"»:")
    assert " 1. [" in out and "02/05/2023  Diario Uno" in out and PHRASE in out and "**Unión Hidalgo**" in out
    assert main(["search", "--db", str(db), "union", "hidalgo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 artículos con «union hidalgo»:") and "(no es una aparición)" in out
    assert main(["search", "--db", str(db), "--case", "Unión Hidalgo", "hidalgo"]) == 0
    assert capsys.readouterr().out.startswith("1 artículo")
    assert main(["search", "--db", str(db), "nadaquever"]) == 0
    assert capsys.readouterr().out.strip() == "Ningún artículo tiene todas las palabras de «nadaquever»."


def test_cli_csv_has_a_bom_marks_and_defused_cells(db, capsys):
    assert main(["search", "--db", str(db), "--format", "csv", "wind", "farm"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert rows[0] == ["puntaje", "fecha", "medio", "título", "enlace", "aparición", "idioma", "fragmento"]
    assert len(rows) == 2
    score, day, outlet, title, url, counted, language, snippet = rows[1]
    assert float(score) > 0 and day == "2023-09-01" and outlet == "Nacional Dos" and url == ENGLISH
    assert title == "'=Wind farm workers" and counted == "sí" and language == "en"
    assert "the **wind** **farm**" in snippet


def test_cli_unknown_case_says_which_exist(db, capsys):
    assert main(["search", "--db", str(db), "--case", "no existe", "hidalgo"]) == 2
    assert "unionhidalgo" in capsys.readouterr().err


def test_cli_prints_the_extension_path_for_plain_duckdb(capsys):
    from pathlib import Path
    assert main(["search", "--extension-path"]) == 0
    path = capsys.readouterr().out.strip()
    assert path.endswith("fts.duckdb_extension") and Path(path).is_file()


# ------------------------------------------------------------------ issue 18: the index rebuilt past a threshold

NEW = "http://www.diariouno.example/jornaleros"                # loaded after the index was built


def load_new(path, text="Los jornaleros de San Quintín, en Baja California, marcharon por salarios dignos. " * 3):
    con = connect(path)
    load_batch(con, [Tagged(article(NEW, day=date(2025, 2, 3), text=text, fingerprint="1234123412341234"),
                            FakeTags(is_appearance=False, theme=None))], {}, [], "run2", "kb1")
    return con


def test_when_a_load_rebuilds_the_index():
    assert not rebuild_due(IndexState(indexed=0, behind=0))                    # nothing stored
    assert rebuild_due(IndexState(indexed=0, behind=3))                        # no index yet: always
    assert not rebuild_due(IndexState(indexed=4, behind=1_999))                # a young warehouse: 2,000 at least
    assert rebuild_due(IndexState(indexed=4, behind=2_000))
    assert not rebuild_due(IndexState(indexed=100_000, behind=9_999))          # then a tenth of what is indexed
    assert rebuild_due(IndexState(indexed=100_000, behind=10_000))
    assert rebuild_due(IndexState(indexed=3_000_000, behind=20_000))           # at most 20,000 behind
    assert not rebuild_due(IndexState(indexed=3_000_000, behind=19_999))


def test_a_small_load_leaves_the_index_and_search_still_finds_what_it_loaded(db):
    con = load_new(db)
    try:
        assert refresh_index(con) is None                                      # 1 new article: not rebuilt
        assert index_state(con) == IndexState(indexed=4, behind=1)
        hits = search(con, "jornaleros quintin")                               # accents and case aside
        assert urls(hits) == [NEW] and hits[0].score == 0.0
        assert "**jornaleros**" in hits[0].snippet and "**Quintín**" in hits[0].snippet
        assert urls(search(con, '"san quintin" salarios', year=2025)) == [NEW]   # phrases and filters as well
        assert search(con, "jornaleros", year=2024) == [] and search(con, "jornaleros", appearances=True) == []
        assert search(con, '"quintin san"') == [] and search(con, "jornaleros oaxaca") == []
        # the ranked hits of the index first, then the articles not indexed yet
        con.execute("UPDATE articles SET main_text = main_text || ' Llegaron desde Hidalgo.' WHERE url = ?", [NEW])
        assert urls(search(con, "hidalgo"))[-1] == NEW and search(con, "hidalgo")[0].score > 0
    finally:
        con.close()


def test_past_the_threshold_or_at_night_the_index_is_rebuilt(db, monkeypatch):
    from flows.steps import refresh_search_index
    import warehouse.search as search_module

    load_new(db).close()
    assert refresh_search_index(db, force=False) == {"rebuilt": False, "indexed": 4, "behind": 1, "added": 0}
    assert refresh_search_index(db) == {"rebuilt": True, "indexed": 5, "behind": 0, "added": 1}   # the nightly run
    con = connect(db)
    try:
        assert search(con, "jornaleros")[0].score > 0                          # ranked by the index now
        monkeypatch.setattr(search_module, "REBUILD_AT_LEAST", 1)
        con.execute("UPDATE articles SET url = url || '?v=2', url_key = url_key || '-2' WHERE url = ?", [NEW])
        assert refresh_index(con) == IndexState(indexed=5, behind=1)           # past the (lowered) threshold
        assert index_state(con) == IndexState(indexed=5, behind=0)
    finally:
        con.close()


def test_a_killed_builds_leftovers_are_removed_its_spill_folder_too(tmp_path):
    """kill -9 during a rebuild leaves the temporary index, its WAL and, when the build's word table
    did not fit in memory, DuckDB's spill folder `<temporary index>.tmp`: the next rebuild removes
    all three (a folder made the removal fail on `unlink`)."""
    import subprocess
    import sys

    from warehouse.search import _remove_dead_builds

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    final = tmp_path / "monitor.ducklake.search.duckdb"
    build = tmp_path / f"{final.name}.{dead}-0a1b2c3d.tmp"
    build.write_bytes(b"x")
    build.with_name(build.name + ".wal").write_bytes(b"x")
    spill = build.with_name(build.name + ".tmp")
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"x")
    alive = tmp_path / f"{final.name}.{os.getpid()}-0a1b2c3d.tmp"   # this process's own build stays
    alive.write_bytes(b"x")
    _remove_dead_builds(final)
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name]


def test_words_are_found_beside_spanish_punctuation_and_curly_quotes(db):
    """The fts extension split words only at ASCII punctuation: "¡Justicia!" was indexed as
    "¡justicia" and “ProDESC” as "“prodesc”", so a search for justicia or prodesc missed them.
    The index now splits at every punctuation mark and symbol (warehouse.ftsindex.FTS_OPTIONS)."""
    con = load_new(db, text="¡Justicia para los jornaleros! —dijeron— con “ProDESC” y «Tierra»… ¿Hasta cuándo? " * 3)
    try:
        rebuild_index(con)
        assert index_state(con) == IndexState(indexed=5, behind=0)        # found through the index
        for word in ("justicia", "prodesc", "tierra", "dijeron", "cuando"):
            scores = {h.url: h.score for h in search(con, word)}
            assert scores.get(NEW, 0) > 0, word
    finally:
        con.close()
