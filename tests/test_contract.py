"""The data contract, tested like dbt tests it: on the warehouse the offline demo builds and on
tests/test_report.py's small one (a syndicated copy, an outlet not in the registry, a rejected
look-alike).

warehouse/contract.yaml is the one description of every table and view. These tests hold the
database to it: every relation and column described (both ways), the descriptions written into
the catalog (COMMENT ON), unique keys, columns never NULL, accepted values, and the counting
rules (/work/shared/spec/counting-rules.md) as invariants between the relations.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from nlp.reasons import ReasonCode
from pipelines.vocabulary import REACHES, THEMES
from warehouse import contract as contract_module
from warehouse import db as db_module
from warehouse.contract import columns, contract, lake_relations
from warehouse.db import connect, create_views, views_digest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_con(tmp_path_factory):
    out = tmp_path_factory.mktemp("contract-demo")
    db = out / "demo.ducklake"
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--db", str(db)], cwd=out,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    con = connect(db)
    yield con
    con.close()


@pytest.fixture(scope="module")
def report_con(tmp_path_factory):
    from pipelines.registry import load_registry
    from tests.conftest import REGISTRY_YAML
    from tests.test_report import build_db

    out = tmp_path_factory.mktemp("contract-report")
    (out / "sources.yaml").write_text(REGISTRY_YAML, encoding="utf-8")
    con = build_db(out / "w.ducklake", load_registry(out / "sources.yaml"))
    yield con
    con.close()


@pytest.fixture(scope="module", params=["demo", "report"])
def con(request):
    return request.getfixturevalue(f"{request.param}_con")


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()[0]


def lake_columns(con) -> dict[str, list[str]]:
    return {name: cols for name, cols in con.execute(
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = 'lake' AND schema_name = 'main' GROUP BY table_name").fetchall()}


# --- The contract describes the database, all of it -----------------------------------------

def test_every_relation_is_described_in_contract_yaml_and_every_described_one_exists(con):
    tables, views = lake_relations(con)
    undescribed = sorted((tables | views) - set(contract()))
    assert not undescribed, (f"relations in the warehouse but not in warehouse/contract.yaml: {undescribed}; "
                             f"describe each (description, columns) there: it becomes its COMMENT ON, the "
                             f"docs' column reference and the export's datapackage.json")
    gone = sorted(set(contract()) - tables - views)
    assert not gone, f"warehouse/contract.yaml describes relations the warehouse does not have: {gone}"


def test_every_column_is_described_and_every_described_column_exists(con):
    problems = []
    for relation, cols in sorted(lake_columns(con).items()):
        described = columns(relation) if relation in contract() else {}
        if missing := [c for c in cols if c not in described]:
            problems.append(f"{relation}: columns not in contract.yaml: {missing}")
        if extra := [c for c in described if c not in cols]:
            problems.append(f"{relation}: contract.yaml describes columns it does not have: {extra}")
    assert not problems, "\n".join(problems)


def test_descriptions_are_written_into_the_catalog(con):
    tables, views = lake_relations(con)
    got = dict(con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE database_name = 'lake'").fetchall())
    got |= dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE database_name = 'lake' "
                            "AND NOT internal").fetchall())
    wrong = [r for r in tables | views if got.get(r) != contract()[r]["description"]]
    assert not wrong, f"relations whose COMMENT is not contract.yaml's description: {sorted(wrong)}"
    commented = {(t, c): text for t, c, text in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = 'lake'").fetchall()}
    wrong = [(t, c) for t in tables for c, text in columns(t).items() if commented.get((t, c)) != text]
    assert not wrong, f"table columns whose COMMENT is not contract.yaml's: {sorted(wrong)}"
    assert sum(len(columns(t)) for t in tables) > 100      # the test looked at real columns


def test_ducklake_still_refuses_comments_on_view_columns(tmp_path):
    """Why view columns have no COMMENT (warehouse/contract.py). If this fails, DuckLake accepts
    them now: write them in contract.comment_statements and check them above."""
    con = connect(tmp_path / "w.ducklake")
    con.execute("BEGIN TRANSACTION")
    try:
        with pytest.raises(duckdb.Error, match="Cannot comment on columns.*not a table"):
            con.execute("COMMENT ON COLUMN appearances.url IS 'x'")
    finally:
        con.execute("ROLLBACK")
    con.close()


def test_an_edited_description_is_written_again_on_the_next_open(tmp_path, monkeypatch):
    db = tmp_path / "w.ducklake"
    connect(db).close()
    edited = tmp_path / "contract.yaml"
    text = contract_module.CONTRACT.read_text(encoding="utf-8")
    old = contract()["feed_checks"]["columns"]["entries"]
    edited.write_text(text.replace(old, "descripción corregida"), encoding="utf-8")
    before = views_digest()
    monkeypatch.setattr(contract_module, "CONTRACT", edited)
    monkeypatch.setattr("warehouse.db.CONTRACT", edited)
    contract.cache_clear()
    try:
        assert views_digest() != before
        con = connect(db)
        assert one(con, "SELECT comment FROM duckdb_columns() WHERE database_name = 'lake' AND "
                        "table_name = 'feed_checks' AND column_name = 'entries'") == "descripción corregida"
        assert not create_views(con)           # applied once, not on every open
        con.close()
    finally:
        contract.cache_clear()


def test_a_schema_change_gets_its_comments_even_when_no_view_changed(tmp_path, monkeypatch):
    """A migration can add or rebuild a table (without comments) while the views stay as they were:
    opening after it writes the comments again."""
    db = tmp_path / "w.ducklake"
    con = connect(db)
    con.execute("COMMENT ON TABLE feed_checks IS NULL")       # what a table rebuilt by a migration has
    con.close()
    migrations = tmp_path / "migrations"
    shutil.copytree(db_module.MIGRATIONS, migrations)
    (migrations / "999_test.sql").write_text("CREATE TABLE scratch_for_test (x INTEGER); "
                                             "DROP TABLE scratch_for_test;", encoding="utf-8")
    monkeypatch.setattr(db_module, "MIGRATIONS", migrations)
    con = connect(db)
    assert one(con, "SELECT comment FROM duckdb_tables() WHERE database_name = 'lake' AND table_name = 'feed_checks'") \
        == contract()["feed_checks"]["description"]
    con.close()


def test_docs_column_reference_is_generated_from_contract_yaml():
    """docs/warehouse.md renders contract.yaml with cog; CI runs the same check (.ci/run)."""
    proc = subprocess.run([sys.executable, "-m", "cogapp", "--check", "docs/warehouse.md"], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, ("docs/warehouse.md is stale: run .venv/bin/cog -r docs/warehouse.md\n"
                                  + proc.stdout + proc.stderr)


# --- Keys, NULLs, values ----------------------------------------------------------------------

UNIQUE = {
    "appearances": "url",                        # one appearance per article (canonical url), one outlet each
    "articles": "url",
    "weekly_counts": "week, theme, reach",
    "yearly_tally": "year, theme, reach",
    "appearances_by_outlet": "outlet, year",
    "process_timeline": "process, month",
    "syndication_groups": "syndication_group",
    "appearance_themes": "url, theme",
    "latest_reviews": "article_url",
    "review_articles": "url",
    "outlet_reach_periods": "outlet, valid_from",
    "outlets": "name",
    "entities": "id",
    "mentions": "article_url, seq",
    "reviews": "review_id",
    "manual_appearances": "manual_id",
    "frozen_tallies": "year",
    "frozen_appearances": "year, url",
    "silent_outlets": "outlet",
}


@pytest.mark.parametrize("relation", UNIQUE)
def test_unique_keys(con, relation):
    key = UNIQUE[relation]
    dupes = con.execute(f"SELECT {key}, count(*) FROM {relation} GROUP BY ALL HAVING count(*) > 1 LIMIT 5").fetchall()
    assert not dupes, f"{relation} has more than one row per ({key}): {dupes}"


NOT_NULL = {
    "appearances": "url, outlet, reach, published_date, theme, decided_by, origin",
    "weekly_counts": "week, theme, reach, appearances",
    "yearly_tally": "year, theme, reach, appearances",
    "appearance_themes": "url, outlet, reach, published_date, theme, is_primary",
    "articles": "url, url_key, outlet, domain, published_date, date_source, first_seen",
    "mentions": "article_url, entity_id, field, start_char, end_char, matched, accepted",
    "mention_snippets": "article_url, entity_id, matched, accepted",
    "outlets": "name, reach, in_registry",
    "outlet_reach_periods": "outlet, reach, valid_from, valid_until",
    "entities": "id, name",
}


@pytest.mark.parametrize("relation", NOT_NULL)
def test_not_null_columns(con, relation):
    for column in NOT_NULL[relation].split(", "):
        assert one(con, f"SELECT count(*) FROM {relation} WHERE {column} IS NULL") == 0, f"{relation}.{column} is NULL"


ACCEPTED = [
    ("appearances", "theme", THEMES), ("appearances", "reach", REACHES),
    ("appearances", "origin", ("crawled", "manual")), ("appearances", "decided_by", ("tagger", "review", "person")),
    ("weekly_counts", "theme", THEMES), ("weekly_counts", "reach", REACHES),
    ("yearly_tally", "theme", THEMES), ("yearly_tally", "reach", REACHES),
    ("appearance_themes", "theme", THEMES), ("appearance_themes", "reach", REACHES),
    ("articles", "theme", THEMES), ("outlets", "reach", REACHES), ("outlet_reach_periods", "reach", REACHES),
    ("mentions", "reason_code", tuple(c.value for c in ReasonCode)),
    ("mention_snippets", "reason_code", tuple(c.value for c in ReasonCode)),
    ("mentions", "field", ("title", "text", "author")),
    ("reviews", "decision", ("confirm", "reject", "duplicate", "undo")),
    ("review_articles", "tab", ("new", "rejected", "reviewed")),
]


@pytest.mark.parametrize("relation, column, values", ACCEPTED, ids=[f"{r}.{c}" for r, c, _ in ACCEPTED])
def test_accepted_values(con, relation, column, values):
    found = {r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM {relation} WHERE {column} IS NOT NULL").fetchall()}
    assert found <= set(values), f"{relation}.{column} has values outside {values}: {found - set(values)}"


def test_the_warehouses_are_not_empty_so_the_tests_above_tested_something(con):
    assert one(con, "SELECT count(*) FROM appearances") >= 5
    assert one(con, "SELECT count(DISTINCT reason_code) FROM mentions") >= 2
    assert one(con, "SELECT count(DISTINCT theme) FROM appearances") >= 2


# --- The counting rules as invariants ---------------------------------------------------------

def test_weekly_counts_and_yearly_tally_count_the_same_appearances(con):
    """Same appearances, grouped two ways: per theme and reach, the totals agree with each other and with
    the rows of `appearances` (an ISO week can straddle two years; the totals cannot differ)."""
    per_row = dict(((t, r), n) for t, r, n in con.execute(
        "SELECT theme, reach, count(*) FROM appearances GROUP BY ALL").fetchall())
    weekly = dict(((t, r), n) for t, r, n in con.execute(
        "SELECT theme, reach, sum(appearances) FROM weekly_counts GROUP BY ALL").fetchall())
    yearly = dict(((t, r), n) for t, r, n in con.execute(
        "SELECT theme, reach, sum(appearances) FROM yearly_tally GROUP BY ALL").fetchall())
    assert per_row and weekly == per_row and yearly == per_row


def test_years_and_weeks_are_those_of_the_mexico_city_publication_date(con):
    assert one(con, """SELECT count(*) FROM (
        SELECT year(published_date) AS year, theme, reach, count(*) AS n FROM appearances GROUP BY ALL) AS a
        FULL JOIN yearly_tally AS y USING (year, theme, reach)
        WHERE a.n IS DISTINCT FROM y.appearances""") == 0
    assert one(con, """SELECT count(*) FROM (
        SELECT strftime(published_date, '%G-W%V') AS week, theme, reach, count(*) AS n FROM appearances GROUP BY ALL) AS a
        FULL JOIN weekly_counts AS w USING (week, theme, reach)
        WHERE a.n IS DISTINCT FROM w.appearances""") == 0


def test_dates_are_mexico_city_days(con):
    """An article that states its time is dated by the Mexico City calendar day of that instant,
    whatever the session's time zone."""
    assert con.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "America/Mexico_City"
    wrong = con.execute("""SELECT url, published_at, published_date FROM articles
        WHERE published_at IS NOT NULL
          AND published_date <> CAST(timezone('America/Mexico_City', published_at) AS DATE) LIMIT 5""").fetchall()
    assert not wrong, wrong


