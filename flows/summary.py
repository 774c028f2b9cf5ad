"""The end-of-run summary, in words the communications team reads (Spanish by default).

Per outlet: pages fetched, articles, appearances, and what was skipped and why.
`summary_text` is for the terminal (`crawl`, `demo`): plain sentences and an aligned table,
no Markdown. `summary_markdown` is the same summary attached to the Prefect run, where
Markdown renders. The words are in flows/commands/messages/<lang>.yaml.
"""
from __future__ import annotations

import unicodedata

from flows.commands.language import Words, number

SKIP_PREFIX = "skipped: "
DETAILS = {   # the crawl's statistics behind each line of the details
    "ill_formed": "prodesc/feeds_ill_formed",
    "robots": "robotstxt/forbidden",
    "retries": "retry/count",
    "failed_listings": "prodesc/failed/listing",
    "already_stored": "prodesc/skipped/already_stored",
}


def skip_words(reason: str, lang: str = "es") -> str:
    """A skip reason (pipelines.records.SkipReason) as the team reads it."""
    return Words(lang)["skip_reasons"].get(reason, reason)


def summary_rows(result, lang: str = "es") -> list[tuple[str, int, int, int, str]]:
    """(outlet, pages fetched, articles, appearances, what was skipped and why) per outlet."""
    rows = []
    for outlet, counts in sorted(result.loaded.per_outlet.items()):
        skipped = "; ".join(f"{skip_words(k[len(SKIP_PREFIX):], lang)}: {number(n)}"
                            for k, n in sorted(counts.items()) if k.startswith(SKIP_PREFIX))
        rows.append((outlet, counts.get("fetched", 0), counts.get("articles", 0),
                     counts.get("appearances", 0), skipped or "-"))
    return rows


def _headline(result, words: Words) -> str:
    s = result.loaded
    return words("run", run_id=result.run_id, pages=words.n("pages", s.pages),
                 articles=words.n("articles_read", s.articles),
                 appearances=words.n("appearances_found", s.appearances),
                 new=words.n("new_articles", s.new_articles))


def _leftovers(result, words: Words) -> list[str]:
    """Pages other runs had left and this one stored: said apart, never in this run's counts."""
    left = getattr(result, "leftovers", None) or {}
    if not left:
        return []
    pages = sum(s.pages for s in left.values())
    articles = sum(s.articles for s in left.values())
    appearances = sum(s.appearances for s in left.values())
    return ["", words("leftovers", pages=words.n("pending_pages", pages), runs=", ".join(sorted(left)),
                      articles=words.n("articles", articles), appearances=words.n("appearances", appearances))]


def _details(result, words: Words) -> str:
    c = result.crawl_stats
    listings = words("listings", feeds=words.n("feeds", c.get("prodesc/feed_feeds", 0)),
                     discovery=words.n("discovery", c.get("prodesc/discovery_feeds", 0)))
    details = "; ".join(f"{label[0].upper()}{label[1:]}: {number(c.get(DETAILS[key], 0))}" if i == 0 else
                        f"{label}: {number(c.get(DETAILS[key], 0))}"
                        for i, (key, label) in enumerate(words["details"].items()))
    return f"{listings} {details}."


def _width(text: str) -> int:
    return len(unicodedata.normalize("NFC", text))


def summary_text(result, lang: str = "es") -> str:
    """For the terminal: two plain paragraphs and an aligned table, one row per outlet."""
    words = Words(lang)
    lines = [_headline(result, words), *_leftovers(result, words), "", _details(result, words), ""]
    rows = [(o, number(f), number(a), number(p), sk) for o, f, a, p, sk in summary_rows(result, lang)]
    if not rows:
        return "\n".join([*lines, words["no_outlets"]])
    table = [tuple(words["columns"]), *rows]
    widths = [max(_width(row[i]) for row in table) for i in range(4)]

    def line(row) -> str:
        cells = [row[0] + " " * (widths[0] - _width(row[0]))]
        cells += [" " * (widths[i] - _width(row[i])) + row[i] for i in (1, 2, 3)]
        return "  ".join([*cells, row[4]]).rstrip()

    lines += [line(table[0]), "  ".join("-" * w for w in widths) + "  " + "-" * _width(table[0][4]),
              *map(line, rows)]
    return "\n".join(lines)


def summary_markdown(result, lang: str = "es") -> str:
    """For the Prefect run's artifact (Markdown renders there): the same summary as a table."""
    words = Words(lang)
    headline = _headline(result, words)
    title = words("artifact_title", run_id=result.run_id)
    lines = [f"**{title}**{headline[len(title):]}" if headline.startswith(title) else headline,
             *_leftovers(result, words), "",
             _details(result, words), "",
             "| " + " | ".join(words["columns"]) + " |", "|---|---:|---:|---:|---|"]
    lines += [f"| {o.replace('|', '/')} | {number(f)} | {number(a)} | {number(p)} | {sk} |"
              for o, f, a, p, sk in summary_rows(result, lang)]
    return "\n".join(lines)
