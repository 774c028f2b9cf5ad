"""Ground truth of ../shared/realdata: what a correct extraction of each saved page keeps and drops.

Shared by tests/test_hostile_realdata.py (our extraction must stay above a floor) and
bench/peers.py (our extraction beside news-please's, scored the same way). Standard
library only: the scores are computed in our process for every tool, whichever virtual
environment produced the text.

Ground truth comes from the projects the pages were copied from (see MANIFEST.md):
  - trafilatura's evaluation set: snippets a correct main text must contain ("with")
    and must not contain ("without": menus, teasers, comments);
  - fundus, scrapinghub's article-extraction-benchmark and newspaper4k: the article body,
    scored as the share of its words found (recall).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Expected:
    url: str | None
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()
    body: str | None = None


def expected_for(html: Path, realdata: Path) -> Expected:
    """The ground truth for `html/<group>/<stem>.html`, from whichever file of `expected/<group>/` exists."""
    group, stem = html.parent.name, html.stem
    exp = realdata / "expected" / group
    candidate = exp / f"{stem}.expected.json"
    if candidate.exists():
        data = json.loads(candidate.read_text(encoding="utf-8"))
        body = data.get("articleBody")
        if body is None and isinstance(data.get("expected"), dict):
            sections = data["expected"].get("body", {}).get("sections", [])
            body = "\n".join(p for s in sections for p in s.get("paragraphs", []))
        return Expected(data.get("url"), tuple(data.get("must_contain", [])),
                        tuple(data.get("must_not_contain", [])), body or None)
    meta = exp / f"{stem}.metadata.json"
    if meta.exists():
        data = json.loads(meta.read_text(encoding="utf-8"))
        text = exp / f"{stem}.txt"
        return Expected(data.get("url"), body=text.read_text(encoding="utf-8") if text.exists() else None)
    return Expected(None)


def norm(text: str) -> str:
    """Whitespace collapsed, lower case: a snippet is found whatever the line breaks."""
    return " ".join(text.split()).lower()


@dataclass
class Score:
    """Snippets found and wrongly kept, body-word recall, over the pages scored so far."""
    snippets: int = 0
    snippets_found: int = 0
    leaks_checked: int = 0
    leaks: int = 0
    body_pages: int = 0
    body_recall_sum: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, name: str, expected: Expected, text: str) -> None:
        """Score one page's extracted text (title and body; "" for a page the tool gave nothing for)."""
        text = norm(text)
        for snippet in expected.must_contain:
            self.snippets += 1
            if norm(snippet) in text:
                self.snippets_found += 1
            else:
                self.failures.append(f"missing in {name}: {snippet[:60]}")
        for snippet in expected.must_not_contain:
            self.leaks_checked += 1
            self.leaks += norm(snippet) in text
        if expected.body:
            want = set(WORD.findall(expected.body.lower()))
            if want:
                self.body_pages += 1
                self.body_recall_sum += len(want & set(WORD.findall(text))) / len(want)

    @property
    def found_share(self) -> float:
        return self.snippets_found / self.snippets if self.snippets else 0.0

    @property
    def leak_share(self) -> float:
        return self.leaks / self.leaks_checked if self.leaks_checked else 0.0

    @property
    def body_recall(self) -> float:
        return round(self.body_recall_sum / self.body_pages, 3) if self.body_pages else 0.0

    def as_dict(self) -> dict:
        return {"with_found": self.snippets_found, "with_total": self.snippets,
                "with_share": round(self.found_share, 3),
                "without_kept": self.leaks, "without_total": self.leaks_checked,
                "without_share": round(self.leak_share, 3),
                "body_pages": self.body_pages, "body_recall": self.body_recall}