def test_the_demo_states_times_so_the_date_test_checked_something(demo_con):
    assert one(demo_con, "SELECT count(*) FROM articles WHERE published_at IS NOT NULL") >= 10


def test_a_syndicated_story_counts_once_per_outlet(con):
    """Copies of one story by different outlets are one appearance each, linked by syndication_group."""
    twice = con.execute("""SELECT syndication_group, outlet, count(*) FROM appearances
        WHERE syndication_group IS NOT NULL GROUP BY ALL HAVING count(*) > 1""").fetchall()
    assert not twice, twice
    for group, copies, outlets, urls in con.execute(
            "SELECT syndication_group, copies, outlets, urls FROM syndication_groups").fetchall():
        assert copies == len(urls) == len(outlets) >= 2 and group in urls


def test_report_warehouse_has_its_syndicated_copy_counted_at_each_outlet(report_con):
    rows = report_con.execute("""SELECT outlet FROM appearances WHERE syndication_group IS NOT NULL
        OR url IN (SELECT syndication_group FROM syndication_groups) ORDER BY outlet""").fetchall()
    assert [r[0] for r in rows] == ["Diario Uno", "Nacional Dos"]


def test_reach_is_the_outlets_reach_on_the_publication_date(con):
    assert one(con, """SELECT count(*) FROM appearances AS a
        LEFT JOIN outlet_reach_periods AS p ON p.outlet = a.outlet AND a.published_date BETWEEN p.valid_from AND p.valid_until
        WHERE a.origin = 'crawled' AND a.reach <> coalesce(p.reach, 'unclassified')""") == 0


