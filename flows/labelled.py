"""Labelled articles for training and scoring the tagger, without a crawl.

A labelled corpus (``../shared/corpus``, ``tests/corpus2``, ``../shared/realpress``) is
a recorded web (``web/index.json`` + ``web/files``) and ``labels.jsonl``. `evaluate`
crawls it through the replay proxy, which tests the whole pipeline; training and
cross-validation only need each labelled page's main text, so this module reads the
recorded responses and runs the same extraction the crawl's pages go through
(`pipelines.extract.extract_article`). Pages that extraction skips are skipped here
too, so a model never learns from text the monitor would not see.

Review-desk decisions are labels as well (`from_reviews`): a confirmed appearance is a
positive for its process, a rejected one a negative.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pipelines.extract import extract_article
from pipelines.records import FetchedPage, Skip
from pipelines.registry import load_registry
from pipelines.urls import url_key


@dataclass(frozen=True)
class LabelledArticle:
    """One article's text and what a person decided about it."""
    source: str              # corpus folder name or "reviews"
    url: str
    title: str
    text: str
    author: str | None
    counted: bool            # an appearance by the counting rules
    theme: str | None        # land_territory | labour | defenders | institutional
    process: str | None      # the label's process id (the corpus's own naming)


def read_labels(corpus: Path) -> list[dict]:
    """The corpus's `labels.jsonl`, one dict per labelled URL (what `evaluate` scores against)."""
    lines = (Path(corpus) / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def from_corpus(corpus: Path) -> list[LabelledArticle]:
    """The corpus's labelled pages that extraction turns into articles; ambiguous labels
    (``counted: null``) are left out, as `evaluate` leaves them unscored."""
    corpus = Path(corpus)
    web = corpus / "web"
    index = json.loads((web / "index.json").read_text(encoding="utf-8"))
    by_key = {url_key(e["url"]): e for e in index if e.get("status") == 200 and e.get("file")}
    registry = load_registry(corpus / "sources.yaml")
    now = datetime.now(timezone.utc).isoformat()
    out: list[LabelledArticle] = []
    for label in read_labels(corpus):
        if label.get("counted") is None:
            continue
        entry = by_key.get(url_key(label["url"]))
        if entry is None:
            continue
        body = (web / entry["file"]).read_bytes()
        ctype = next((v for k, v in (entry.get("headers") or {}).items() if k.lower() == "content-type"), "")
        page = FetchedPage(url=label["url"], final_url=label["url"], status=200, content_type=ctype, body=body,
                           discovered_via="sitemap", source_url="", listed_at=None, listed_title=None,
                           fetched_at=now)
        art = extract_article(page, registry)
        if isinstance(art, Skip):
            continue
        out.append(LabelledArticle(corpus.name, label["url"], art.title, art.text, art.author,
                                   bool(label["counted"]), label.get("theme"), label.get("process")))
    return out


REVIEWED = ("confirm", "reject")   # a duplicate says nothing about the text: not a label


def from_reviews(db: Path) -> list[LabelledArticle]:
    """What people decided in the review desk, as labels: every article whose decision in force
    (the latest) is a confirmation (counted, with the corrected theme if one was given, else the
    tagger's) or a rejection (not counted, no theme), with the article's stored title, text and
    author and its stored primary process. The database is opened read-only; the decisions per
    article are `warehouse/queries/review_labels.sql`, the same query `evaluate --reviews` scores."""
    from warehouse.db import connect, records

    con = connect(Path(db), read_only=True)
    try:
        rows = records(con, "review_labels")
    finally:
        con.close()
    return [LabelledArticle("reviews", r["url"], r["title"] or "", r["text"] or "", r["author"],
                            bool(r["counted"]), r["theme"], r["process"])
            for r in rows if r["decision"] in REVIEWED]
