"""Manual appearances: print, radio, TV and other coverage the crawler cannot see.

The communications team keeps them in a spreadsheet and saves it as CSV (template:
docs/plantilla-apariciones.csv; guide: docs/apariciones-manuales.md). A header row is
required; Spanish or English column names, in any order, any case, with or without accents:

    fecha/date, medio/outlet, tema/theme, título/title              (required)
    tipo/medium, alcance/reach, enlace/url, proceso/process,
    nota/note, agregado_por/added_by                               (optional)

- the date is dd/mm/aaaa (31/05/2024, Mexico's way) or ISO (2024-05-31);
- the theme is a code (land_territory, labour, defenders, institutional) or its name in
  Spanish or English (pipelines.vocabulary.THEME_NAMES), or a short form: tierra, laboral,
  personas defensoras, institucional;
- the reach (local, nacional/national, internacional/international) is needed only for an
  outlet that is not in the registry;
- the medium is print, radio, tv, online or other (impreso, radio, televisión, en línea,
  otro); empty means other.

The template's example rows (their note starts with «EJEMPLO») are rejected, so a template
saved with them still in it adds nothing made up. Reading never stops at a bad row: `read_manual_csv` returns the good rows and, for each
bad one, a `Problem` (its line in the file, a message key and the values to name); the
CLI words them (flows/commands/messages/*.yaml). Loading the same row twice stores it
once: each row's id is made from its date, outlet, medium and title.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.vocabulary import CLASSIFIED_REACHES, REACH_NAMES, THEME_NAMES, THEMES, today_mexico
from warehouse.db import query, transactions

MEDIA = ("print", "radio", "tv", "online", "other")
REQUIRED = ("date", "outlet", "theme", "title")
EXAMPLE = "ejemplo"   # a note that starts so marks the template's example rows: never added


def fold(text: str) -> str:
    """Lower-case, accents stripped, `_` and `-` as spaces, spaces collapsed: «Título» -> «titulo»."""
    text = unicodedata.normalize("NFKD", str(text).strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[_\-]+", " ", text).split())


def _aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(word): code for code, words in table.items() for word in (code, *words)}


COLUMNS = _aliases({
    "date": ("fecha", "fecha de publicacion", "dia"),
    "outlet": ("medio", "nombre del medio", "outlet name"),
    "medium": ("tipo", "tipo de medio", "soporte"),
    "theme": ("tema",),
    "title": ("titulo", "titular", "encabezado"),
    "url": ("enlace", "liga", "link", "direccion", "direccion web"),
    "reach": ("alcance",),
    "process": ("proceso",),
    "note": ("nota", "notas", "observaciones", "comentario", "comentarios"),
    "added_by": ("agregado por", "agrego", "capturo", "capturado por", "quien"),
})
THEME_WORDS = _aliases({
    "land_territory": ("tierra", "territorio", "tierra territorio", "land"),
    "labour": ("laboral", "laborales", "derechos laborales", "trabajo", "labor"),
    "defenders": ("personas defensoras", "defensoras", "defensores", "defensa", "derecho a defender"),
    "institutional": (),
}) | _aliases({t: (THEME_NAMES[t]["es"], THEME_NAMES[t]["en"]) for t in THEMES})
REACH_WORDS = _aliases({r: (REACH_NAMES[r]["es"], REACH_NAMES[r]["en"]) for r in CLASSIFIED_REACHES})
UNCLASSIFIED_WORDS = {fold(w) for w in ("unclassified", *REACH_NAMES["unclassified"].values(), "-", "?")}
MEDIUM_WORDS = _aliases({
    "print": ("impreso", "impresa", "prensa", "prensa impresa", "periodico", "revista", "papel"),
    "radio": ("la radio",),
    "tv": ("television", "tele", "t.v.", "television abierta"),
    "online": ("en linea", "internet", "digital", "web", "redes", "redes sociales"),
    "other": ("otro", "otra", "otros"),
})
assert set(MEDIUM_WORDS.values()) == set(MEDIA)

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?(\s*[ap]\.?\s*m\.?)?$", re.IGNORECASE)   # "31/05/2024 0:00"


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


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file) was rejected: `key` names a message, `values` fill it in.
    `line` is the row's line in the file as a spreadsheet numbers it (the header is line 1);
    None for the file as a whole."""
    line: int | None
    key: str
    values: dict = field(default_factory=dict)


@dataclass
class ManualCSV:
    rows: list[ManualAppearance]
    problems: list[Problem]
    read: int = 0          # data rows in the file (blank lines left out)