def test_one_primary_theme_per_appearance_and_it_is_the_counted_one(con):
    assert one(con, """SELECT count(*) FROM appearances AS a
        LEFT JOIN (SELECT url, count(*) AS n, any_value(theme) AS theme FROM appearance_themes
                   WHERE is_primary GROUP BY url) AS t USING (url)
        WHERE t.n IS DISTINCT FROM 1 OR t.theme <> a.theme""") == 0
    assert one(con, "SELECT count(DISTINCT url) FROM appearance_themes") == one(con, "SELECT count(*) FROM appearances")


def test_people_decide_over_the_tagger(con):
    """A rejected or duplicate article never counts; a confirmed one always does; every crawled
    appearance is a stored article."""
    assert one(con, """SELECT count(*) FROM latest_reviews AS r JOIN appearances AS a ON a.url = r.article_url
        WHERE r.decision IN ('reject', 'duplicate')""") == 0
    assert one(con, """SELECT count(*) FROM latest_reviews AS r LEFT JOIN appearances AS a ON a.url = r.article_url
        WHERE r.decision = 'confirm' AND a.url IS NULL""") == 0
    assert one(con, """SELECT count(*) FROM appearances WHERE origin = 'crawled'
        AND url NOT IN (SELECT url FROM articles)""") == 0


