"""Full-text search over article text, with DuckDB's own `fts` extension (BM25).

The fts extension cannot index lake tables, so the index lives in its own DuckDB file
beside the data (`<warehouse>.search.duckdb`): a copy of the searchable columns and its
index are written to a new file, which is then renamed over the old one. Renaming is
atomic: `search` and analysts never see half an index and never wait; a reader keeps the
index it opened until it reconnects. Two loaders rebuilding at once each write their own
temporary file, whole; each file records the lake snapshot it copied, and a file never
replaces one made from a later snapshot (see `_swap_in`).

Each article is stemmed in its own language: a search for "unions" must find an English
article saying "union", and a French "syndicats" must not be cut as if it were Spanish.
An fts index has one stemmer, so the file holds `articles` (every article, indexed with
the Spanish stemmer: the team's language, and what an analyst's SQL has always used) and,
for each other language with a stemmer (`STEMMERS`), `articles_<code>` with its own index.
`search` asks each index for the articles of its language only and merges them by score.

What people type: every word must be present (fts `conjunctive := 1`: "union hidalgo"
returned any article with either word, 29 in the test corpus, and the one about Unión
Hidalgo came 15th), and words in double quotes must appear together, in that order, as a
phrase, accents and case aside (checked on the text itself after the index has narrowed
the candidates: the index knows words, not their order).

When the index is rebuilt (issue 18): rebuilding costs time in proportion to every article
stored, and after each load it became the slowest step as the warehouse grew. A load now
rebuilds it only when the articles not yet indexed pass a threshold (`rebuild_due`: a share
of those indexed, within bounds), a retag always, and `serve` every night (`refresh_index(
force=True)`). Until then `search` still finds the articles loaded since: they are matched
on their text without the index (every word contained in it, accents and case aside, no
stemming) and listed after the ranked hits, with score 0.

The `duckdb-extension-fts` package ships the extension for the pinned DuckDB, loaded by
path (warehouse.lake.engine): DuckDB cannot download it offline.
"""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass
from typing import NamedTuple

import duckdb

from warehouse.ftsindex import create_index
from warehouse.lake import current_snapshot, extension_path, location_of, sql_string

try:
    import fcntl
except ImportError:                 # not POSIX: no lock, the snapshot check alone
    fcntl = None

SEARCHABLE = "url, title, main_text, published_date, outlet, is_appearance, language"

# Article language (`articles.language`, ISO 639-1) -> the fts extension's Snowball stemmer.
# Spanish is the stemmer of `articles` itself; an article in a language not listed here (or
# with none) is searched there, with it.
CATCH_ALL_STEMMER = "spanish"
STEMMERS = {"es": "spanish", "en": "english", "fr": "french", "pt": "portuguese", "it": "italian",
            "de": "german", "ca": "catalan", "nl": "dutch"}


# A load rebuilds the index when the articles not in it reach this share of those in it, bounded:
# the cost of rebuilding grows with every stored article, so a share keeps the cost per loaded
# article flat however large the warehouse; the bounds keep a young warehouse's index whole
# after small loads, and the unindexed articles `search` reads without the index few.
# The upper bound: matching an unindexed article's text costs ~0.1-0.4 ms per search (measured
# on a busy machine), so 20,000 behind is a search of a few seconds at worst.
REBUILD_SHARE, REBUILD_AT_LEAST, REBUILD_AT_MOST = 0.10, 2_000, 20_000


class IndexState(NamedTuple):
    indexed: int                  # articles in the index file (0: no file)
    behind: int                   # stored articles not in it


def index_state(con) -> IndexState:
    """How many articles the attached index holds, and how many stored ones it lacks."""
    from warehouse.db import attach_search

    if not _search_attached(con) and not attach_search(con, location_of(con)):
        return IndexState(0, con.execute("SELECT count(*) FROM lake.main.articles").fetchone()[0])
    return IndexState(*con.execute("""SELECT (SELECT count(*) FROM search.main.articles),
        (SELECT count(*) FROM lake.main.articles WHERE url NOT IN (SELECT url FROM search.main.articles))""").fetchone())


def rebuild_due(state: IndexState) -> bool:
    """No index yet (and something to index), or the unindexed articles past the threshold."""
    if state.indexed == 0:
        return state.behind > 0
    return state.behind >= min(max(REBUILD_SHARE * state.indexed, REBUILD_AT_LEAST), REBUILD_AT_MOST)


