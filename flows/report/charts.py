"""The reports' charts (matplotlib) as PNG data URIs, so the HTML file needs nothing beside it.

The colours are defined here, once, for every report: a colour means one thing. Themes take
one palette and reaches another, with no colour in both, so "green" is always land and
territory, never also "local" on the annual chart. The CSS of the reports (report.css) uses
the theme colours for the items' left border: keep them equal to THEME_COLOURS.

A chart with nothing to draw is not drawn: the functions return None and the report says so
in words (an empty frame with a 0..1 axis tells a reader nothing and looks like a failure).
"""
from __future__ import annotations

import base64
import io

from pipelines.vocabulary import REACHES, THEMES
from flows.report.language import labels

# Okabe-Ito colours (told apart by colour-blind readers), split between the two meanings,
# plus a hatch each, so print in grey works too.
THEME_COLOURS = {
    "land_territory": "#009E73",   # bluish green
    "labour": "#E69F00",           # orange
    "defenders": "#56B4E9",        # sky blue
    "institutional": "#CC79A7",    # reddish purple
}
# A colour means one theme or one reach across every chart of the project, never both
# (the annual chart colours by reach, the weekly one by theme).
REACH_COLOURS = {
    "local": "#D55E00",            # vermillion
    "national": "#0072B2",         # blue
    "international": "#F0E442",    # yellow
    "unclassified": "#BBBBBB",     # grey: nobody classified the outlet yet
}
THEME_HATCHES = {"land_territory": "//", "labour": "..", "defenders": "xx", "institutional": ""}
REACH_HATCHES = {"local": "\\\\", "national": "", "international": "oo", "unclassified": "--"}
THEME_STYLE = {t: (THEME_COLOURS[t], THEME_HATCHES[t]) for t in THEMES}
REACH_STYLE = {r: (REACH_COLOURS[r], REACH_HATCHES[r]) for r in REACHES}
NO_DATA_COLOUR = "#DDDDDD"         # a week the monitor did not run: no bar, a grey hatched band


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 10, "axes.titlesize": 12, "hatch.color": "#333333",
                         "hatch.linewidth": 0.6, "svg.fonttype": "none"})
    return plt


def weeks_chart(weeks: list[str], by_theme: dict[str, list[int]], lang: str,
                no_data: frozenset[str] | set[str] = frozenset()) -> str | None:
    """Stacked bars of the last weeks by theme, totals written on top; a PNG data URI.

    A week in `no_data` (the monitor did not run) gets no bar but a grey hatched band
    labelled "sin datos": a missing week is not a week with 0 appearances. None when there
    is nothing to draw (no appearance in any of the weeks)."""
    if not any(v for values in by_theme.values() for v in values):
        return None
    plt = _pyplot()
    text = labels(lang)
    fig, ax = plt.subplots(figsize=(7.2, 3.8))   # printed about life-size on A4/Letter: 10 pt stays 10 pt
    bottom = [0] * len(weeks)
    xs = range(len(weeks))
    for theme in THEMES:
        values = [0 if w in no_data else v for w, v in zip(weeks, by_theme.get(theme, [0] * len(weeks)))]
        colour, hatch = THEME_STYLE[theme]
        ax.bar(xs, values, bottom=bottom, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.6,
               label=text["themes"][theme], width=0.7)
        bottom = [b + v for b, v in zip(bottom, values)]
    top = max(bottom + [1]) * 1.2 + 0.5
    for x, week, total in zip(xs, weeks, bottom):
        if week in no_data:
            ax.bar([x], [top], color=NO_DATA_COLOUR, hatch="////", edgecolor="#999999", linewidth=0.4,
                   width=0.7, alpha=0.6)
            ax.text(x, top / 2, text["no_data_short"], ha="center", va="center", rotation=90, fontsize=9,
                    color="#444444")
        elif total:
            ax.text(x, total + 0.05 * max(1, max(bottom)), str(total), ha="center", va="bottom", fontsize=10,
                    fontweight="bold")
    ax.set_xticks(list(xs), [w.replace("-W", "\n" + text["week_short"]) for w in weeks], fontsize=9)
    ax.set_ylabel(text["chart_y"])
    ax.set_ylim(0, top)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(text["chart_title"])
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    return _png(fig)


def year_chart(table: dict[str, dict[str, int]], year: int, lang: str) -> str | None:
    """Horizontal bars per theme, split by reach, each segment labelled; a PNG data URI.
    None for a year without appearances (nothing to draw: the report says so in words)."""
    if not any(n for cells in table.values() for n in cells.values()):
        return None
    plt = _pyplot()
    text = labels(lang)
    themes = [t for t in THEMES if t in table]
    fig, ax = plt.subplots(figsize=(7.2, 0.75 * len(themes) + 1.6))
    left = [0] * len(themes)
    ys = list(range(len(themes)))[::-1]
    for reach in REACHES:
        values = [table[t].get(reach, 0) for t in themes]
        if not any(values):
            continue
        colour, hatch = REACH_STYLE[reach]
        bars = ax.barh(ys, values, left=left, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.6,
                       label=text["reaches"][reach], height=0.6)
        for bar, v in zip(bars, values):
            if v:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(v),
                        ha="center", va="center", fontsize=10, fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
        left = [a + b for a, b in zip(left, values)]
    for y, total in zip(ys, left):
        ax.text(total + 0.01 * max(1, max(left)), y, f" {total}", va="center", fontsize=10)
    ax.set_yticks(ys, [text["themes"][t] for t in themes])
    ax.set_xlim(0, max(left + [1]) * 1.12)
    ax.xaxis.get_major_locator().set_params(integer=True)   # appearances come whole: no 0.5 ticks
    ax.set_title(text["year_chart_title"].format(year=year))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4, frameon=False)
    return _png(fig)

