"""Idempotent loads: re-running any crawl or retag leaves the same rows.

Articles are merged on their URL key (scheme, trailing slash and tracking
parameters never make a second row); an updated article updates its row and keeps
the day it was first seen. Mentions are replaced whole per article on every
(re)tag. Each batch is one transaction that takes the writers' turn
(`warehouse.db.transactions`): two loaders at once never insert the same article
twice, because the one that commits second runs its batch again over the first's rows.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from pipelines.records import FeedCheck, FetchedPage, Skip, Tagged, TagResult
from warehouse.bulk import bulk_insert
from warehouse.db import query, transactions

if TYPE_CHECKING:   # the registry is read, never built, here
    from pipelines.registry import Registry

ARTICLE_COLUMNS = (
    "url", "url_key", "fetched_url", "outlet", "domain", "title", "author", "language", "main_text",
    "published_at", "published_date", "date_source", "discovered_via", "source_url", "first_seen",
    "fetched_at", "fingerprint", "fingerprint_int", "raw_sha1", "is_appearance", "theme", "process",
    "secondary_themes", "kb_version", "tagged_at", "author_names", "desk_byline", "author_source",
)
MENTION_COLUMNS = ("article_url", "seq", "entity_id", "entity_kind", "theme", "field", "start_char",
                   "end_char", "matched", "snippet", "accepted", "reason", "reason_code", "reason_es")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def load_outlets(con, registry: Registry, seen_hosts: Iterable[str] = ()) -> None:
    """Registry outlets are written as the registry says; unknown hosts are added as
    'unclassified' unless a person has already classified them. "No region" is stored as NULL:
    sources.yaml writes `region: ""` for a national or international outlet (the desk's form
    keeps writing it so), and an analyst's `WHERE region IS NULL` must find them."""
    stamp = now_utc()
    rows = [(o.name, o.reach, o.region or None, o.language, list(o.domains), True, stamp) for o in registry.outlets]
    known = {d for o in registry.outlets for d in o.domains}
    for host in sorted(set(seen_hosts) - known):
        rows.append((host, "unclassified", None, "", [host], False, stamp))
    for txn in transactions(con, who="loader"):
        with txn:
            con.execute("CREATE OR REPLACE TEMP TABLE outlets_batch AS SELECT * FROM outlets LIMIT 0")
            bulk_insert(con, "outlets_batch",
                        ("name", "reach", "region", "language", "domains", "in_registry", "updated_at"), rows)
            con.execute(query("outlets_merge"))
            con.execute(query("record_reach_changes"), {"source": "registry"})
            con.execute(query("reassign_outlets"))


def _article_row(t: Tagged, kb_version: str, stamp: datetime) -> tuple:
    a, r = t.article, t.tags
    return (
        a.url, a.url_key, a.fetched_url, a.outlet, a.domain, a.title, a.author, r.language, a.text,
        a.published_at, a.published_date, a.date_source, a.discovered_via, a.source_url, a.fetched_at,
        a.fetched_at, a.fingerprint, int(a.fingerprint, 16), a.raw_sha1, r.is_appearance, r.theme, r.process,
        list(r.secondary_themes), kb_version, stamp, list(a.author_names), a.desk_byline, a.author_source,
    )


def _code(m) -> str | None:
    """The mention's reason code as stored: the enum's value (ReasonCode is a str Enum)."""
    code = getattr(m, "code", None)
    return getattr(code, "value", code) or None


def mention_rows(url: str, tags: TagResult) -> list[tuple]:
    """One row per candidate, in MENTION_COLUMNS order: the reason in English, as a code and in
    Spanish (`reason_es` NULL when the tagger gave none: the desk then shows `reason`)."""
    return [(url, i, m.entity_id, m.entity_kind, m.theme, m.field, m.start, m.end, m.matched,
             m.snippet, m.accepted, m.reason, _code(m), getattr(m, "reason_es", None) or None)
            for i, m in enumerate(tags.mentions)]


def replace_mentions(con, rows_by_url: dict[str, list[tuple]], stored: Sequence[str] | None = None) -> None:
    """The articles' mentions, replaced whole. `stored`: the only URLs that can have mentions
    yet (a load knows which articles are new); None: any of them."""
    if not rows_by_url:
        return
    old = list(rows_by_url) if stored is None else list(stored)
    if old:   # a DELETE on the lake scans every mentions file: skipped when no article had any
        con.execute("DELETE FROM mentions WHERE article_url IN (SELECT unnest(?::VARCHAR[]))", [old])
    bulk_insert(con, "mentions", MENTION_COLUMNS, (row for rs in rows_by_url.values() for row in rs))


