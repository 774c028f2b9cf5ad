"""The warehouse on a temporary file: migrations, idempotent loads, views and the tally."""
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from pipelines.records import Article, Tagged
from warehouse.db import connect, pending
from warehouse.load import load_batch, load_outlets
from warehouse.tally import format_table, tally


@dataclass(frozen=True)
class FakeMention:
    entity_id: str = "prodesc"; entity_kind: str = "organisation"; theme: str = "institutional"
    field: str = "text"; start: int = 0; end: int = 7; matched: str = "ProDESC"; snippet: str = "ProDESC dijo"
    accepted: bool = True; reason: str = "unambiguous name"
    code: str = "unambiguous_name"; reason_es: str = "nombre inequívoco"


@dataclass(frozen=True)
class FakeTags:
    """Stands in for the tagger's verdict: the warehouse must not depend on spaCy."""
    is_appearance: bool = True
    theme: str | None = "institutional"
    process: str | None = None
    language: str = "es"
    secondary_themes: tuple = ()
    mentions: tuple = (FakeMention(),)


def article(url, outlet="Diario Uno", day=date(2023, 5, 2), text="ProDESC dijo algo. " * 30, source="metadata",
            fingerprint="f03c2639bb304327"):
    return Article(url=url, url_key=url.split("://", 1)[1].rstrip("/"), fetched_url=url, outlet=outlet,
                   domain=url.split("/")[2], title="t", author=None, text=text, published_at=None,
                   published_date=day, date_source=source, discovered_via="feed", source_url="f",
                   fetched_at=datetime(2026, 11, 28, tzinfo=timezone.utc), fingerprint=fingerprint, raw_sha1=url)


@pytest.fixture
def con(tmp_path, registry):
    c = connect(tmp_path / "w.ducklake")
    load_outlets(c, registry, {"la-lista.example"})
    yield c
    c.close()


def test_migrations_recorded_and_reopen_is_a_no_op(tmp_path):
    path = tmp_path / "m.ducklake"
    connect(path).close()
    c = connect(path)
    assert pending(c) == []
    assert c.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] >= 1
    c.close()


def test_a_mentions_reason_is_stored_as_code_and_in_both_languages(con):
    from warehouse.load import apply_tags

    url = "http://www.diariouno.example/a"
    rejected = FakeMention(matched="Oxxo", accepted=False, reason="look-alike: tourism (turistas) (score -2 < 2)",
                           code="lookalike_context", reason_es="homónimo: turismo (turistas) (puntaje -2 < 2)")
    load_batch(con, [Tagged(article(url), FakeTags(mentions=(FakeMention(), rejected)))], {}, [], "run", "kb1")
    stored = con.execute("SELECT reason, reason_code, reason_es FROM mentions ORDER BY seq").fetchall()
    assert stored == [("unambiguous name", "unambiguous_name", "nombre inequívoco"),
                      ("look-alike: tourism (turistas) (score -2 < 2)", "lookalike_context",
                       "homónimo: turismo (turistas) (puntaje -2 < 2)")]
    assert con.execute("SELECT reason_code, reason_es FROM mention_snippets WHERE NOT accepted").fetchall() == [
        ("lookalike_context", "homónimo: turismo (turistas) (puntaje -2 < 2)")]
    # a retag writes them too
    retagged = FakeMention(reason="same organisation named unambiguously (ProDESC)", code="same_entity",
                           reason_es="la misma organización nombrada sin ambigüedad (ProDESC)")
    apply_tags(con, [(url, FakeTags(mentions=(retagged,)))], "kb2")
    assert con.execute("SELECT reason_code, reason_es FROM mentions").fetchall() == [
        ("same_entity", "la misma organización nombrada sin ambigüedad (ProDESC)")]


def test_every_reason_code_is_in_the_analysts_data_dictionary():
    from pathlib import Path

    from nlp.reasons import ACCEPTED_CODES, ReasonCode

    doc = (Path(__file__).resolve().parents[1] / "docs" / "warehouse.md").read_text(encoding="utf-8")
    for code in ReasonCode:
        accepted = "yes" if code in ACCEPTED_CODES else "no"
        assert f"| `{code.value}` | {accepted} |" in doc, code


# Legacy migration 005's derivation of reason codes for old mentions: tests/test_migrate.py.


