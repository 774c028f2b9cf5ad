"""Review decisions: people correct the machine, and the year-end number becomes one they can sign.

The review desk (flows/desk/) is the web page; the rules are here, over the database:

* `record_decision` stores one decision as one INSERT with a fresh review_id: nothing is read,
  modified and written back, so two people never overwrite each other; the latest decision
  (by `decided_at`) is in force, earlier ones are history. If someone else decided on the
  same article since the person opened it, the returned `Decision.overrode` says so.
* `assign_reach` classifies an outlet that is not in the registry, for its whole past, and
  appends it to `sources.yaml` (pipelines.registry.outlet_added) so the next crawl keeps it.
* `review_queue` and `unclassified_outlets` are what the desk shows; `review_labels` and
  `tagger_verdicts` turn the decisions into labels `evaluate` can score.

Decisions override the tagger in every view and tally: the `appearances` view applies the
latest review. The SQL is in warehouse/queries/review_*.sql; every write is a transaction.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from pipelines.vocabulary import reason_es
from warehouse.db import records, run, transactions
from warehouse.tally import REACHES, THEMES

DECISIONS = ("confirm", "reject", "duplicate")
CLASSIFIED_REACHES = tuple(r for r in REACHES if r != "unclassified")
VIEWS = ("new", "rejected", "reviewed")
ALL_DATES = (date(1, 1, 1), date(9999, 12, 31))


class ReviewError(ValueError):
    """A decision that cannot be stored, explained for the person who made it.

    The text (English) is for logs and scripts; `code` and `params` let the desk say the same
    in its own language (flows/desk/messages: the key `err_<code>`, with `params` filled in)."""

    def __init__(self, message: str, code: str = "", **params):
        super().__init__(message)
        self.code = code
        self.params = params


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _url_key(url: str) -> str:
    try:
        from pipelines.urls import url_key
        return url_key(url)
    except Exception:   # a malformed address simply matches nothing
        return url


# --------------------------------------------------------------------------- reading

def reason_text(mention: dict, lang: str = "es") -> str | None:
    """Why the tagger accepted or rejected a mention, in the desk's language: the Spanish text
    (`reason_es`) in Spanish — for rows stored before the tagger wrote Spanish (NULL until a
    retag), what its code means in Spanish, never the English text; the English `reason` in English."""
    if lang == "es":
        return reason_es(mention.get("reason_es"), mention.get("reason_code"))
    return mention.get("reason")


FILTERS = ("theme", "process", "outlet", "reach", "q")


def _filter_params(filters: dict | None, start: date | None, end: date | None) -> dict:
    """The SQL parameters of the desk's filters: '' for "any"; the text `q` becomes an ILIKE
    pattern in which the person's own % and _ are plain characters."""
    f = {k: str((filters or {}).get(k) or "").strip() for k in FILTERS}
    q = f.pop("q")
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" if q else ""
    return {**f, "pattern": pattern, "start": start or ALL_DATES[0], "end": end or ALL_DATES[1]}


def review_queue(con, view: str = "new", start: date | None = None, end: date | None = None,
                 limit: int = 100, lang: str = "es", filters: dict | None = None) -> list[dict]:
    """Articles to review in one view ('new', 'rejected', 'reviewed') published from `start` to
    `end`, each with its candidate `mentions` (accepted first), the tagger's `reasons` for not
    counting it (in `lang`) and the articles it may repeat (`candidates`, see
    review_duplicate_candidates.sql). `filters` narrows the list: theme, process (a case id),
    outlet, reach (exact values) and q (text in the headline or a mention's sentence)."""
    if view not in VIEWS:
        raise ReviewError(f"unknown view '{view}'", "view", view=view)
    items = records(con, "review_items", {"view": view, "limit": limit, "lang": lang,
                                           **_filter_params(filters, start, end)})
    urls = [i["url"] for i in items]
    mentions: dict[str, list[dict]] = {}
    candidates: dict[str, list[dict]] = {}
    if urls:
        for m in records(con, "review_snippets", {"urls": urls, "lang": lang}):
            mentions.setdefault(m["article_url"], []).append(m)
        for c in records(con, "review_duplicate_candidates", {"urls": urls}):
            candidates.setdefault(c["article_url"], []).append(c)
    for i in items:
        ms = mentions.get(i["url"], [])
        for m in ms:
            m["reason_text"] = reason_text(m, lang)
        i["mentions"] = ms
        i["reasons"] = sorted({m["reason_text"] for m in ms if not m["accepted"] and m["reason_text"]})
        i["candidates"] = candidates.get(i["url"], [])[:15]
    return items


def review_counts(con, start: date | None = None, end: date | None = None,
                  filters: dict | None = None) -> dict[str, int]:
    """How many articles each view holds under the same dates and filters as `review_queue`."""
    found = {r["tab"]: r["n"] for r in records(con, "review_counts", _filter_params(filters, start, end))}
    return {v: found.get(v, 0) for v in VIEWS}


