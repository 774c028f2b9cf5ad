"""The end-of-run summary, in words the communications team reads.

Per outlet: pages fetched, articles, appearances, and what was skipped and why.
The same table is printed by the CLI and attached to the Prefect run.
"""
from __future__ import annotations

SKIP_WORDS = {
    "not_html": "not a web page (PDF, image...)",
    "http_error": "error page",
    "fetch_failed": "could not be fetched",
    "empty": "empty page",
    "not_an_article": "not an article (tag or section page)",
    "no_text": "no readable text",
}


def summary_rows(result) -> list[tuple[str, int, int, int, str]]:
    rows = []
    for outlet, counts in sorted(result.loaded.per_outlet.items()):
        skipped = ", ".join(f"{n} {SKIP_WORDS.get(k.split(': ', 1)[1], k)}"
                            for k, n in sorted(counts.items()) if k.startswith("skipped: "))
        rows.append((outlet, counts.get("fetched", 0), counts.get("articles", 0),
                     counts.get("appearances", 0), skipped or "-"))
    return rows


def summary_markdown(result) -> str:
    s, c = result.loaded, result.crawl_stats
    lines = [
        f"**Crawl {result.run_id}**: {s.pages} pages fetched, {s.articles} articles read, "
        f"{s.appearances} appearances found ({s.new_articles} articles new to the database).",
        "",
        f"Feeds read: {c.get('prodesc/feed_feeds', 0)} outlet feeds, {c.get('prodesc/discovery_feeds', 0)} news-search feeds; "
        f"ill-formed feeds read anyway: {c.get('prodesc/feeds_ill_formed', 0)}; pages refused by robots.txt: "
        f"{c.get('robotstxt/forbidden', 0)}; retries: {c.get('retry/count', 0)}; feeds or sitemaps that could not "
        f"be fetched: {c.get('prodesc/failed/listing', 0)}; articles already stored (not fetched again): "
        f"{c.get('prodesc/skipped/already_stored', 0)}.",
        "",
        "| Outlet | Pages fetched | Articles | Appearances | Skipped |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [f"| {o} | {f} | {a} | {p} | {sk} |" for o, f, a, p, sk in summary_rows(result)]
    return "\n".join(lines)
