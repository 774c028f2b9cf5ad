"""Scoring the whole pipeline against a labelled corpus.

`score` is a pure function of the labels and of what the database says; the
command (`prodesc-monitor evaluate`) crawls the corpus through its replay proxy
first, or reads a database already made from it. Article-level precision and
recall decide whether the tagger can be trusted; theme, reach and date accuracy
and the tallies decide whether the printed numbers can.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.urls import url_key


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


def read_labels(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


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
    if expected and expected.get("tally_2023") and yearly is not None:   # an empty tally: dates not scored
        for theme, cells in expected.get("tally_2023", {}).items():
            for reach, n in cells.items():
                got = yearly.get((theme, reach), 0)
                if got != n:
                    s.tally_mismatches.append(f"2023 {theme}/{reach}: expected {n}, got {got}")
        for (theme, reach), got in yearly.items():
            if got and reach not in expected.get("tally_2023", {}).get(theme, {}):
                s.tally_mismatches.append(f"2023 {theme}/{reach}: expected 0, got {got}")
    if expected and weekly is not None:
        for week, cells in expected.get("weekly_2026", {}).items():
            got_cells = {k: v for (w, k), v in weekly.items() if w == week}
            for key in set(cells) | set(got_cells):
                if cells.get(key, 0) != got_cells.get(key, 0):
                    s.tally_mismatches.append(f"{week} {key}: expected {cells.get(key, 0)}, got {got_cells.get(key, 0)}")
    return s


def read_database(db: Path) -> tuple[list[dict], dict, dict]:
    from warehouse.db import connect, query

    con = connect(db, read_only=True)
    try:
        cur = con.execute(query("evaluation_appearances"))
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
        yearly = {(t, r): n for t, r, n in con.execute(
            "SELECT theme, reach, appearances FROM yearly_tally WHERE year = 2023").fetchall()}
        weekly = {(w, f"{t}|{r}"): n for w, t, r, n in con.execute(
            "SELECT week, theme, reach, appearances FROM weekly_counts WHERE week LIKE '2026-W%'").fetchall()}
    finally:
        con.close()
    return rows, yearly, weekly


def format_report(s: Score) -> str:
    d = s.as_dict()
    lines = [
        f"Article level: precision {d['precision']:.3f}, recall {d['recall']:.3f}, F1 {d['f1']:.3f} "
        f"({s.tp} right, {s.fp} counted wrongly, {s.fn} missed)",
        f"Of the right ones: theme {d['theme_accuracy']:.3f}, reach {d['reach_accuracy']:.3f}, date {d['date_accuracy']:.3f}",
        f"Counted twice: {len(s.counted_twice)}",
    ]
    if s.false_positives:
        lines.append("Counted but should not be (by trap / process):")
        for (trap, proc), n in Counter((f["trap"], f["process"]) for f in s.false_positives).most_common():
            lines.append(f"  {n} x trap={trap} process={proc}")
        lines += [f"    {f['url']}" for f in s.false_positives]
    if s.false_negatives:
        lines.append("Missed (by process):")
        for proc, n in Counter(f["process"] for f in s.false_negatives).most_common():
            lines.append(f"  {n} x {proc}")
        lines += [f"    {f['url']} {f['roles'] or ''}" for f in s.false_negatives]
    lines.append("Tallies: " + ("match expected.json cell by cell" if not s.tally_mismatches
                                else f"{len(s.tally_mismatches)} cells differ"))
    lines += [f"  {m}" for m in s.tally_mismatches]
    return "\n".join(lines)


@contextmanager
def replay_proxy(corpus: Path, log_path: Path):
    """The corpus's own replay proxy when it ships one (../tools/replay_proxy.py), else ours."""
    script = corpus.resolve().parent / "tools" / "replay_proxy.py"
    if not script.exists():
        from flows.demo.sampleweb import serving
        with serving(corpus / "web", log_path=log_path) as url:
            yield url
        return
    import socket
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, str(script), str(corpus), "--port", str(port), "--log", str(log_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"The corpus replay proxy {script} stopped at start: {proc.stderr.read()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"The corpus replay proxy {script} did not answer within 20 s") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
