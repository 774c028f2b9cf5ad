"""The annual report's media table: themes as rows, reach as columns.

Labels come in Spanish and English because the annual report is published in
both. Counts come only from the `yearly_tally` view, so the printed number is
the number an analyst gets from SQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.errors import UserError
from pipelines.vocabulary import REACHES, REACH_NAMES, THEMES, THEME_NAMES

__all__ = ["REACHES", "STRONG_IN_TITLE_CODES", "STRONG_REJECTION_CODES", "THEMES", "AlreadyFrozen", "Checklist", "NotFrozen", "Recount",
           "SnapshotGone", "compare", "format_table", "freeze", "freeze_checklist", "frozen_years", "recount_frozen",
           "table_rows", "tally", "tally_at_snapshot", "write_outputs"]

SNAPSHOT_ALIAS = "lake_at"
# Rejected candidates with strong evidence for counting them, checked before a freeze: the reason
# codes (nlp/reasons.py ReasonCode; the warehouse may not import the tagger) of a mention whose
# rules' score reached the threshold and that only the learned model turned down.
STRONG_REJECTION_CODES = ("passing_mention",)
# ... and of a name in the headline turned down only for want of context (not for look-alike cues).
STRONG_IN_TITLE_CODES = ("insufficient_context", "missing_required")


class AlreadyFrozen(UserError):
    """A published year cannot be frozen twice: its number must never change."""


class NotFrozen(UserError):
    """`--as-frozen` for a year that was never frozen."""


class SnapshotGone(UserError):
    """The lake no longer has the files of the snapshot a year was frozen on."""


class NobodyFreezes(UserError):
    """A freeze names the person who took it: the published number has someone who answers for it."""


def tally(con, year: int, frozen: bool = False) -> dict[str, dict[str, int]]:
    """The live tally from `yearly_tally`, or the frozen snapshot of that year."""
    from warehouse.db import query

    table = _empty()
    for theme, reach, n in con.execute(query("frozen_tally" if frozen else "tally"), {"year": year}).fetchall():
        table.setdefault(theme, {r: 0 for r in REACHES})[reach] = n
    return table


def format_table(table: dict[str, dict[str, int]], year: int, lang: str = "both", title: str | None = None) -> str:
    """A plain-text table for the terminal; with lang="both", Spanish above English."""
    langs = ("es", "en") if lang == "both" else (lang,)
    heads = [[("Tema" if l == "es" else "Theme"), *[REACH_NAMES[r][l] for r in (*REACHES, "total")]] for l in langs]
    rows = []
    for theme, cells in table.items():
        names = [THEME_NAMES[theme][l] for l in langs]
        rows.append([" / ".join(dict.fromkeys(names)), *[f"{cells.get(r, 0):,}" for r in REACHES],
                     f"{sum(cells.values()):,}"])
    totals = [sum(table[t].get(r, 0) for t in table) for r in REACHES]
    rows.append(["Total", *[f"{n:,}" for n in totals], f"{sum(totals):,}"])
    widths = [max(len(row[i]) for row in [*heads, *rows]) for i in range(len(rows[0]))]
    fmt = lambda row: "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)).rstrip()
    if title is None:   # Mexico's thousands comma (1,234); one appearance is singular
        n = sum(totals)
        es, en = ("1 aparición en medios", "1 media appearance") if n == 1 else (f"{n:,} apariciones en medios",
                                                                                  f"{n:,} media appearances")
        title = {"es": f"{es}, {year}", "en": f"{en}, {year}", "both": f"{es} / {en}, {year}"}[lang]
    return "\n".join([title, "", *map(fmt, heads), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def freeze(con, year: int, by: str | None = None, note: str | None = None) -> int:
    """Store the appearances the year counts now, with who froze it. Refuses a year already
    frozen, and a freeze without a name (`by`)."""
    from warehouse.db import query, transactions
    from warehouse.lake import current_snapshot

    for txn in transactions(con, who="tally"):
        with txn:
            if con.execute("SELECT count(*) FROM frozen_tallies WHERE year = ?", [year]).fetchone()[0]:
                raise AlreadyFrozen(f"{year} was already frozen; its published number cannot change. "
                                    f"Compare it with the live count with `tally --year {year} --compare`.")
            if not (by or "").strip():
                raise NobodyFreezes(f"Diga quién congela {year}: --by \"su nombre\".")
            by = by.strip()
            # The snapshot this transaction reads: the year can be counted again from it, exactly.
            snapshot = current_snapshot(con)
            con.execute(query("freeze_year"), {"year": year})
            total = con.execute("SELECT count(*) FROM frozen_appearances WHERE year = ?", [year]).fetchone()[0]
            con.execute("INSERT INTO frozen_tallies (year, frozen_by, note, total, snapshot_id) VALUES (?, ?, ?, ?, ?)",
                        [year, by, note, total, snapshot])
    return total


@dataclass
class Checklist:
    """What to look at before freezing a year: each list empty means nothing is pending."""
    year: int
    unreviewed: list[dict] = field(default_factory=list)            # counted on the tagger's word alone
    unclassified_outlets: list[dict] = field(default_factory=list)  # outlets without reach, with appearances
    strong_rejections: list[dict] = field(default_factory=list)     # not counted, strong evidence to count

    @property
    def clear(self) -> bool:
        return not (self.unreviewed or self.unclassified_outlets or self.strong_rejections)


def freeze_checklist(con, year: int) -> Checklist:
    """The year's pending work before its number is frozen for ever: appearances no person
    decided on, outlets that count as 'unclassified', and undecided candidates the tagger
    rejected although a mention had strong evidence (`STRONG_REJECTION_CODES`, or a name in the
    headline turned down for want of context: `STRONG_IN_TITLE_CODES`)."""
    from warehouse.db import records

    return Checklist(year, records(con, "freeze_unreviewed", {"year": year}),
                     records(con, "freeze_unclassified_outlets", {"year": year}),
                     records(con, "freeze_strong_rejections", {"year": year, "codes": list(STRONG_REJECTION_CODES),
                                                               "title_codes": list(STRONG_IN_TITLE_CODES)}))


def frozen_years(con) -> list[tuple]:
    return con.execute("SELECT year, frozen_at, frozen_by, total, note FROM frozen_tallies ORDER BY year").fetchall()


def compare(con, year: int) -> list[tuple[str, str, int, int]]:
    """Cells where the live count differs from the frozen one: (theme, reach, frozen, live)."""
    live, frozen = tally(con, year), tally(con, year, frozen=True)
    return [(t, r, frozen[t].get(r, 0), live[t].get(r, 0)) for t in live for r in REACHES
            if frozen[t].get(r, 0) != live[t].get(r, 0)]


def _empty() -> dict[str, dict[str, int]]:
    return {t: {r: 0 for r in REACHES} for t in THEMES}


def tally_at_snapshot(con, year: int, snapshot: int) -> dict[str, dict[str, int]]:
    """The tally of `year` as the lake was at `snapshot`: the same query as the live tally, run
    against a second, read-only attachment of the lake at that version. The views are versioned
    in the catalog too, so the count uses the views as they were then."""
    import duckdb

    from pipelines.vocabulary import TIMEZONE_NAME
    from warehouse.db import query
    from warehouse.lake import attach, location_of

    location = location_of(con)
    con.execute(f"DETACH DATABASE IF EXISTS {SNAPSHOT_ALIAS}")
    try:
        attach(con, location, alias=SNAPSHOT_ALIAS, read_only=True, snapshot=snapshot)
    except duckdb.Error as exc:
        raise SnapshotGone(f"El almacén ya no tiene la versión {snapshot} (se congeló {year} en ella): no se puede "
                           f"volver a contar. Detalle: {str(exc).splitlines()[0]}") from exc
    table = _empty()
    try:
        cur = con.cursor()        # its own default catalog: the lake at that version
        try:
            cur.execute(f"USE {SNAPSHOT_ALIAS}")
            cur.execute(f"SET TimeZone = '{TIMEZONE_NAME}'")
            for theme, reach, n in cur.execute(query("tally"), {"year": year}).fetchall():
                table.setdefault(theme, {r: 0 for r in REACHES})[reach] = n
        finally:
            cur.close()
    finally:
        con.execute(f"DETACH DATABASE IF EXISTS {SNAPSHOT_ALIAS}")
    return table


@dataclass
class Recount:
    """A frozen year counted again from the lake snapshot it was frozen on."""
    year: int
    snapshot: int | None                     # None: frozen before the lake kept snapshots (migrated)
    frozen: dict[str, dict[str, int]]
    recounted: dict[str, dict[str, int]] | None
    differences: list[tuple[str, str, int, int]]   # (theme, reach, frozen, recounted)


def recount_frozen(con, year: int) -> Recount:
    """Count a frozen year again from its snapshot and compare it cell by cell with the frozen table."""
    row = con.execute("SELECT snapshot_id FROM frozen_tallies WHERE year = ?", [year]).fetchone()
    if row is None:
        raise NotFrozen(f"{year} no está congelado: no hay con qué comparar. Congélelo con "
                        f"`prodesc-monitor tally --year {year} --freeze`.")
    frozen = tally(con, year, frozen=True)
    if row[0] is None:
        return Recount(year, None, frozen, None, [])
    again = tally_at_snapshot(con, year, row[0])
    cells = dict.fromkeys([*frozen, *again])
    diffs = [(t, r, frozen.get(t, {}).get(r, 0), again.get(t, {}).get(r, 0)) for t in cells for r in REACHES
             if frozen.get(t, {}).get(r, 0) != again.get(t, {}).get(r, 0)]
    return Recount(year, row[0], frozen, again, diffs)


def table_rows(table: dict[str, dict[str, int]], lang: str) -> tuple[list[str], list[list]]:
    """Header and rows (totals included) in one language, for CSV/XLSX/Markdown."""
    head = ["Tema" if lang == "es" else "Theme", *[REACH_NAMES[r][lang] for r in (*REACHES, "total")]]
    rows = [[THEME_NAMES[t][lang], *[cells.get(r, 0) for r in REACHES], sum(cells.values())] for t, cells in table.items()]
    totals = [sum(table[t].get(r, 0) for t in table) for r in REACHES]
    rows.append([REACH_NAMES["total"][lang], *totals, sum(totals)])
    return head, rows


def write_outputs(table: dict[str, dict[str, int]], year: int, out_dir, suffix: str = "",
                  langs: tuple[str, ...] = ("es", "en"), paragraphs: dict[str, str] | None = None) -> list:
    """CSV and Markdown per language of `langs` (only those: `tally --lang es` writes no English
    file), and one XLSX workbook with a sheet per language, Spanish first. `paragraphs`: the
    annual report's sentence per language (flows/report/annual.py writes it), printed under
    each table."""
    from pathlib import Path

    from warehouse.spreadsheet import Sheet, write_csv, write_xlsx

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, sheets = [], []
    for lang in langs:
        head, rows = table_rows(table, lang)
        stem = out_dir / f"tally-{year}{suffix}-{lang}"
        write_csv(stem.with_suffix(".csv"), head, rows)
        md = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
        md += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
        title = (f"Apariciones en medios {year}" if lang == "es" else f"Media appearances {year}")
        paragraph = (paragraphs or {}).get(lang)
        stem.with_suffix(".md").write_text(f"# {title}\n\n" + "\n".join(md) + "\n"
                                           + (f"\n{paragraph}\n" if paragraph else ""), encoding="utf-8")
        sheets.append(Sheet("Español" if lang == "es" else "English", head, rows, title=title, bold_head=False,
                            widths=(32,), after=[[paragraph]] if paragraph else ()))
        written += [stem.with_suffix(".csv"), stem.with_suffix(".md")]
    xlsx = write_xlsx(out_dir / f"tally-{year}{suffix}.xlsx", sheets)
    return [*written, xlsx]
