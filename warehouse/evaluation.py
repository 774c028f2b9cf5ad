"""Scoring what the database counts against labelled articles: the rule that says whether
the monitor can be trusted.

`score` is a pure function of the labels and of the rows the warehouse views give;
`read_database` reads those rows from a database made from a labelled corpus (by
`prodesc-monitor evaluate`, which crawls the corpus first). It lives here, below the
application, because the rule is about stored appearances and the warehouse's own views:
the command, the review desk (`evaluate --reviews`) and training all judge with it.
Article-level precision and recall decide whether the tagger can be trusted; theme,
reach and date accuracy and the tallies decide whether the printed numbers can.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.urls import url_key

# The labelled corpora's expected.json hold the tally of one past year (`tally_2023`) and the
# weekly counts of one recent year (`weekly_2026`): the years whose counts are compared.
TALLY_YEAR = 2023
WEEKLY_YEAR = 2026


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    theme_right: int = 0
    reach_right: int = 0
    date_right: int = 0
    counted_twice: list = field(default_factory=list)
    false_positives: list = field(default_factory=list)
    false_negatives: list = field(default_factory=list)
    tally_mismatches: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, right: int) -> float:
        return right / self.tp if self.tp else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "theme_accuracy": round(self.accuracy(self.theme_right), 4),
                "reach_accuracy": round(self.accuracy(self.reach_right), 4),
                "date_accuracy": round(self.accuracy(self.date_right), 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "counted_twice": self.counted_twice,
                "false_positives": self.false_positives, "false_negatives": self.false_negatives,
                "tally_mismatches": self.tally_mismatches}


def score(labels: list[dict], appearances: list[dict], expected: dict | None = None,
          yearly: dict | None = None, weekly: dict | None = None) -> Score:
    """Compare appearances (rows of the `appearances` view) with labelled articles."""
    s = Score()
    by_key = {url_key(l["url"]): l for l in labels}
    seen = Counter()
    for row in appearances:
        label = by_key.get(row["url_key"]) or by_key.get(url_key(row["url"]))
        if label is not None and label.get("counted") is None:
            continue   # labelled ambiguous (counted: null): not scored either way
        if label is None or not label.get("counted"):
            s.fp += 1
            s.false_positives.append({"url": row["url"], "theme": row["theme"], "process": row.get("process"),
                                      "trap": label.get("trap") if label else "not in labels",
                                      "roles": label.get("roles") if label else []})
            continue
        seen[label["url"]] += 1
        if seen[label["url"]] > 1:
            s.counted_twice.append(label["url"])
            continue
        s.tp += 1
        s.theme_right += row["theme"] == label["theme"]
        s.reach_right += row["reach"] == label["reach"]
        s.date_right += row["date"] == label["date"]
    for label in labels:
        if label.get("counted") and not seen[label["url"]]:
            s.fn += 1
            s.false_negatives.append({"url": label["url"], "theme": label["theme"], "process": label["process"],
                                      "roles": label.get("roles", [])})
    tally_key, weekly_key = f"tally_{TALLY_YEAR}", f"weekly_{WEEKLY_YEAR}"
    if expected and expected.get(tally_key) and yearly is not None:   # an empty tally: dates not scored
        for theme, cells in expected.get(tally_key, {}).items():
            for reach, n in cells.items():
                got = yearly.get((theme, reach), 0)
                if got != n:
                    s.tally_mismatches.append(f"{TALLY_YEAR} {theme}/{reach}: expected {n}, got {got}")
        for (theme, reach), got in yearly.items():
            if got and reach not in expected.get(tally_key, {}).get(theme, {}):
                s.tally_mismatches.append(f"{TALLY_YEAR} {theme}/{reach}: expected 0, got {got}")
    if expected and weekly is not None:
        for week, cells in expected.get(weekly_key, {}).items():
            got_cells = {k: v for (w, k), v in weekly.items() if w == week}
            for key in set(cells) | set(got_cells):
                if cells.get(key, 0) != got_cells.get(key, 0):
                    s.tally_mismatches.append(f"{week} {key}: expected {cells.get(key, 0)}, got {got_cells.get(key, 0)}")
    return s


def read_database(db: Path) -> tuple[list[dict], dict, dict]:
    """What `score` compares, read only: the appearances (with their URL keys), the tally of
    TALLY_YEAR by (theme, reach), and WEEKLY_YEAR's counts by (week, "theme|reach"). The
    yearly numbers are the `tally` query's, the very numbers `prodesc-monitor tally` prints."""
    from warehouse.db import connect, records, rows

    con = connect(db, read_only=True)
    try:
        appearances = records(con, "evaluation_appearances")
        yearly = {(t, r): n for t, r, n in rows(con, "tally", {"year": TALLY_YEAR})}
        weekly = {(w, f"{t}|{r}"): n for w, t, r, n in rows(con, "evaluation_weekly", {"year": WEEKLY_YEAR})}
    finally:
        con.close()
    return appearances, yearly, weekly
