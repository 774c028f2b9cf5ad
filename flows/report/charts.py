"""The reports' charts (matplotlib) as PNG data URIs, so the HTML file needs nothing beside it."""
from __future__ import annotations

import base64
import io

from pipelines.vocabulary import REACHES, THEMES
from flows.report.language import labels

# Okabe-Ito colours (told apart by colour-blind readers) plus a hatch each, so print in grey works too.
THEME_STYLE = {
    "land_territory": ("#009E73", "//"),
    "labour": ("#E69F00", ".."),
    "defenders": ("#56B4E9", "xx"),
    "institutional": ("#CC79A7", ""),
}
# Reaches take the Okabe-Ito colours the themes leave free: a colour means one theme or one
# reach across every chart of the project, never both (the annual chart colours by reach).
REACH_STYLE = {
    "local": ("#F0E442", "\\\\"),
    "national": ("#0072B2", ""),
    "international": ("#D55E00", "--"),
    "unclassified": ("#BBBBBB", "xx"),
}


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


def weeks_chart(weeks: list[str], by_theme: dict[str, list[int]], lang: str) -> str:
    """Stacked bars of the last weeks by theme, totals written on top; a PNG data URI."""
    plt = _pyplot()
    text = labels(lang)
    fig, ax = plt.subplots(figsize=(7.2, 3.8))   # printed about life-size on A4/Letter: 10 pt stays 10 pt
    bottom = [0] * len(weeks)
    xs = range(len(weeks))
    for theme in THEMES:
        values = by_theme.get(theme, [0] * len(weeks))
        colour, hatch = THEME_STYLE[theme]
        ax.bar(xs, values, bottom=bottom, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.6,
               label=text["themes"][theme], width=0.7)
        bottom = [b + v for b, v in zip(bottom, values)]
    for x, total in zip(xs, bottom):
        if total:
            ax.text(x, total + 0.05 * max(1, max(bottom)), str(total), ha="center", va="bottom", fontsize=10,
                    fontweight="bold")
    ax.set_xticks(list(xs), [w.replace("-W", "\n" + text["week_short"]) for w in weeks], fontsize=9)
    ax.set_ylabel(text["chart_y"])
    ax.set_ylim(0, max(bottom + [1]) * 1.2 + 0.5)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(text["chart_title"])
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    return _png(fig)


def year_chart(table: dict[str, dict[str, int]], year: int, lang: str) -> str:
    """Horizontal bars per theme, split by reach, each segment labelled; a PNG data URI."""
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

