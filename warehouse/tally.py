"""The annual report's media table: themes as rows, reach as columns.

Labels come in Spanish and English because the annual report is published in
both. Counts come only from the `yearly_tally` view, so the printed number is
the number an analyst gets from SQL.
"""
from __future__ import annotations

from pipelines.errors import UserError
from pipelines.vocabulary import REACHES, REACH_NAMES, THEMES, THEME_NAMES

__all__ = ["REACHES", "THEMES", "AlreadyFrozen", "compare", "format_table", "freeze",
           "frozen_years", "table_rows", "tally", "write_outputs"]

class AlreadyFrozen(UserError):
    """A published year cannot be frozen twice: its number must never change."""


def tally(con, year: int, frozen: bool = False) -> dict[str, dict[str, int]]:
    """The live tally from `yearly_tally`, or the frozen snapshot of that year."""
    from warehouse.db import query

    table = {t: {r: 0 for r in REACHES} for t in THEMES}
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
        rows.append([" / ".join(dict.fromkeys(names)), *[str(cells.get(r, 0)) for r in REACHES], str(sum(cells.values()))])
    totals = [sum(table[t].get(r, 0) for t in table) for r in REACHES]
    rows.append(["Total", *map(str, totals), str(sum(totals))])
    widths = [max(len(row[i]) for row in [*heads, *rows]) for i in range(len(rows[0]))]
    fmt = lambda row: "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)).rstrip()
    if title is None:
        title = {"es": f"{sum(totals)} apariciones en medios, {year}", "en": f"{sum(totals)} media appearances, {year}",
                 "both": f"{sum(totals)} apariciones en medios / media appearances, {year}"}[lang]
    return "\n".join([title, "", *map(fmt, heads), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def freeze(con, year: int, by: str | None = None, note: str | None = None) -> int:
    """Store the appearances the year counts now. Refuses a year already frozen."""
    from warehouse.db import query, transactions
    from warehouse.lake import current_snapshot

    for txn in transactions(con, who="tally"):
        with txn:
            if con.execute("SELECT count(*) FROM frozen_tallies WHERE year = ?", [year]).fetchone()[0]:
                raise AlreadyFrozen(f"{year} was already frozen; its published number cannot change. "
                                    f"Compare it with the live count with `tally --year {year} --compare`.")
            # The snapshot this transaction reads: the year can be counted again from it, exactly.
            snapshot = current_snapshot(con)
            con.execute(query("freeze_year"), {"year": year})
            total = con.execute("SELECT count(*) FROM frozen_appearances WHERE year = ?", [year]).fetchone()[0]
            con.execute("INSERT INTO frozen_tallies (year, frozen_by, note, total, snapshot_id) VALUES (?, ?, ?, ?, ?)",
                        [year, by, note, total, snapshot])
    return total


def frozen_years(con) -> list[tuple]:
    return con.execute("SELECT year, frozen_at, frozen_by, total, note FROM frozen_tallies ORDER BY year").fetchall()


def compare(con, year: int) -> list[tuple[str, str, int, int]]:
    """Cells where the live count differs from the frozen one: (theme, reach, frozen, live)."""
    live, frozen = tally(con, year), tally(con, year, frozen=True)
    return [(t, r, frozen[t].get(r, 0), live[t].get(r, 0)) for t in live for r in REACHES
            if frozen[t].get(r, 0) != live[t].get(r, 0)]


def table_rows(table: dict[str, dict[str, int]], lang: str) -> tuple[list[str], list[list]]:
    """Header and rows (totals included) in one language, for CSV/XLSX/Markdown."""
    head = ["Tema" if lang == "es" else "Theme", *[REACH_NAMES[r][lang] for r in (*REACHES, "total")]]
    rows = [[THEME_NAMES[t][lang], *[cells.get(r, 0) for r in REACHES], sum(cells.values())] for t, cells in table.items()]
    totals = [sum(table[t].get(r, 0) for t in table) for r in REACHES]
    rows.append([REACH_NAMES["total"][lang], *totals, sum(totals)])
    return head, rows


def write_outputs(table: dict[str, dict[str, int]], year: int, out_dir, suffix: str = "") -> list:
    """CSV and Markdown per language, and one XLSX workbook with a sheet per language."""
    from pathlib import Path

    from warehouse.spreadsheet import Sheet, write_csv, write_xlsx

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, sheets = [], []
    for lang in ("es", "en"):
        head, rows = table_rows(table, lang)
        stem = out_dir / f"tally-{year}{suffix}-{lang}"
        write_csv(stem.with_suffix(".csv"), head, rows, bom=False)
        md = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
        md += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
        title = (f"Apariciones en medios {year}" if lang == "es" else f"Media appearances {year}")
        stem.with_suffix(".md").write_text(f"# {title}\n\n" + "\n".join(md) + "\n", encoding="utf-8")
        sheets.append(Sheet("Español" if lang == "es" else "English", head, rows, title=title, bold_head=False,
                            widths=(32,)))
        written += [stem.with_suffix(".csv"), stem.with_suffix(".md")]
    xlsx = write_xlsx(out_dir / f"tally-{year}{suffix}.xlsx", sheets)
    return [*written, xlsx]