class NotADate(ValueError):
    """`key`: bad_date (not a date's shape), no_such_date (31/02/2024) or month_first (05/31/2024,
    the month written first, as in the United States)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse_day(text: str) -> date:
    """31/05/2024 (day first, as Mexico writes it), 31-05-2024, 31.05.2024 or 2024-05-31.
    Raises NotADate, whose `key` says what is wrong."""
    text = _TIME.sub("", text.strip())
    if m := _ISO.fullmatch(text):
        y, mo, d = map(int, m.groups())
    elif m := _DMY.fullmatch(text):
        d, mo, y = map(int, m.groups())
        if mo > 12 and 1 <= d <= 12:
            raise NotADate("month_first")
    else:
        raise NotADate("bad_date")
    try:
        return date(y, mo, d)
    except ValueError:
        raise NotADate("no_such_date") from None


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes for «CSV UTF-8»), else Windows' Latin
    encoding (Excel's plain «CSV» on a Windows in Spanish)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    """A comma, unless the header has none and is split by semicolons or tabs."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_manual_csv(path: Path, processes: dict[str, str] | None = None) -> ManualCSV:
    """The good rows of the CSV and a `Problem` for each bad one (and for the file, if it has no
    usable header). Never raises for what is in the file.

    `processes` maps each way of naming a case (folded: id, Spanish or English name, its
    names and acronyms in the knowledge base) to its id, so a manual appearance stores the id
    crawled ones do and the reports name it; a case not in it rejects the row. None: stored as written."""
    data = Path(path).read_bytes()
    if b"\x00" in data[:4096] or data[:4] == b"PK\x03\x04":
        kind = "xlsx" if data[:2] == b"PK" else "binary"
        return ManualCSV([], [Problem(None, "unreadable", {"detail": kind})])
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    header = next(reader, [])
    columns = [COLUMNS.get(fold(h)) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return ManualCSV([], [Problem(1, "missing_columns", {"columns": missing})])
    result = ManualCSV([], [])
    today = today_mexico()
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        result.read += 1
        row: dict[str, str] = {}
        for name, value in zip(columns, cells):
            if name and name not in row:
                row[name] = value.strip()
        appearance, problems = _row(row, start, today, processes)
        if problems:
            result.problems += problems
        else:
            result.rows.append(appearance)
    return result


def _row(row: dict[str, str], line: int, today: date,
         processes: dict[str, str] | None = None) -> tuple[ManualAppearance | None, list[Problem]]:
    problems = []

    def bad(key: str, **values) -> None:
        problems.append(Problem(line, key, values))

    if fold(row.get("note", "")).startswith(EXAMPLE):
        bad("example_row")
        return None, problems
    for column in REQUIRED:
        if not row.get(column):
            bad("missing", column=column)
    day = None
    if row.get("date"):
        try:
            day = parse_day(row["date"])
        except NotADate as exc:
            bad(exc.key, value=row["date"])
        else:
            if day > today:
                bad("future_date", value=row["date"])
    theme = THEME_WORDS.get(fold(row.get("theme", "")))
    if row.get("theme") and theme is None:
        bad("bad_theme", value=row["theme"])
    reach = None
    if row.get("reach") and fold(row["reach"]) not in UNCLASSIFIED_WORDS:
        reach = REACH_WORDS.get(fold(row["reach"]))
        if reach is None:
            bad("bad_reach", value=row["reach"])
    medium = MEDIUM_WORDS.get(fold(row.get("medium") or "other"))
    if medium is None:
        bad("bad_medium", value=row["medium"])
    process = row.get("process") or None
    if process and processes is not None:
        process = processes.get(fold(process))
        if process is None:
            bad("bad_process", value=row["process"])
    url = row.get("url") or None
    if url and not re.match(r"https?://\S+$", url, re.IGNORECASE):
        bad("bad_url", value=url)
    if problems:
        return None, problems
    key = "|".join([day.isoformat(), row["outlet"].lower(), medium, row["title"].lower()])
    return ManualAppearance(
        manual_id=hashlib.sha1(key.encode()).hexdigest()[:16], outlet=row["outlet"], reach=reach, medium=medium,
        published_date=day, theme=theme, process=process, title=row["title"], url=url,
        note=row.get("note") or None, added_by=row.get("added_by") or None), []


def add_manual(con, rows: list[ManualAppearance]) -> int:
    """Insert or update the rows (idempotent). Returns how many were new."""
    batch = list({r.manual_id: r for r in rows}.values())       # one row per id, the last one wins
    if not batch:
        return 0
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
