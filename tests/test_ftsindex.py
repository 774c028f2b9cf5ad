"""warehouse/ftsindex.py writes the rows `PRAGMA create_fts_index` writes: both are built on the
same articles and every table and score compared (real page texts, generated texts, stop words)."""
from pathlib import Path

import duckdb
import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from warehouse.ftsindex import FTS_OPTIONS, create_index
from warehouse.lake import extension_path

REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata" / "html"


def _page_texts() -> list[tuple[str, str | None, str]]:
    pages = sorted(FIXTURES.glob("*.html"))
    if REALDATA.is_dir():
        pages += sorted(p for p in REALDATA.rglob("*") if p.is_file())
    rows = []
    for i, page in enumerate(pages):
        try:
            tree = lxml.html.fromstring(page.read_bytes())
        except Exception:         # not HTML (an image among the fixtures): nothing to index
            continue
        for code in tree.xpath("//script | //style"):    # words, not code
            code.drop_tree()
        rows.append((f"http://pagina.example/{i}", tree.findtext(".//title"), tree.text_content()))
    return rows


def _both(rows, stemmer: str = "spanish", options: str = FTS_OPTIONS):
    """An in-memory database with `by_pragma` indexed by the extension and `ours` by create_index."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.load_extension(extension_path("fts"))
    for table in ("by_pragma", "ours"):
        con.execute(f"CREATE TABLE {table} (url VARCHAR, title VARCHAR, main_text VARCHAR)")
        if rows:
            con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", rows)
    con.execute(f"PRAGMA create_fts_index('by_pragma', 'url', 'title', 'main_text', stemmer = '{stemmer}', {options})")
    create_index(con, "ours", stemmer, options)
    return con


def _same_index(con, queries=()) -> None:
    for sql in ("SELECT * FROM {s}.fields", "SELECT * FROM {s}.stopwords", "SELECT docid, name, len FROM {s}.docs",
                "SELECT num_docs, avgdl FROM {s}.stats", "SELECT term, df FROM {s}.dict",
                # every word of every field, by its term (term ids may be numbered otherwise)
                "SELECT docid, fieldid, term FROM {s}.terms JOIN {s}.dict USING (termid)"):
        ours, theirs = sql.format(s="fts_main_ours"), sql.format(s="fts_main_by_pragma")
        assert con.execute(f"SELECT count(*) FROM ({ours})").fetchone() == con.execute(
            f"SELECT count(*) FROM ({theirs})").fetchone(), sql
        assert con.execute(f"SELECT count(*) FROM ({ours} EXCEPT ALL {theirs})").fetchone()[0] == 0, sql
    assert con.execute("SELECT count(DISTINCT termid) = count(*) FROM fts_main_ours.dict").fetchone()[0]
    for words in queries:
        for conjunctive in (0, 1):
            scores = [con.execute(f"SELECT url, {schema}.match_bm25(url, ?, conjunctive := {conjunctive}) "
                                  f"FROM {table} ORDER BY url", [words]).fetchall()
                      for schema, table in (("fts_main_ours", "ours"), ("fts_main_by_pragma", "by_pragma"))]
            # Equal but for the last bit: a score sums its terms' parts in the order of their ids.
            assert [url for url, _ in scores[0]] == [url for url, _ in scores[1]]
            for (_, ours), (_, theirs) in zip(*scores):
                assert (ours is None and theirs is None) or ours == pytest.approx(theirs, rel=1e-12), words


def _queries(rows, n: int = 4) -> list[str]:
    words = [w for _, title, text in rows for w in f"{title or ''} {text or ''}".split() if w.isalpha()]
    picked = words[:: max(1, len(words) // n)][:n]
    return picked + [" ".join(picked[:2]), "Unión Hidalgo", "no-está-aquí"]


@pytest.mark.parametrize("stemmer", ["spanish", "english"])
def test_same_index_as_the_pragma_on_real_pages(stemmer):
    rows = _page_texts()
    assert len(rows) > 20
    con = _both(rows, stemmer)
    assert con.execute("SELECT count(*) FROM fts_main_ours.terms").fetchone()[0] > 10_000
    _same_index(con, _queries(rows))


def test_same_index_with_stop_words():
    # Ours never uses a stop-word list (FTS_OPTIONS), but the SQL applies the table the pragma makes.
    rows = _page_texts()
    con = _both(rows, "english", FTS_OPTIONS.replace("stopwords = 'none'", "stopwords = 'english'"))
    assert con.execute("SELECT count(*) FROM fts_main_ours.stopwords").fetchone()[0] > 500
    _same_index(con, ["the union", "workers"])


# Letters with and without accents, the characters the extension ignores, every kind of space,
# backslashes and quotes, scripts the tokenizer keeps whole.
_TEXT = st.text(alphabet=st.sampled_from(list("aábcçdeéfgiíjlmnñoóprstuúüvyzAÁEÉNÑOÓ019 \t\n\r\x0b\x0c.,;:¡!¿?'\"`\\/-_«»()[]{}@#%&*+=~|<>—…ß日本ж🙂")),
                 max_size=60)
_ARTICLES = st.lists(st.tuples(st.one_of(st.none(), _TEXT), st.one_of(st.none(), _TEXT)), max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ARTICLES)
@example([])                                          # no article: stats of nothing
@example([(None, None), ("", "...")])                 # articles without a single word
@example([("Él", "trabajadores trabajadoras trabajo"), ("TRABAJO", "Trabajó, trabajó: trabajó.")])
def test_same_index_as_the_pragma_on_generated_texts(articles):
    rows = [(f"http://x.example/{i}", title, text) for i, (title, text) in enumerate(articles)]
    _same_index(_both(rows), _queries(rows, 2))