def filter_choices(con, lang: str = "es") -> dict[str, list[tuple[str, str]]]:
    """What the desk's filters offer: 'outlet' and 'process' as (value, label) pairs, cases
    named in `lang`."""
    out: dict[str, list[tuple[str, str]]] = {"outlet": [], "process": []}
    for r in records(con, "review_filter_choices", {"lang": lang}):
        out[r["kind"]].append((r["value"], r["label"]))
    return out


def article_history(con, url: str) -> tuple[dict | None, list[dict]]:
    """The stored article at `url` and every decision taken on it, oldest first, undos included
    (each decision says whether it was `undone`)."""
    article = article_state(con, url)
    if article is None:
        return None, []
    return article, records(con, "review_history", {"url": article["url"]})


def review_weeks(con) -> list[str]:
    """The ISO weeks ('2026-W47') that have articles, newest first (at most 60)."""
    return [r["week"] for r in records(con, "review_weeks")]


def unclassified_outlets(con) -> list[dict]:
    """Sites not in the registry, most appearances first, with an example headline and address."""
    return records(con, "review_unclassified_outlets")


def article_state(con, url: str) -> dict | None:
    """The stored article at `url` (or an address with the same url key) and the decision in force."""
    rows = records(con, "review_article_state", {"url": url, "url_key": _url_key(url)})
    return rows[0] if rows else None


# --------------------------------------------------------------------------- deciding

@dataclass
class Decision:
    review_id: str
    url: str
    decision: str
    theme: str | None
    reviewer: str
    decided_at: datetime
    title: str | None = None
    overrode: dict | None = field(default=None)   # someone else's decision made while this one was being taken


def record_decision(con, url: str, decision: str, reviewer: str, theme: str | None = None,
                    duplicate_of: str | None = None, note: str | None = None,
                    seen_review: str | None = None) -> Decision:
    """Store one decision (an INSERT with a fresh id). `seen_review` is the review_id the person
    saw when they opened the page ('' for none): if another decision came in since, it is
    reported back in `overrode` (both stay stored; the newest is in force)."""
    made, row = _prepared(con, url, decision, reviewer, theme, duplicate_of, note, seen_review)
    _store(con, [row])
    return made


def confirm_all(con, items: list[dict], reviewer: str) -> list[Decision]:
    """Confirm a whole page at once: `items` are dicts with url, theme (as shown, None for the
    tagger's) and seen (the review_id the person saw). Every article gets a decision of its own,
    with the reviewer, as if confirmed one by one; all are checked first and stored in one
    transaction, so either the whole page is confirmed or nothing is."""
    if not items:
        raise ReviewError("nothing to confirm", "nothing")
    prepared = [_prepared(con, i.get("url", ""), "confirm", reviewer, i.get("theme"), None, None, i.get("seen"))
                for i in items]
    _store(con, [row for _, row in prepared])
    return [made for made, _ in prepared]


def undo_last(con, reviewer: str) -> dict:
    """Take back the reviewer's own latest decision (not someone else's): an undo is one more row
    in `reviews` (decision 'undo', by this reviewer, now, its `note` the review_id undone), so
    the history keeps both; `latest_reviews` then ignores the undone decision and the one before
    it is in force again, or none. Calling it again undoes the decision before. Returns the
    undone decision (url, decision, theme, decided_at, title)."""
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("the reviewer's name is missing", "no_reviewer")
    found = records(con, "review_last_own", {"reviewer": reviewer})
    if not found:
        raise ReviewError("you have no decision to undo", "nothing_to_undo")
    last = found[0]
    _store(con, [{"review_id": str(uuid.uuid4()), "url": last["url"], "decision": "undo", "theme": None,
                  "duplicate_of": None, "note": last["review_id"], "reviewer": reviewer, "decided_at": _now()}])
    return last


def _prepared(con, url, decision, reviewer, theme, duplicate_of, note, seen_review) -> tuple[Decision, dict]:
    """A decision checked against the database, and the row that stores it."""
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("the reviewer's name is missing", "no_reviewer")
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision '{decision}'", "decision", decision=decision)
    article = article_state(con, url)
    if article is None:
        raise ReviewError(f"no stored article has the address {url}", "no_article", url=url)
    url = article["url"]
    theme = (theme or "").strip() or None
    if decision == "confirm":
        if theme is not None and theme not in THEMES:
            raise ReviewError(f"unknown theme '{theme}'", "theme", theme=theme)
    else:
        theme = None
    if decision == "duplicate":
        target = article_state(con, (duplicate_of or "").strip()) if (duplicate_of or "").strip() else None
        if target is None:
            raise ReviewError("give the address of the original article (one the monitor has stored)", "no_original")
        if target["url"] == url:
            raise ReviewError("an article cannot be a duplicate of itself", "dup_itself")
        if target["decision"] == "duplicate" and target["duplicate_of"] == url:
            raise ReviewError("the other article is already marked as a duplicate of this one", "dup_cycle")
        duplicate_of = target["url"]
    else:
        duplicate_of = None
    note = (note or "").strip() or None
    overrode = None
    if (seen_review is not None and article["review_id"] and article["review_id"] != seen_review
            and article["reviewer"] != reviewer):
        overrode = {"reviewer": article["reviewer"], "decision": article["decision"], "decided_at": article["decided_at"]}
    made = Decision(str(uuid.uuid4()), url, decision, theme, reviewer, _now(), article["title"], overrode)
    return made, {"review_id": made.review_id, "url": url, "decision": decision, "theme": theme,
                  "duplicate_of": duplicate_of, "note": note, "reviewer": reviewer, "decided_at": made.decided_at}