def test_loads_are_idempotent_and_views_count(con):
    batch = [Tagged(article("http://www.diariouno.example/a"), FakeTags()),
             Tagged(article("http://nacionaldos.example/b", outlet="Nacional Dos", fingerprint="0000000000000000"),
                    FakeTags(theme="labour", process="uja")),
             Tagged(article("http://la-lista.example/c", outlet="la-lista.example", day=date(2026, 11, 17),
                            fingerprint="ffffffffffffffff"), FakeTags()),
             Tagged(article("http://www.diariouno.example/d", day=date(2023, 6, 1), fingerprint="1234123412341234"),
                    FakeTags(is_appearance=False, theme=None, mentions=()))]
    for _ in range(2):
        load_batch(con, batch, {}, [], "run", "kb1")
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == 3
    rows = con.execute("SELECT theme, reach, appearances FROM yearly_tally WHERE year = 2023 ORDER BY ALL").fetchall()
    assert rows == [("institutional", "local", 1), ("labour", "national", 1)]
    assert con.execute("SELECT week, reach FROM weekly_counts WHERE week LIKE '2026%'").fetchall() == [
        ("2026-W47", "unclassified")]
    table = tally(con, 2023)
    assert table["labour"]["national"] == 1 and table["defenders"]["local"] == 0
    assert "2 apariciones" in format_table(table, 2023)


def test_url_variants_merge_into_one_row(con):
    load_batch(con, [Tagged(article("http://www.diariouno.example/a"), FakeTags())], {}, [], "r1", "kb1")
    load_batch(con, [Tagged(article("https://www.diariouno.example/a/"), FakeTags())], {}, [], "r2", "kb1")
    assert con.execute("SELECT url FROM articles").fetchall() == [("http://www.diariouno.example/a",)]


def test_first_seen_date_never_moves_forward(con):
    a1 = article("http://www.diariouno.example/a", day=date(2026, 11, 1), source="first_seen")
    load_batch(con, [Tagged(a1, FakeTags())], {}, [], "r1", "kb1")
    a2 = article("http://www.diariouno.example/a", day=date(2026, 11, 9), source="first_seen")
    load_batch(con, [Tagged(a2, FakeTags())], {}, [], "r2", "kb1")
    assert con.execute("SELECT published_date FROM articles").fetchone()[0] == date(2026, 11, 1)


def test_syndicated_copies_are_two_appearances_in_one_group(con):
    text = "Comuneros de la comunidad exigen reconocimiento de sus tierras ante el tribunal agrario. " * 10
    a = article("http://www.diariouno.example/a", text=text, day=date(2023, 7, 13))
    b = article("http://nacionaldos.example/b", outlet="Nacional Dos", text=text, day=date(2023, 7, 14))
    from trafilatura.deduplication import Simhash
    fp = Simhash(text).to_hex()
    from dataclasses import replace
    load_batch(con, [Tagged(replace(a, fingerprint=fp), FakeTags()), Tagged(replace(b, fingerprint=fp), FakeTags())],
               {}, [], "r", "kb1")
    groups = con.execute("SELECT syndication_group, count(*) FROM appearances GROUP BY ALL").fetchall()
    assert groups == [("http://www.diariouno.example/a", 2)]