def test_per_outlet_and_per_process_views_add_up_to_the_tally(con):
    total = one(con, "SELECT count(*) FROM appearances")
    assert one(con, "SELECT sum(appearances) FROM appearances_by_outlet") == total
    assert one(con, "SELECT count(*) FROM appearances_by_outlet WHERE "
                    "appearances <> land_territory + labour + defenders + institutional") == 0
    assert one(con, "SELECT sum(appearances) FROM process_timeline") == total
    assert one(con, "SELECT count(*) FROM process_timeline WHERE "
                    "appearances <> local + national + international + unclassified") == 0
    assert one(con, "SELECT count(*) FROM review_articles WHERE counted") == \
        one(con, "SELECT count(*) FROM appearances WHERE origin = 'crawled'")


def test_column_descriptions_gives_every_column_of_every_relation_its_description(con):
    """The dictionary view stands in for the comments DuckLake refuses on view columns: every
    column of every lake relation, views included, has its contract.yaml text there."""
    tables, views = lake_relations(con)
    got = {(r, c): d for r, c, d in con.execute(
        "SELECT relation_name, column_name, description FROM column_descriptions").fetchall()}
    actual = {(v, name) for v in views for name, *_ in con.execute(f'DESCRIBE "{v}"').fetchall()}
    actual |= {(t, name) for t, name in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'lake'").fetchall()}
    missing = sorted(k for k in actual if not got.get(k))
    assert not missing, f"columns without a row in column_descriptions: {missing[:10]}"
    assert got[("appearances", "url")] == columns("appearances")["url"]
    assert len({r for r, _ in actual} & views) > 10     # views' columns were really looked at