def _store(con, rows: list[dict]) -> None:
    """Insert decisions in one transaction. Insert-only with fresh ids: they cannot duplicate
    anything, so the desk does not take the writers' turn and never waits for a loader's batch."""
    for txn in transactions(con, who="desk", take_turn=False):
        with txn:
            for row in rows:
                run(con, "review_insert", row)


def assign_reach(con, outlet: str, reach: str, reviewer: str, sources: str | Path, name: str | None = None,
                 region: str = "", language: str = "") -> str:
    """Give a reach to a site not in the registry: the outlet is classified for its whole past,
    the change is recorded in `outlet_reach_history` (source 'review') and who made it in
    `outlet_reviews`, and the outlet is appended to the registry file (comments kept) so the
    next crawl keeps it. The file is checked before anything is stored and replaced only once
    the database has committed. Returns the outlet's name."""
    from pipelines.registry import RegistryError, outlet_added

    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("the reviewer's name is missing", "no_reviewer")
    if reach not in CLASSIFIED_REACHES:
        raise ReviewError(f"reach must be one of {', '.join(CLASSIFIED_REACHES)}", "reach")
    found = records(con, "review_outlet", {"outlet": outlet})
    if not found:
        raise ReviewError(f"there is no outlet '{outlet}'", "no_outlet", outlet=outlet)
    domains = list(found[0]["domains"])
    if found[0]["in_registry"]:
        raise ReviewError(f"'{outlet}' is already in the registry; change its reach in sources.yaml", "in_registry",
                          outlet=outlet)
    name = re.sub(r"\s+", " ", (name or "").strip()) or outlet
    region, language = (region or "").strip(), (language or "").strip()
    if name != outlet and records(con, "review_outlet", {"outlet": name}):
        raise ReviewError(f"the name '{name}' is already used by an outlet in the registry: add the address "
                          f"{', '.join(domains)} to that outlet's domains in sources.yaml by hand", "name_taken",
                          name=name, domains=", ".join(domains))
    when = _now()
    # sources.yaml gets region "" (its format); the warehouse stores "no region" as NULL (load_outlets)
    params = {"outlet": outlet, "name": name, "reach": reach, "region": region or None, "language": language}
    comment = f"added from the review desk by {' '.join(reviewer.split())}, {date.today().isoformat()}"
    try:
        review_id = str(uuid.uuid4())
        with outlet_added(sources, name, domains, reach, region, language, comment):
            for txn in transactions(con, who="desk"):
                with txn:
                    if name == outlet:
                        run(con, "review_outlet_classify", params)
                    else:
                        run(con, "review_outlet_rename", params)
                        run(con, "review_outlet_move", params)
                        run(con, "review_outlet_drop_placeholder", params)
                    run(con, "review_reach_history", {"outlet": name, "reach": reach, "decided_at": when})
                    run(con, "review_outlet_log", {
                        "review_id": review_id, "outlet": name, "was_named": outlet, "domains": domains,
                        "reach": reach, "region": region or None, "language": language, "reviewer": reviewer,
                        "decided_at": when})
    except RegistryError as exc:
        raise ReviewError(str(exc)) from None
    return name


# --------------------------------------------------------------------------- labels for evaluate

def review_labels(con) -> list[dict]:
    """The decisions in force as labels `flows.evaluate.score` can use: one dict per reviewed
    article with url, counted (True only when confirmed), theme (the person's, else the
    tagger's, for confirmed ones), process, reach and date (from the database), plus decision,
    duplicate_of, note, reviewer, decided_at. The rules are in warehouse/queries/review_labels.sql,
    which `flows.labelled.from_reviews` reads too."""
    keep = ("url", "counted", "theme", "process", "reach", "date",
            "decision", "duplicate_of", "note", "reviewer", "decided_at")
    return [{k: r[k] for k in keep} for r in records(con, "review_labels")]


def tagger_verdicts(con) -> list[dict]:
    """What the tagger alone counted among the reviewed articles (reviews not applied), shaped
    like `evaluation_appearances`: `score(review_labels(con), tagger_verdicts(con))` measures the
    tagger against the people's decisions."""
    return records(con, "review_tagger_verdicts")