def test_a_catalog_held_by_another_program_makes_writes_wait_then_explain_and_reads_go_on(tmp_path, monkeypatch):
    import multiprocessing

    import warehouse.db
    from holders import hold_catalog
    from pipelines.errors import DatabaseLocked
    path = tmp_path / "locked.ducklake"
    connect(path).close()
    monkeypatch.setattr(warehouse.db, "WRITE_PATIENCE_S", 2)
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=hold_catalog, args=(str(path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        reader = connect(path, read_only=True, wait_seconds=2)
        assert reader.execute("SELECT count(*) FROM appearances").fetchone() == (0,)
        reader.close()
        writer = connect(path, wait_seconds=2, say=lambda m: None)
        with pytest.raises(DatabaseLocked, match="siguió ocupado"):
            load_batch(writer, [Tagged(article("http://www.diariouno.example/a"), FakeTags())], {}, [], "r", "kb")
        writer.close()
    finally:
        release.set()
        holder.join(30)
    c = connect(path, wait_seconds=10)
    load_batch(c, [Tagged(article("http://www.diariouno.example/a"), FakeTags())], {}, [], "r", "kb")
    assert c.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    c.close()


def test_reach_change_applies_from_today_never_to_the_past(tmp_path, registry_file):
    from pipelines.registry import load_registry
    c = connect(tmp_path / "r.ducklake")
    load_outlets(c, load_registry(registry_file))
    load_batch(c, [Tagged(article("http://www.diariouno.example/a", day=date(2023, 5, 2)), FakeTags())], {}, [], "r", "kb")
    registry_file.write_text(registry_file.read_text().replace("reach: local", "reach: national", 1))
    load_outlets(c, load_registry(registry_file))
    load_batch(c, [Tagged(article("http://www.diariouno.example/new", day=date.today().replace(year=date.today().year + 1),
                                  fingerprint="0f0f0f0f0f0f0f0f"), FakeTags())], {}, [], "r2", "kb")
    rows = c.execute("SELECT url, reach FROM appearances ORDER BY url").fetchall()
    assert rows == [("http://www.diariouno.example/a", "local"), ("http://www.diariouno.example/new", "national")]


def test_site_added_to_registry_is_classified_for_its_whole_past(tmp_path, registry_file):
    from pipelines.registry import load_registry
    c = connect(tmp_path / "u.ducklake")
    load_outlets(c, load_registry(registry_file), {"la-lista.example"})
    load_batch(c, [Tagged(article("http://la-lista.example/c", outlet="la-lista.example"), FakeTags())], {}, [], "r", "kb")
    assert c.execute("SELECT outlet, reach FROM appearances").fetchall() == [("la-lista.example", "unclassified")]
    registry_file.write_text(registry_file.read_text().replace(
        "discovery:", "  - name: La Lista\n    domains: [la-lista.example]\n    reach: national\ndiscovery:"))
    load_outlets(c, load_registry(registry_file))
    assert c.execute("SELECT outlet, reach FROM appearances").fetchall() == [("La Lista", "national")]


def test_syndication_groups_grow_across_batches_and_take_the_earliest_copy(con, tmp_path):
    from dataclasses import replace

    from trafilatura.deduplication import Simhash
    text = "La comunidad zapoteca presentó una demanda en París contra la empresa del parque eólico. " * 8
    fp = Simhash(text).to_hex()
    later = replace(article("http://nacionaldos.example/b", outlet="Nacional Dos", text=text, day=date(2023, 7, 14)),
                    fingerprint=fp)
    earlier = replace(article("http://www.diariouno.example/a", text=text, day=date(2023, 7, 13)), fingerprint=fp)
    third = replace(article("http://la-lista.example/c", outlet="la-lista.example", text=text, day=date(2023, 7, 15)),
                    fingerprint=fp)
    load_batch(con, [Tagged(later, FakeTags())], {}, [], "r1", "kb")
    assert con.execute("SELECT syndication_group FROM articles").fetchall() == [(None,)]   # alone: no group
    load_batch(con, [Tagged(earlier, FakeTags())], {}, [], "r2", "kb")
    load_batch(con, [Tagged(third, FakeTags())], {}, [], "r3", "kb")
    groups = dict(con.execute("SELECT url, syndication_group FROM articles").fetchall())
    assert set(groups.values()) == {"http://www.diariouno.example/a"} and len(groups) == 3


def test_a_connection_held_open_reads_on_after_another_process_compacts(tmp_path):
    """An analyst's open session (or the desk) and a crawl's load in another process: the load's
    compaction must not break the open connection. Flushing inlined rows would ("Failed to read
    inlined data"); the routine compaction merges files only."""
    import subprocess
    import sys

    from nlp.kb import entity_rows, load_kb
    from warehouse.db import connect
    from warehouse.load import load_entities

    db = tmp_path / "held.ducklake"
    con = connect(db)
    try:
        load_entities(con, entity_rows(load_kb()))
        con.execute("INSERT INTO frozen_tallies (year, frozen_at, frozen_by, total) VALUES (2020, now(), 'x', 1)")
        before = con.execute("SELECT count(*) FROM entities").fetchone()[0] + \
            con.execute("SELECT count(*) FROM frozen_tallies").fetchone()[0]
        script = ("from warehouse.db import compact, connect\n"
                  f"c = connect({str(db)!r}); print(compact(c)); c.close()")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "'rows_flushed': 0" in done.stdout
        after = con.execute("SELECT count(*) FROM entities").fetchone()[0] + \
            con.execute("SELECT count(*) FROM frozen_tallies").fetchone()[0]
        assert after == before
    finally:
        con.close()


def test_raw_pages_keep_the_staged_compression_and_compress_only_what_has_none(con):
    """A page read from a staged file carries its body gzip-compressed (`body_gz`): stored as it
    is, not compressed again by the loading process. A page without one is compressed here."""
    import gzip

    from pipelines.records import FetchedPage
    from pipelines.staging import decode_page, encode_page

    def page(url, body):
        return FetchedPage(url=url, final_url=url, status=200, content_type="text/html", body=body,
                           discovered_via="feed", source_url="f", listed_at=None, listed_title=None,
                           fetched_at="2026-11-28T12:00:00+00:00")

    staged = decode_page(encode_page(page("http://www.diariouno.example/a", b"<p>staged</p>" * 50)))
    assert staged.body_gz is not None and gzip.decompress(staged.body_gz) == staged.body
    fresh = page("http://www.diariouno.example/b", b"<p>fresh</p>" * 50)
    pages = {staged.url: staged, fresh.url: fresh}    # raw_sha1 is the URL in `article()`
    load_batch(con, [Tagged(article(url), FakeTags()) for url in pages], pages, [], "run", "kb1")
    stored = dict(con.execute("SELECT sha1, body_gz FROM raw_pages").fetchall())
    assert stored[staged.url] == staged.body_gz
    assert gzip.decompress(stored[fresh.url]) == fresh.body