def refresh_index(con, force: bool = False) -> IndexState | None:
    """Rebuild the index if `force` or `rebuild_due`; returns the state it found when it rebuilt,
    None when the index was left as it is."""
    state = index_state(con)
    if not (force or rebuild_due(state)):
        return None
    rebuild_index(con)
    return state


def _search_attached(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'search'").fetchone()[0])


def rebuild_index(con) -> None:
    """Write the index of every stored article to a new file and swap it in atomically."""
    from warehouse.db import attach_search

    location = location_of(con)
    final = location.search_path
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_builds(final)
    tmp = final.with_name(f"{final.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        con.execute(f"ATTACH {sql_string(tmp)} AS search_build")
        try:
            # The copy and the snapshot it reads, in one transaction (current_snapshot() is the
            # transaction's own): the file says how recent it is.
            con.execute("BEGIN TRANSACTION")
            try:
                snapshot = current_snapshot(con)
                con.execute(f"CREATE TABLE search_build.articles AS SELECT {SEARCHABLE} FROM lake.articles")
                con.execute("CREATE TABLE search_build.index_snapshot AS SELECT ?::BIGINT AS id", [snapshot])
                con.execute("COMMIT")
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:
                    pass                  # a failed COMMIT has already ended it
                raise
        finally:
            con.execute("DETACH search_build")
        # Its own DuckDB instance, capped like the monitor's connections (warehouse.db.connect):
        # it was not, and a 50,000-article backfill's loader peaked at 1,677 MB (docs/performance.md 7).
        build = duckdb.connect(str(tmp), config={"autoinstall_known_extensions": False,
                                                 "autoload_known_extensions": False,
                                                 "memory_limit": os.environ.get("PRODESC_MONITOR_DB_MEMORY", "1GB")})
        try:
            build.load_extension(extension_path("fts"))
            _build_indexes(build)
            build.execute("CHECKPOINT")
        finally:
            build.close()
        _swap_in(tmp, final, snapshot)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    attach_search(con, location)


def _build_indexes(build) -> None:
    """`articles` with the Spanish stemmer, then one table and index per other language present.

    Table, schema and stemmer names come from `STEMMERS` (constants), never from the data:
    the language codes are read, but only a code found in `STEMMERS` names anything."""
    create_index(build, "articles", CATCH_ALL_STEMMER)
    present = {r[0] for r in build.execute("SELECT DISTINCT language FROM articles").fetchall()}
    build.execute("CREATE TABLE search_languages (language VARCHAR, stemmer VARCHAR, table_name VARCHAR)")
    for code, stemmer in STEMMERS.items():
        if code == "es" or code not in present:
            continue
        table = f"articles_{code}"
        build.execute(f"CREATE TABLE {table} AS SELECT url, title, main_text FROM articles WHERE language = ?",
                      [code])
        create_index(build, table, stemmer)
        build.execute("INSERT INTO search_languages VALUES (?, ?, ?)", [code, stemmer, table])


def index_snapshot(path) -> int:
    """The lake snapshot an index file was copied from (-1: no file, or one from before it said)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return -1
    try:
        return con.execute("SELECT max(id) FROM index_snapshot").fetchone()[0]
    except duckdb.Error:
        return -1
    finally:
        con.close()


def _swap_in(tmp, final, snapshot: int) -> bool:
    """Rename `tmp` over `final` unless `final` was copied from a later snapshot.

    Fixed in issue 14 (two loaders on one PostgreSQL catalog): "the last rename wins" let a
    loader that read the lake before the other's last commit, but renamed after it, put back
    an index missing the other's articles until the next load. The check and the rename hold
    an advisory lock (`<index>.lock`) so that two swaps cannot interleave."""
    with open(final.with_name(final.name + ".lock"), "a") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if index_snapshot(final) > snapshot:
            return False                  # a newer index is already there: keep it
        os.replace(tmp, final)
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:       # someone else's process: alive
        return True
    return True


def _remove_dead_builds(final) -> None:
    """Temporary index files left by a loader killed mid-build (kill -9 skips its `finally`):
    named `<index>.<pid>-<random>.tmp[.wal]`, and the folder `<...>.tmp.tmp` where DuckDB puts
    what does not fit in memory (the build's word table, past ~1 GB); removed when that process
    no longer exists."""
    for leftover in final.parent.glob(f"{final.name}.*.tmp*"):
        try:
            pid = int(leftover.name[len(final.name) + 1:].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
                continue
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass


@dataclass(frozen=True)
class Query:
    """What someone typed: every word, and the quoted phrases among them."""
    words: tuple[str, ...]
    phrases: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


class Hit(NamedTuple):
    """A tuple, as `search` returned before it had snippets: (score, date, outlet, title, url, ...)."""
    score: float
    published_date: object
    outlet: str
    title: str
    url: str
    is_appearance: bool          # counted (the `appearances` view: a person's decision wins)
    language: str | None
    snippet: str                 # text around the first match, every match between MARK


WORD = re.compile(r"[^\W_]+")    # letters and digits: how the phrase check and the snippets cut words
QUOTE = re.compile(r"[\"“”]")
MARK = "**"                      # around each match in a snippet (terminal and CSV)
SNIPPET_BEFORE, SNIPPET_WIDTH = 80, 240


def fold(text: str) -> str:
    """Lower case, accents stripped (what the index does to each word: «Unión» -> «union»)."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def parse_query(text: str) -> Query:
    """«"union hidalgo" eólico» -> words (union, hidalgo, eólico), phrases ("union hidalgo").
    Text between double quotes (straight or curly) is a phrase; an unclosed quote runs to the end."""
    parts = QUOTE.split(text)
    words = tuple(w for part in parts for w in WORD.findall(part))
    phrases = tuple(" ".join(WORD.findall(part)) for part in parts[1::2] if WORD.search(part))
    return Query(words, phrases)


# The words of a phrase must follow each other: checked on the text, both sides folded the way
# `fold` and WORD do (lower case, accents stripped, anything but letters and digits a space).
_NORM = "(' ' || trim(regexp_replace(strip_accents(lower(coalesce({x}, ''))), '[^\\p{{L}}\\p{{N}}]+', ' ', 'g')) || ' ')"
_NORM_TITLE, _NORM_TEXT, _NORM_PHRASE = (_NORM.format(x=x) for x in ("a.title", "a.main_text", "p.phrase"))


def search(con, text: str, limit: int = 20, *, appearances: bool = False, year: int | None = None,
           outlet: str | None = None, case: str | None = None) -> list[Hit]:
    """Articles having every word of `text` (and each quoted phrase), best BM25 score first.

    `appearances`: only those counted (the `appearances` view); `year`: published that year;
    `outlet`: whose outlet's name contains this (accents and case aside); `case`: the id of the
    accompanied process the article is about (a person's correction first, then the tagger's)."""
    from warehouse.db import attach_search

    query = parse_query(text)
    if not query.words:
        return []
    if not _search_attached(con):
        if not attach_search(con, location_of(con)):
            return []                 # nothing loaded yet: no index, nothing to find
    try:
        own = con.execute("SELECT language, stemmer, table_name FROM search.main.search_languages").fetchall()
    except duckdb.CatalogException:
        raise OutdatedIndex("El índice de búsqueda es de una versión anterior del monitor: se rehace con la "
                            "próxima recolección, o ahora con `prodesc-monitor retag`.") from None
    # One part per index, each over the articles of its own language (`articles` takes the rest).
    # `search.main.articles`, fully qualified: with `search.fts_main_articles` on the search path
    # (warehouse.db._session), DuckDB reads `search.articles` as schema `search` of the lake and
    # finds no such table (fixed in issue 14's PostgreSQL tests, which were the first to search).
    parts = ["SELECT url, search.fts_main_articles.match_bm25(url, $words, conjunctive := 1) AS score "
             "FROM search.main.articles WHERE NOT list_contains($own::VARCHAR[], coalesce(language, ''))"]
    for code, _stemmer, table in own:
        if STEMMERS.get(code) is None or table != f"articles_{code}":
            continue                  # only names of our own making go into the SQL
        parts.append(f"SELECT url, search.fts_main_{table}.match_bm25(url, $words, conjunctive := 1) AS score "
                     f"FROM search.main.{table}")
    hits = " UNION ALL ".join(parts)
    params = {"words": query.text, "own": [r[0] for r in own], "phrases": list(query.phrases),
              "folded": [fold(w) for w in query.words],
              "appearances": appearances, "year": year, "outlet": outlet, "case": case, "limit": limit}
    # Ranked hits from the index; then the stored articles the index does not have yet (loaded
    # since its last rebuild, see `refresh_index`), matched on their text: each word in it, score 0.
    # (Not the phrase check's normalisation: its regexp measured 1.0-1.2x this one's cost per article.)
    rows = con.execute(f"""WITH hits AS ({hits}),
        found AS (
          SELECT h.score, a.url, a.title, a.main_text, a.published_date, a.outlet, a.language
          FROM hits AS h JOIN search.main.articles AS a USING (url) WHERE h.score IS NOT NULL
          UNION ALL
          SELECT 0.0, a.url, a.title, a.main_text, a.published_date, a.outlet, a.language
          FROM lake.main.articles AS a
          WHERE a.url NOT IN (SELECT url FROM search.main.articles)
            AND NOT EXISTS (SELECT 1 FROM unnest($folded::VARCHAR[]) AS w(word)
                            WHERE NOT contains(strip_accents(lower(coalesce(a.title, '') || ' '
                                                                  || coalesce(a.main_text, ''))), w.word))),
        counted AS (SELECT DISTINCT url FROM lake.main.appearances)
        SELECT round(a.score, 3) AS score, a.published_date, a.outlet, a.title, a.url,
               a.url IN (SELECT url FROM counted) AS is_appearance, a.language, a.main_text
        FROM found AS a
        WHERE ($year::INTEGER IS NULL OR year(a.published_date) = $year::INTEGER)
          AND ($outlet::VARCHAR IS NULL
               OR strip_accents(lower(a.outlet)) LIKE '%' || strip_accents(lower($outlet::VARCHAR)) || '%')
          AND (NOT $appearances::BOOLEAN OR a.url IN (SELECT url FROM counted))
          AND ($case::VARCHAR IS NULL OR a.url IN (
                SELECT url FROM lake.main.appearances WHERE process = $case::VARCHAR
                UNION SELECT url FROM lake.main.articles WHERE process = $case::VARCHAR))
          AND NOT EXISTS (SELECT 1 FROM unnest($phrases::VARCHAR[]) AS p(phrase)
                          WHERE NOT contains({_NORM_TITLE}, {_NORM_PHRASE})
                            AND NOT contains({_NORM_TEXT}, {_NORM_PHRASE}))
        ORDER BY a.score DESC, a.published_date DESC, a.url
        LIMIT $limit::INTEGER""", params).fetchall()
    stemmer = {code: stemmer for code, stemmer, _table in own}
    return [Hit(*row[:7], snippet=snippet(con, query, row[3], row[7], stemmer.get(row[6], CATCH_ALL_STEMMER)))
            for row in rows]


class OutdatedIndex(Exception):
    """The index file predates per-language indexes (no `search_languages`): rebuilt by the next load."""


def snippet(con, query: Query, title: str | None, text: str | None, stemmer: str) -> str:
    """About SNIPPET_WIDTH characters of the text around the first match (the first phrase, if
    any), every match inside between MARK: a word matches when its stem is a query word's stem,
    as the index sees it (`stem()` of the fts extension, with the article's stemmer)."""
    text = unicodedata.normalize("NFC", " ".join((text or "").split()) or " ".join((title or "").split()))
    tokens = [(m.start(), m.end(), fold(m.group())) for m in WORD.finditer(text)]
    wanted = {fold(w) for w in query.words}
    heads = {w[:2] for w in wanted}
    candidates = sorted({t for _, _, t in tokens if t[:2] in heads} | wanted)
    stems = dict(con.execute("SELECT t, stem(t, ?) FROM unnest(?::VARCHAR[]) AS u(t)",
                             [stemmer, candidates]).fetchall()) if candidates else {}
    wanted_stems = {stems.get(w, w) for w in wanted}
    spans: list[tuple[int, int]] = []
    for phrase in query.phrases:
        words = fold(phrase).split()
        for i in range(len(tokens) - len(words) + 1):
            if [t for _, _, t in tokens[i:i + len(words)]] == words:
                spans.append((tokens[i][0], tokens[i + len(words) - 1][1]))
    first_phrase = min(spans) if spans else None
    for start, end, token in tokens:
        if stems.get(token, token) in wanted_stems and not any(s <= start < e for s, e in spans):
            spans.append((start, end))
    spans.sort()
    anchor = first_phrase or (spans[0] if spans else (0, 0))
    begin = max(0, anchor[0] - SNIPPET_BEFORE)
    if begin:
        begin = text.find(" ", begin, anchor[0]) + 1 or begin        # start on a word
    finish = min(len(text), max(begin + SNIPPET_WIDTH, anchor[1]))
    if finish < len(text):
        cut = text.rfind(" ", anchor[1], finish)
        finish = cut if cut > 0 else finish                          # end on a word
    out, at = [], begin
    for start, end in spans:
        if start >= begin and end <= finish:
            out += [text[at:start], MARK, text[start:end], MARK]
            at = end
    out.append(text[at:finish])
    return ("…" if begin else "") + "".join(out) + ("…" if finish < len(text) else "")

def load_fts(con) -> None:
    """The fts functions, for a connection made outside warehouse.db.connect (they are loaded there)."""
    con.load_extension(extension_path("fts"))
