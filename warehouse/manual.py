"""Manual appearances: print, radio, TV and other coverage the crawler cannot see.

The communications team keeps them in a spreadsheet and saves it as CSV with these
columns (header row required; the optional ones may be left out or empty):

    date, outlet, medium, theme, title, [url], [reach], [process], [note], [added_by]

`date` is YYYY-MM-DD; `medium` is print, radio, tv, online or other; `theme` is
land_territory, labour, defenders or institutional; `reach` (local, national,
international) is needed only for an outlet that is not in the registry. Loading the
same row twice stores it once: each row's id is made from its date, outlet, medium
and title.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.errors import UserError
from pipelines.vocabulary import CLASSIFIED_REACHES, THEMES
from warehouse.db import query, transactions

MEDIA = ("print", "radio", "tv", "online", "other")
REQUIRED = ("date", "outlet", "medium", "theme", "title")


class ManualCSVError(UserError):
    """A row of the CSV is wrong; the message names the row and the column."""


@dataclass(frozen=True)
class ManualAppearance:
    manual_id: str
    outlet: str
    reach: str | None
    medium: str
    published_date: date
    theme: str
    process: str | None
    title: str
    url: str | None
    note: str | None
    added_by: str | None


def read_manual_csv(path: Path) -> list[ManualAppearance]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ManualCSVError(f"{path}: the header lacks the column(s) {', '.join(missing)}; "
                                 f"expected at least {', '.join(REQUIRED)}")
        rows = []
        for n, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            where = f"{path}, row {n}"
            try:
                day = date.fromisoformat(row["date"])
            except ValueError:
                raise ManualCSVError(f"{where}: date '{row['date']}' is not like 2023-05-31") from None
            for col, allowed in (("medium", MEDIA), ("theme", THEMES)):
                if row[col].lower() not in allowed:
                    raise ManualCSVError(f"{where}: {col} '{row[col]}' must be one of {', '.join(allowed)}")
            reach = row.get("reach", "").lower() or None
            if reach and reach not in CLASSIFIED_REACHES:
                raise ManualCSVError(f"{where}: reach '{reach}' must be one of {', '.join(CLASSIFIED_REACHES)}")
            if not row["outlet"] or not row["title"]:
                raise ManualCSVError(f"{where}: outlet and title cannot be empty")
            key = "|".join([day.isoformat(), row["outlet"].lower(), row["medium"].lower(), row["title"].lower()])
            rows.append(ManualAppearance(
                manual_id=hashlib.sha1(key.encode()).hexdigest()[:16], outlet=row["outlet"], reach=reach,
                medium=row["medium"].lower(), published_date=day, theme=row["theme"].lower(),
                process=row.get("process") or None, title=row["title"], url=row.get("url") or None,
                note=row.get("note") or None, added_by=row.get("added_by") or None))
    return rows


def add_manual(con, rows: list[ManualAppearance]) -> int:
    """Insert or update the rows (idempotent). Returns how many were new."""
    batch = list({r.manual_id: r for r in rows}.values())       # one row per id, the last one wins
    for txn in transactions(con, who="manual"):
        with txn:
            before = con.execute("SELECT count(*) FROM manual_appearances").fetchone()[0]
            con.execute("CREATE OR REPLACE TEMP TABLE manual_batch AS SELECT * EXCLUDE (added_at) "
                        "FROM manual_appearances LIMIT 0")
            con.executemany("INSERT INTO manual_batch VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(r.manual_id, r.outlet, r.reach, r.medium, r.published_date, r.theme, r.process,
                              r.title, r.url, r.note, r.added_by) for r in batch])
            con.execute(query("manual_merge"))
            added = con.execute("SELECT count(*) FROM manual_appearances").fetchone()[0] - before
    return added
