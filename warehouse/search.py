"""Full-text search over article text, with DuckDB's own `fts` extension (BM25, Spanish stemming).

DuckDB normally downloads extensions at first use, which cannot happen offline;
the `duckdb-extension-fts` package ships the extension file for the pinned DuckDB,
and we load it from there. The index does not follow later changes on its own, so
it is rebuilt after every load and retag (`rebuild_index`).
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.errors import ConfigError


def extension_path() -> Path:
    import duckdb_extension_fts

    root = Path(duckdb_extension_fts.__file__).parent / "extensions"
    wanted = root / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if wanted.exists():
        return wanted
    found = sorted(root.glob("*/fts.duckdb_extension"))
    if not found:
        raise ConfigError("The full-text search extension is not installed (package duckdb-extension-fts).")
    return found[-1]


def load_fts(con) -> None:
    try:
        con.execute("LOAD fts")
    except duckdb.Error:
        con.execute(f"LOAD '{str(extension_path()).replace(chr(39), chr(39) * 2)}'")


def rebuild_index(con) -> None:
    load_fts(con)
    con.execute("PRAGMA create_fts_index('articles', 'url', 'title', 'main_text', "
                "stemmer = 'spanish', stopwords = 'none', strip_accents = 1, lower = 1, overwrite = 1)")


def search(con, text: str, limit: int = 20) -> list[tuple]:
    """Articles best matching `text`: (score, published_date, outlet, title, url, is_appearance)."""
    load_fts(con)
    return con.execute("""
        SELECT round(score, 3) AS score, published_date, outlet, title, url, is_appearance
        FROM (SELECT *, fts_main_articles.match_bm25(url, ?) AS score FROM articles)
        WHERE score IS NOT NULL
        ORDER BY score DESC
        LIMIT ?""", [text, limit]).fetchall()
