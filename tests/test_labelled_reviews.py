"""The review desk's decisions as training labels (flows.labelled.from_reviews), on the small
database test_review.py uses, with decisions recorded through the desk's own functions."""
from __future__ import annotations

import duckdb

from warehouse.db import connect as open_warehouse
import pytest

from tests.test_report import URLS, build_db


@pytest.fixture
def db(tmp_path, registry):
    """A closed database file with decisions taken as the desk takes them."""
    from warehouse.reviews import record_decision

    path = tmp_path / "desk.ducklake"
    con = build_db(path, registry)
    try:
        record_decision(con, URLS["land"], "reject", "Ana", note="habla de otra organización")
        record_decision(con, URLS["labour"], "confirm", "Ana")                           # tagger's theme kept
        record_decision(con, URLS["xss"], "confirm", "Beto", theme="defenders")           # theme corrected
        record_decision(con, URLS["rejected"], "confirm", "Ana", theme="land_territory")  # the tagger missed it...
        record_decision(con, URLS["rejected"], "reject", "Beto")                          # ...no: the latest wins
        record_decision(con, URLS["labour_copy"], "duplicate", "Ana", duplicate_of=URLS["labour"])
    finally:
        con.close()
    return path


def _stored(path, url) -> tuple:
    con = open_warehouse(path, read_only=True)
    try:
        return con.execute("SELECT title, main_text, author, process FROM articles WHERE url = ?", [url]).fetchone()
    finally:
        con.close()


def test_confirmed_and_rejected_articles_become_labels(db):
    from flows.labelled import LabelledArticle, from_reviews

    labels = {l.url: l for l in from_reviews(db)}
    assert set(labels) == {URLS["land"], URLS["labour"], URLS["xss"], URLS["rejected"]}   # no duplicate
    assert all(isinstance(l, LabelledArticle) and l.source == "reviews" for l in labels.values())

    title, text, author, process = _stored(db, URLS["labour"])
    assert labels[URLS["labour"]] == LabelledArticle("reviews", URLS["labour"], title, text, author,
                                                     True, "labour", "uja")
    assert process == "uja" and text.startswith("Jornaleros agrícolas de Sinaloa")

    assert labels[URLS["xss"]].counted and labels[URLS["xss"]].theme == "defenders"      # the correction
    assert labels[URLS["xss"]].title.startswith("<script>")                               # stored as is

    land = labels[URLS["land"]]
    assert (land.counted, land.theme, land.process) == (False, None, None)
    assert land.title == "Ejido presenta amparo contra granja" and "ProDESC" in land.text

    assert (labels[URLS["rejected"]].counted, labels[URLS["rejected"]].theme) == (False, None)


def test_a_later_confirmation_overrides_a_rejection(db):
    from flows.labelled import from_reviews
    from warehouse.db import connect
    from warehouse.reviews import record_decision

    con = connect(db)
    try:
        record_decision(con, URLS["land"], "confirm", "Beto", theme="defenders")
    finally:
        con.close()
    land = next(l for l in from_reviews(db) if l.url == URLS["land"])
    assert (land.counted, land.theme) == (True, "defenders")


def test_the_database_is_only_read(db):
    """Another read-only session (an analyst's) may hold the file: from_reviews reads beside it."""
    from flows.labelled import from_reviews

    analyst = open_warehouse(db, read_only=True)
    try:
        assert len(from_reviews(db)) == 4
    finally:
        analyst.close()


def test_the_same_decisions_as_evaluate_scores(db):
    """`evaluate --reviews` and the training labels read one query: they agree article by article."""
    from flows.labelled import from_reviews
    from warehouse.reviews import review_labels
    from warehouse.db import connect

    con = connect(db, read_only=True)
    try:
        scored = {l["url"]: (l["counted"], l["theme"], l["process"]) for l in review_labels(con)
                  if l["decision"] != "duplicate"}
    finally:
        con.close()
    assert scored == {l.url: (l.counted, l.theme, l.process) for l in from_reviews(db)}


def test_no_decisions_no_labels(tmp_path, registry):
    from flows.labelled import from_reviews

    build_db(tmp_path / "empty.ducklake", registry).close()
    assert from_reviews(tmp_path / "empty.ducklake") == []
