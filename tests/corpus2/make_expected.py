"""Compute expected.json from labels.jsonl (counting rules: counted appearances only;
2023 tally by theme and reach on the Mexico City date; ISO weeks of 2026; unclassified domains)."""
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

here = Path(__file__).parent
labels = [json.loads(l) for l in (here / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
tally, weekly, unclassified = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int)), set()
for l in labels:
    if not l["counted"]:
        continue
    d = date.fromisoformat(l["date"])
    if d.year == 2023:
        tally[l["theme"]][l["reach"]] += 1
    if d.year == 2026:
        y, w, _ = d.isocalendar()
        weekly[f"{y}-W{w:02d}"][f"{l['theme']}|{l['reach']}"] += 1
    if l["reach"] == "unclassified":
        unclassified.add(l["domain"])
out = {"now": "2026-11-28T08:00:00-06:00",
       "tally_2023": {t: dict(sorted(c.items())) for t, c in sorted(tally.items())},
       "tally_2023_total": sum(sum(c.values()) for c in tally.values()),
       "weekly_2026": {w: dict(sorted(c.items())) for w, c in sorted(weekly.items())},
       "unclassified_domains": sorted(unclassified),
       "articles": len(labels), "counted": sum(l["counted"] for l in labels)}
(here / "expected.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print(json.dumps(out, indent=1, ensure_ascii=False))