def load_batch(con, tagged: Sequence[Tagged], pages: dict[str, FetchedPage], skips: Sequence[tuple[Skip, str]],
               run_id: str, kb_version: str) -> dict:
    """Write one batch in one transaction. Returns counts of what changed."""
    stamp = now_utc()
    # One row per URL key inside the batch (an AMP copy and its original are one article).
    by_key: dict[str, Tagged] = {}
    for t in tagged:
        by_key.setdefault(t.article.url_key, t)
    for txn in transactions(con, who="loader"):
        with txn:
            con.execute("CREATE OR REPLACE TEMP TABLE articles_batch AS SELECT " + ", ".join(ARTICLE_COLUMNS)
                        + " FROM articles LIMIT 0")
            bulk_insert(con, "articles_batch", ARTICLE_COLUMNS, (_article_row(t, kb_version, stamp) for t in by_key.values()))
            # The batch's articles already stored, with their stored URL (one scan of the lake's
            # articles; a backfill finds none and skips the steps below that only concern them).
            stored = dict(con.execute("SELECT b.url_key, a.url FROM articles_batch AS b "
                                      "JOIN articles AS a USING (url_key)").fetchall())
            # An article already stored under another spelling of its URL keeps its stored URL.
            if any(by_key[k].article.url != url for k, url in stored.items()):
                con.execute("""UPDATE articles_batch SET url = a.url FROM articles AS a
                               WHERE a.url_key = articles_batch.url_key AND a.url <> articles_batch.url""")
            updates = ", ".join(
                f"{c} = b.{c}" for c in ARTICLE_COLUMNS
                if c not in ("url", "url_key", "first_seen", "published_date", "published_at", "date_source")
            )
            if not stored:   # none of the batch is stored (a backfill): the MERGE below would only insert
                con.execute(f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
                            f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles_batch")
            else:
                con.execute(f"""
                MERGE INTO articles USING articles_batch AS b ON articles.url_key = b.url_key
                WHEN MATCHED THEN UPDATE SET {updates},
                    first_seen = least(articles.first_seen, b.first_seen),
                    -- "first seen" is a date of last resort: never move it forward on a re-crawl
                    published_date = CASE WHEN b.date_source = 'first_seen' AND articles.date_source = 'first_seen'
                                          THEN articles.published_date ELSE b.published_date END,
                    published_at = CASE WHEN b.date_source = 'first_seen' AND articles.date_source = 'first_seen'
                                        THEN articles.published_at ELSE b.published_at END,
                    date_source = b.date_source
                WHEN NOT MATCHED THEN INSERT ({', '.join(ARTICLE_COLUMNS)})
                    VALUES ({', '.join('b.' + c for c in ARTICLE_COLUMNS)})
            """)
            urls = {k: stored.get(k, t.article.url) for k, t in by_key.items()}   # each article's URL as stored
            # Mentions exist only for articles stored before this batch: only theirs are replaced.
            replace_mentions(con, {urls[k]: mention_rows(urls[k], t.tags) for k, t in by_key.items()},
                             stored=[urls[k] for k in stored])
            raw = [(t.article.raw_sha1, t.article.fetched_url, page.content_type, t.article.fetched_at,
                    page.body_gz or gzip.compress(page.body, 6))   # as staged, or compressed here
                   for t in by_key.values() if (page := pages.get(t.article.raw_sha1)) is not None]
            con.execute("CREATE OR REPLACE TEMP TABLE raw_pages_batch AS SELECT * FROM raw_pages LIMIT 0")
            bulk_insert(con, "raw_pages_batch", ("sha1", "url", "content_type", "fetched_at", "body_gz"),
                        list({r[0]: r for r in raw}.values()))
            con.execute("INSERT INTO raw_pages SELECT * FROM raw_pages_batch "
                        "WHERE sha1 NOT IN (SELECT sha1 FROM raw_pages)")
            bulk_insert(con, "skipped_pages", ("url", "run_id", "outlet", "reason", "detail", "seen_at"),
                        [(s.url, run_id, outlet, s.reason, s.detail, stamp) for s, outlet in skips])
            con.execute("CREATE OR REPLACE TEMP TABLE batch_urls AS SELECT url FROM articles_batch")
            con.execute(query("syndication"))
    return {"articles_in_batch": len(by_key), "new_articles": len(by_key) - len(stored), "skipped": len(skips)}


def fill_author_names(con) -> int:
    """Parse the stored bylines of articles stored before migration 003 (`author_names` NULL).

    Only the stored `author` is read (a page's metadata is not: re-reading every raw page would
    make opening the warehouse slow); an article without one keeps NULL until crawled again.
    Run once, when the migration is applied (warehouse.db.connect). Returns the rows filled."""
    from pipelines.authors import parse_byline

    todo = con.execute("SELECT url, author, outlet FROM articles "
                       "WHERE author_names IS NULL AND author IS NOT NULL").fetchall()
    if not todo:
        return 0
    parsed = [(url, list(b.names), b.desk, "extractor")
              for url, author, outlet in todo for b in [parse_byline(author, (outlet,))]]
    for txn in transactions(con, who="migration"):
        with txn:
            con.execute("CREATE OR REPLACE TEMP TABLE author_batch (url VARCHAR, author_names VARCHAR[], "
                        "desk_byline VARCHAR, author_source VARCHAR)")
            bulk_insert(con, "author_batch", ("url", "author_names", "desk_byline", "author_source"), parsed)
            con.execute("""UPDATE articles SET author_names = b.author_names, desk_byline = b.desk_byline,
                           author_source = b.author_source
                           FROM author_batch AS b WHERE articles.url = b.url AND articles.author_names IS NULL""")
    return len(parsed)


def load_entities(con, entities: list[dict]) -> None:
    """The knowledge base's entities, with their names in both languages (rewritten only when changed)."""
    rows = [(e["id"], e["name"], e.get("kind"), e.get("theme"), list(e.get("aliases", [])), e.get("name_en"))
            for e in entities]
    stored = con.execute("SELECT id, name, kind, theme, aliases, name_en FROM entities ORDER BY id").fetchall()
    if sorted(rows) == [tuple(r) for r in stored]:
        return                            # unchanged: no write, no new snapshot
    for txn in transactions(con, who="loader"):
        with txn:
            con.execute("DELETE FROM entities")
            con.executemany("INSERT INTO entities (id, name, kind, theme, aliases, name_en) "
                            "VALUES (?, ?, ?, ?, ?, ?)", rows)


def record_run(con, run_id: str, started_at: datetime, sources: str, since, until, status: str, stats: dict) -> None:
    """Inside the caller's transaction: the run's row, replaced if the run is recorded again."""
    con.execute(query("crawl_run_merge"),
                [run_id, started_at, now_utc(), sources, since, until, status, json.dumps(stats, default=str)])


def apply_tags(con, tagged: Sequence[tuple[str, TagResult]], kb_version: str) -> int:
    """Store new tagger verdicts for stored articles (retag): one transaction per batch.
    Returns how many articles changed their verdict or theme."""
    stamp = now_utc()
    for txn in transactions(con, who="retag"):
        with txn:
            con.execute("""CREATE OR REPLACE TEMP TABLE tags_batch (url VARCHAR, language VARCHAR, is_appearance BOOLEAN,
                           theme VARCHAR, process VARCHAR, secondary_themes VARCHAR[])""")
            bulk_insert(con, "tags_batch", ("url", "language", "is_appearance", "theme", "process", "secondary_themes"),
                        [(u, r.language, r.is_appearance, r.theme, r.process, list(r.secondary_themes)) for u, r in tagged])
            changed = con.execute("""SELECT count(*) FROM tags_batch b JOIN articles a USING (url)
                                     WHERE a.is_appearance IS DISTINCT FROM b.is_appearance
                                        OR a.theme IS DISTINCT FROM b.theme""").fetchone()[0]
            con.execute("""UPDATE articles SET language = b.language, is_appearance = b.is_appearance, theme = b.theme,
                           process = b.process, secondary_themes = b.secondary_themes, kb_version = ?, tagged_at = ?
                           FROM tags_batch AS b WHERE articles.url = b.url""", [kb_version, stamp])
            replace_mentions(con, {u: mention_rows(u, r) for u, r in tagged})
    return changed


def load_feed_checks(con, checks: Sequence[FeedCheck], run_id: str) -> None:
    """Record what each feed and sitemap gave in this run (replacing a previous load of the same run)."""
    for txn in transactions(con, who="loader"):
        with txn:
            con.execute("DELETE FROM feed_checks WHERE run_id = ?", [run_id])
            bulk_insert(con, "feed_checks", ("run_id", "listing_url", "via", "outlet", "status", "entries",
                                             "problem", "from_cache", "checked_at"),
                        [(run_id, c.listing_url, c.via, c.outlet, c.status, c.entries, c.problem, c.from_cache,
                          c.checked_at) for c in checks])
