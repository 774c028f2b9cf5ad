"""The annual media section as a person uses it, in headless Chromium (see test_browser.py for
how the browser is found and driven): every number of the tally leads to the list of exactly
its appearances, and the page prints to a clean PDF. Screenshots go to tests/artifacts/."""
from __future__ import annotations

import io

import pytest

from tests.test_browser import ARTIFACTS, CHROMIUM, _WHY_NOT, browser, dialogs, open_window, page, screenshot, world  # noqa: F401

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=_WHY_NOT)


def _cell_urls(con, theme: str, reach: str) -> set[str]:
    """What the warehouse says a cell holds (theme/reach 'total' for the margins)."""
    rows = con.execute("SELECT url, theme, reach FROM appearances WHERE year(published_date) = 2026").fetchall()
    return {u for u, t, r in rows if theme in (t, "total") and reach in (r, "total")}


def _visible_target_urls(page) -> set[str]:
    """The appearances listed in the element the address's #fragment points at, which must be
    scrolled into view."""
    target = page.evaluate("location.hash").lstrip("#")
    assert target, "the click did not lead anywhere"
    box = page.evaluate("id => { const r = document.getElementById(id).getBoundingClientRect();"
                        " return [r.top, innerHeight]; }", target)
    assert -1 <= box[0] < box[1], "the list is not on screen"
    return set(page.locator(f"[id='{target}'] tr[data-url]").evaluate_all("trs => trs.map(tr => tr.dataset.url)"))


def test_each_tally_cell_leads_to_exactly_its_appearances(page, dialogs, world):
    from flows.report import write_year

    con, _, tmp = world
    html = write_year(con, 2026, tmp / "out")[0]
    page.goto(html.as_uri())
    assert "Durante 2026, ProDESC y los procesos que acompaña" in page.locator("#paragraph").inner_text()
    screenshot(page, "year-report.png")
    cells = page.locator("#grid td[data-theme][data-reach] a")
    assert cells.count() >= 8
    clicked = 0
    for i in range(cells.count()):
        link = cells.nth(i)
        cell = link.locator("xpath=..")
        theme, reach = cell.get_attribute("data-theme"), cell.get_attribute("data-reach")
        page.goto(html.as_uri())                       # back at the top each time
        link.click()
        expected = _cell_urls(con, theme, reach)
        assert len(expected) == int(link.inner_text())
        assert _visible_target_urls(page) == expected, (theme, reach)
        clicked += 1
        if (theme, reach) == ("labour", "national"):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / "year-report-cell-list.png")   # what the click shows
    # a zero cell is a plain 0, not a link to an empty list
    zero = page.locator("#grid td[data-theme='defenders'][data-reach='local']")
    assert zero.inner_text() == "0" and zero.locator("a").count() == 0
    assert clicked == cells.count() and dialogs == []


def test_year_in_english_names_cases_in_english_and_an_empty_year_says_so(page, world):
    from flows.report import write_year

    con, _, tmp = world
    html = write_year(con, 2026, tmp / "en", lang="en")[0]
    page.goto(html.as_uri())
    assert page.locator("#paragraph").inner_text().startswith("During 2026, ProDESC and the processes")
    screenshot(page, "year-report-en.png")
    empty = write_year(con, 2031, tmp / "empty")[0]
    page.goto(empty.as_uri())
    assert page.locator("#empty").inner_text() == "No hay apariciones registradas en 2031."
    assert page.locator("img").count() == 0 and page.locator("#grid").count() == 0
    screenshot(page, "year-report-empty.png")


def test_the_year_prints_to_pdf_without_the_screen_only_lists(page, world):
    """Printed, the page keeps its tables whole, no heading ends a page, and the duplicate
    per-reach lists (a screen convenience) are left out: each appearance is printed once."""
    from flows.report import write_year

    con, _, tmp = world
    html = write_year(con, 2026, tmp / "print")[0]
    page.goto(html.as_uri())
    page.emulate_media(media="print")
    assert page.locator(".by-reach").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator("#grid").evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    assert page.locator("h2").first.evaluate("e => getComputedStyle(e).breakAfter") == "avoid"
    printed = page.locator("tr[data-url]").evaluate_all(
        "trs => trs.filter(tr => tr.offsetParent !== null).map(tr => tr.dataset.url)")
    assert sorted(printed) == sorted(_cell_urls(con, "total", "total"))     # each appearance once
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "year-report.pdf"), format="Letter", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e '.[test]')")
    pages = [[line.strip() for line in (p.extract_text() or "").splitlines() if line.strip()]
             for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    headings = {h.strip() for h in page.locator("h2, h3, h4").all_inner_texts()}
    assert [p[-1] for p in pages if p and p[-1] in headings] == []          # no heading left at a page's foot
    text = "\n".join(line for p in pages for line in p)
    assert text.count("Escuela de Justicia Transnacional") == 1             # printed once, not twice


def test_freeze_checklist_as_the_terminal_shows_it(page, world, capsys):
    """`tally --freeze` without --yes: the checklist, nothing frozen, exit code 1. The terminal
    text is shown in the browser only to keep a picture of it in tests/artifacts/."""
    import html

    from flows.cli import main

    con, _, tmp = world
    con.close()
    assert main(["tally", "--year", "2026", "--db", str(tmp / "b.ducklake"), "--freeze", "--by", "Ana López"]) == 1
    out = capsys.readouterr().out
    assert "Antes de congelar 2026" in out and "No se congeló nada." in out
    page.set_content(f"<pre style='font: 14px monospace; padding: 1rem; background: #111; color: #eee'>"
                     f"$ prodesc-monitor tally --year 2026 --freeze --by \"Ana López\"\n{html.escape(out)}</pre>")
    screenshot(page, "year-freeze-checklist.png")
