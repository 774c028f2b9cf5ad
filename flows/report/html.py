"""HTML for people: the one Jinja2 environment (the reports' and the review desk's templates
in flows/templates/), links only to web addresses, and mentions marked in a sentence.

Everything that comes from the web (titles, sentences, outlet names) is escaped by
Jinja2's autoescape, on for every template.
"""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).parent.parent / "templates"


def safe_href(url: str | None) -> str | None:
    """Only web addresses become links: a `javascript:` or `data:` URL from the web never does."""
    if url and re.match(r"^https?://", url, re.IGNORECASE):
        return url
    return None


def highlight(text: str | None, terms) -> list[tuple[str, bool]]:
    """Split a sentence into (piece, is_mention) so a template can mark the mentions (escaped).

    `terms` are the texts the tagger accepted as mentions in this sentence (the report's query
    drops any text a rejected mention also found there, so a look-alike such as Bachoco in
    business news is never marked). A name is marked whole: "Unión Hidalgo" and "Alejandra
    Ancheita" as one mark each, longest name first, whatever spaces or line breaks the page put
    between their words, and only as whole words ("ProDESCx" is not ProDESC)."""
    if not text:
        return []
    terms = sorted({t.strip() for t in (terms or []) if t and t.strip()}, key=len, reverse=True)
    if not terms:
        return [(text, False)]
    names = [r"\s+".join(re.escape(word) for word in t.split()) for t in terms]
    pattern = re.compile(r"(?<!\w)(" + "|".join(names) + r")(?!\w)", re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def environment():
    """Jinja2 with autoescape on for every template (HTML from the web shows as text)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["href"] = safe_href
    return env


def write_page(out_dir, name: str, html: str) -> Path:
    """Write a report's HTML as ``out_dir/name.html`` (the folder made if needed); returns
    the stem, so the caller adds its spreadsheets beside it with the same name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / name
    stem.with_suffix(".html").write_text(html, encoding="utf-8")
    return stem
