"""The annual report's media table: themes as rows, reach as columns.

Labels come in Spanish and English because the annual report is published in
both. Counts come only from the `yearly_tally` view, so the printed number is
the number an analyst gets from SQL.
"""
from __future__ import annotations

THEMES = ("land_territory", "labour", "defenders", "institutional")
REACHES = ("local", "national", "international", "unclassified")
THEME_LABELS = {
    "land_territory": {"es": "Tierra y territorio", "en": "Land and territory"},
    "labour": {"es": "Derechos humanos laborales", "en": "Labour rights"},
    "defenders": {"es": "Derecho a defender derechos", "en": "Right to defend rights"},
    "institutional": {"es": "Institucional", "en": "Institutional"},
}
REACH_LABELS = {
    "local": {"es": "Local", "en": "Local"},
    "national": {"es": "Nacional", "en": "National"},
    "international": {"es": "Internacional", "en": "International"},
    "unclassified": {"es": "Sin clasificar", "en": "Unclassified"},
    "total": {"es": "Total", "en": "Total"},
}


def tally(con, year: int) -> dict[str, dict[str, int]]:
    from warehouse.db import query

    table = {t: {r: 0 for r in REACHES} for t in THEMES}
    for theme, reach, n in con.execute(query("tally"), {"year": year}).fetchall():
        table.setdefault(theme, {r: 0 for r in REACHES})[reach] = n
    return table


def label(kind: dict, key: str, lang: str) -> str:
    if lang == "both":
        es, en = kind[key]["es"], kind[key]["en"]
        return es if es == en else f"{es} / {en}"
    return kind[key][lang]


def format_table(table: dict[str, dict[str, int]], year: int, lang: str = "both") -> str:
    head = ["Tema / Theme" if lang == "both" else ("Tema" if lang == "es" else "Theme")]
    head += [label(REACH_LABELS, r, lang) for r in (*REACHES, "total")]
    rows = []
    for theme, cells in table.items():
        rows.append([label(THEME_LABELS, theme, lang), *[str(cells.get(r, 0)) for r in REACHES],
                     str(sum(cells.values()))])
    totals = [sum(table[t].get(r, 0) for t in table) for r in REACHES]
    rows.append([label(REACH_LABELS, "total", lang), *map(str, totals), str(sum(totals))])
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    fmt = lambda row: "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row))
    title = f"{sum(totals)} apariciones en medios / media appearances, {year}"
    return "\n".join([title, "", fmt(head), "  ".join("-" * w for w in widths), *map(fmt, rows)])
