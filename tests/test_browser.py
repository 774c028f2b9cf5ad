"""As a person uses it: headless Chromium (Debian's `chromium` package) opens the weekly report
and the review desk, clicks through a review, and checks what is shown. Screenshots of each
page are kept in tests/artifacts/ as test artefacts.

Chromium is driven by Playwright's sync API (the `playwright` package) with Debian's own
binary passed as `executable_path`: no browser is downloaded (never `playwright install`).
`CHROMIUM=/path` selects another binary. Skipped, with the reason, when chromium or
playwright is not installed.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.test_report import URLS, W47, XSS_TITLE, build_db


def _find_chromium() -> tuple[str | None, str]:
    """The chromium binary to drive, or None and why not."""
    wanted = os.environ.get("CHROMIUM")
    if wanted:
        found = shutil.which(wanted)
        return (found, "") if found else (None, f"CHROMIUM={wanted} is not an executable file")
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return (found, "") if found else (None, "chromium is not installed (apt-get install chromium, or CHROMIUM=/path)")


ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM, _WHY_NOT = _find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=_WHY_NOT)
VIEWPORT = {"width": 1200, "height": 900}
# Playwright adds its own automation flags (no first run, no background networking, no
# component update, no sync, no extensions, ...). Its default chromium_sandbox=False adds
# --no-sandbox, which Chromium needs when run as root (it refuses to start otherwise).
ARGS = ["--disable-gpu", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, chromium_sandbox=False, args=ARGS,
                              timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Every alert/confirm/prompt any window of the test showed (each accepted)."""
    return []


@pytest.fixture
def open_window(browser, dialogs):
    """Opens a window with its own cookies: a second call is a second person at the same desk."""
    contexts = []

    def open_window():
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
        return page

    yield open_window
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_window):
    return open_window()


@pytest.fixture
def world(tmp_path, registry_file):
    from pipelines.registry import load_registry

    con = build_db(tmp_path / "b.ducklake", load_registry(registry_file))
    yield con, registry_file, tmp_path
    con.close()


def text(page, selector: str = "body") -> str:
    return page.locator(selector).inner_text()


def submit(page, selector: str):
    """A real mouse click in the middle of the element (scrolled into view first), then wait
    until the page it leads to has loaded."""
    with page.expect_navigation():
        page.locator(selector).click()


def choose(page, selector: str, value: str):
    """Pick an option in a <select> (fires its input and change events)."""
    assert page.locator(selector).select_option(value) == [value]


def screenshot(page, name: str):
    """The whole page (at most 8000 px tall) in tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    width, height = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    page.screenshot(path=ARTIFACTS / name, full_page=True,
                    clip={"x": 0, "y": 0, "width": width, "height": min(height, 8000)})


def _shown_counts(page) -> dict[str, int]:
    cells = page.locator("#grid td[data-theme][data-reach]").evaluate_all(
        "tds => tds.map(td => [td.dataset.theme, td.dataset.reach, td.innerText.trim()])")
    return {f"{t}|{r}": int(n) for t, r, n in cells if t != "total" and r != "total" and int(n)}


def test_weekly_report_shows_the_counts_and_headlines_as_text(page, dialogs, world):
    from flows.report import write_weekly

    con, _, tmp = world
    html = write_weekly(con, "2026-W47", tmp / "out")[0]
    page.goto(html.as_uri())
    assert _shown_counts(page) == W47
    assert page.locator("#total").get_attribute("data-total") == "6"
    body = text(page)
    assert XSS_TITLE in body                                  # the headline, as text
    assert "<img src=x onerror=alert(2)>" in body
    assert dialogs == []                                      # nothing ran
    assert page.locator("script").count() == 0
    assert page.locator("img.chart").evaluate("img => img.naturalWidth") > 800   # the embedded chart draws
    assert "ProDESC" in page.locator("mark").all_inner_texts()
    copy = page.locator(f'article[data-url="{URLS["labour"]}"] li.copy').get_attribute("data-url")
    assert copy == URLS["labour_copy"]
    screenshot(page, "weekly-report.png")


def test_review_desk_click_through_changes_the_report_and_the_tally(page, open_window, dialogs, world):
    from flows.report import weekly_cells, weekly_context, write_weekly
    from flows.desk.server import make_server
    from warehouse.tally import tally

    con, sources, tmp = world
    before = tally(con, 2026)
    server = make_server(con, sources, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # first visit: the desk asks who is reviewing
        page.goto(server.url)
        assert page.evaluate("location.pathname") == "/name"
        page.locator("#name").fill("Ana López")
        screenshot(page, "review-name.png")
        submit(page, "#name-form button")
        assert "Revisa: Ana López" in text(page, "#reviewer")

        # the week's new appearances; the hostile headline is text, nothing ran
        page.goto(server.url + "queue?view=new&week=2026-W47")
        assert XSS_TITLE in text(page)
        assert dialogs == []
        screenshot(page, "review-queue.png")

        # 1. reject an appearance, with a note
        card = f'article[data-url="{URLS["land"]}"]'
        page.locator(f"{card} input[name=note]").fill("habla de otra organización")
        submit(page, f"{card} button[value=reject]")
        assert "rechazada" in text(page, "#flash")
        assert page.locator(card).count() == 0

        # 2. correct a theme (confirm with another theme)
        card = f'article[data-url="{URLS["xss"]}"]'
        choose(page, f"{card} select[name=theme]", "defenders")
        submit(page, f"{card} button[value=confirm]")
        assert "confirmada" in text(page, "#flash")
        screenshot(page, "review-after-decisions.png")

        # 3. a candidate the machine rejected turns out to be about a case
        submit(page, "#nav-rejected")
        card = f'article[data-url="{URLS["rejected"]}"]'
        assert "homónimo: noticias de turismo" in text(page, card)      # the tagger's reason, in Spanish
        screenshot(page, "review-rejected-candidates.png")
        choose(page, f"{card} select[name=theme]", "land_territory")
        submit(page, f"{card} button[value=confirm]")
        assert "confirmada" in text(page, "#flash")

        # 4. give a reach to an outlet that is not in the registry
        submit(page, "#nav-outlets")
        card = 'article[data-outlet="la-lista.example"]'
        page.locator(f"{card} input[name=name]").fill("La Lista")
        choose(page, f"{card} select[name=reach]", "national")
        screenshot(page, "review-outlets.png")
        submit(page, f"{card} button")
        assert "La Lista" in text(page, "#flash") and "Nacional" in text(page, "#flash")
        assert 'name: "La Lista"' in sources.read_text(encoding="utf-8")

        # 5. a second person at the same time (own cookies) sees who decided last, and decides too
        beto = open_window()
        beto.goto(server.url)
        beto.locator("#name").fill("Beto")
        submit(beto, "#name-form button")
        beto.goto(server.url + "queue?view=reviewed")
        reviewed = text(beto)
        assert "Rechazada por Ana López" in reviewed and "«habla de otra organización»" in reviewed
        screenshot(beto, "review-reviewed-second-person.png")
        # (labour_copy is Diario Uno's reprint of Nacional Dos's story: it would count apart, so it
        # is rejected here for what it says, not merged as a duplicate; counting rules §1)
        card = f'article[data-url="{URLS["labour_copy"]}"]'
        beto.goto(server.url + "queue?view=new&week=2026-W47")
        beto.locator(f"{card} input[name=note]").fill("la mención está en un recuadro lateral")
        submit(beto, f"{card} button[value=reject]")
        assert "rechazada" in text(beto, "#flash")
    finally:
        server.shutdown()
        server.server_close()

    assert con.execute("SELECT reviewer, count(*) FROM reviews GROUP BY ALL ORDER BY 1").fetchall() == [
        ("Ana López", 3), ("Beto", 1)]
    # the next run of the report and of the tally shows the decisions
    expected = {"labour|national": 1, "institutional|national": 2, "defenders|national": 1,
                "land_territory|local": 1}
    assert weekly_cells(weekly_context(con, "2026-W47", chart=False)) == expected
    html = write_weekly(con, "2026-W47", tmp / "after")[0]
    page.goto(html.as_uri())
    assert _shown_counts(page) == expected
    assert "Revisada por Ana López" in text(page, "#items")
    screenshot(page, "weekly-report-after-review.png")
    after = tally(con, 2026)
    assert after["defenders"]["national"] == before["defenders"]["national"] + 1
    assert after["institutional"]["unclassified"] == 0 and after["institutional"]["national"] == 2
    assert sum(map(sum, (c.values() for c in after.values()))) == sum(map(sum, (c.values() for c in before.values()))) - 1


# ---------------------------------------------------------------------------- the weekly report, clicked through

def _item_cells(con, week: str) -> dict[str, tuple[str, str]]:
    """url -> (theme, reach) of every appearance of the week, from the warehouse view."""
    from flows.report import parse_week

    start, end = parse_week(week)
    return {u: (t, r) for u, t, r in con.execute(
        "SELECT url, theme, reach FROM appearances WHERE published_date BETWEEN ? AND ?", [start, end]).fetchall()}


def test_clicking_a_count_leads_to_exactly_its_appearances(page, world):
    """Every non-zero cell of the theme×reach grid is a link; clicking it scrolls to a list
    whose rows are exactly the appearances of that theme and reach, each leading on to the
    appearance itself."""
    from flows.report import write_weekly

    con, _, tmp = world
    html = write_weekly(con, "2026-W47", tmp / "out")[0]
    cells = _item_cells(con, "2026-W47")
    page.goto(html.as_uri())
    # every number but 0 is a link (the cells, the theme and reach totals, the total)
    grid = page.locator("#grid td[data-theme][data-reach]").evaluate_all(
        "tds => tds.map(td => [td.innerText.trim(), td.querySelectorAll('a').length])")
    assert [links for n, links in grid] == [0 if n == "0" else 1 for n, _ in grid] and sum(l for _, l in grid) == 12
    for key, n in W47.items():
        theme, reach = key.split("|")
        page.goto(html.as_uri())
        page.locator(f'#grid td[data-theme="{theme}"][data-reach="{reach}"] a').click()
        assert page.evaluate("location.hash") == f"#t-{theme}-{reach}"
        target = page.locator(f"#t-{theme}-{reach}")
        assert target.evaluate("el => el.getBoundingClientRect().top") < VIEWPORT["height"]   # scrolled to it
        urls = target.locator("li[data-url]").evaluate_all("lis => lis.map(li => li.dataset.url)")
        assert len(urls) == n and {cells[u] for u in urls} == {(theme, reach)}
        assert sorted(urls) == sorted(u for u, c in cells.items() if c == (theme, reach))
        if key == "labour|national":
            screenshot(page, "weekly-report-cell-link.png")
    # a theme total leads to the theme's group of the full list, a case to its rows
    page.goto(html.as_uri())
    page.locator('#grid td[data-theme="labour"][data-reach="total"] a').click()
    shown = page.locator("#theme-labour [data-url]").evaluate_all("els => els.map(e => e.dataset.url)")
    assert sorted(shown) == sorted(u for u, (t, _) in cells.items() if t == "labour")
    page.locator('#cases tr[data-case="uja"] a').click()
    assert sorted(page.locator("#c-uja li[data-url]").evaluate_all("lis => lis.map(li => li.dataset.url)")) == \
        sorted([URLS["labour"], URLS["labour_copy"]])
    # and a row of a list leads to the appearance itself
    page.locator(f'#c-uja li[data-url="{URLS["labour_copy"]}"] a').click()
    assert page.evaluate("location.hash") == page.locator(f'li.copy[data-url="{URLS["labour_copy"]}"]').evaluate(
        "el => '#' + el.id")


def test_the_report_opens_with_its_summary_line(page, world):
    from flows.report import write_weekly

    con, _, tmp = world
    page.goto(write_weekly(con, "2026-W47", tmp / "out")[0].as_uri())
    assert text(page, "h1") == "Apariciones en medios — semana 47 (16–22 nov 2026)"
    assert text(page, "#total") == (
        "6 apariciones en la semana 47 (16–22 nov 2026), 4 más que la semana anterior y por encima del promedio "
        "de las 2 semanas previas con datos (1.5); el tema más frecuente fue institucional.")
    assert "2026-W" not in text(page, "header") + text(page, "#counts")
    assert "(hora de la Ciudad de México)" in text(page, "#generated")
    screenshot(page, "weekly-report-summary.png")


def test_a_week_without_a_run_says_no_data(page, world):
    from flows.report import write_weekly

    con, _, tmp = world
    page.goto(write_weekly(con, "2026-W45", tmp / "out")[0].as_uri())
    assert text(page, "#total") == "Sin datos: el monitor no corrió esta semana."
    assert page.locator("#grid").count() == 0
    weeks = dict(page.locator(".chart-weeks td[data-week]").evaluate_all(
        "tds => tds.map(td => [td.dataset.week, td.innerText.trim()])"))
    assert weeks["2026-W45"] == "sin datos" and weeks["2026-W43"] == "sin datos" and weeks["2026-W44"] == "1"
    now = page.locator('#counts table.compare tr[data-key="total"] td.now').first
    assert now.inner_text() == "sin datos"
    assert page.locator("img.chart").evaluate("img => img.naturalWidth") > 800
    screenshot(page, "weekly-report-no-data.png")


def _pdf_pages(pdf: bytes) -> list[list[str]]:
    """The non-empty text lines of each page of a PDF."""
    import io

    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e '.[test]')")
    return [[line.strip() for line in (p.extract_text() or "").splitlines() if line.strip()]
            for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


# A4 at 96 px per inch, no margins: what page.pdf below prints on.
A4 = {"width": 794, "height": 1123}


def test_the_report_prints_to_pdf_without_stranded_headings(page, world):
    """Printed (or saved as PDF), a heading never ends a page: it goes with its table.

    The test puts the first section's heading at the very bottom of page 1 (a spacer above it,
    measured in the print layout) and prints. Without the print CSS (break-after: avoid) that
    heading is the last line of page 1 (checked too, so the check can fail); with it, the
    heading moves to page 2 with its table, and no page of the report ends with a heading."""
    from flows.report import write_weekly

    con, _, tmp = world
    page.set_viewport_size(A4)
    page.goto(write_weekly(con, "2026-W47", tmp / "out")[0].as_uri())
    page.emulate_media(media="print")
    style = page.evaluate("""() => {
        const s = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
        return [s('h2', 'breakAfter'), s('h3', 'breakAfter'), s('#grid', 'breakInside'),
                s('#grid thead', 'display'), s('figure', 'breakInside')];
    }""")
    assert style == ["avoid", "avoid", "avoid", "table-header-group", "avoid"]
    headings = set(page.locator("h2, h3").all_inner_texts())
    page.evaluate("""height => {
        const h2 = document.querySelector('#counts h2');
        const spacer = document.createElement('div');
        spacer.id = 'spacer';
        document.querySelector('#counts').before(spacer);
        let px = 0;
        for (let i = 0; i < 3; i++) {      // margins collapse differently once the spacer is there: settle
            px += height - 4 - (h2.getBoundingClientRect().bottom + window.scrollY);
            spacer.style.height = px + 'px';
        }
    }""", A4["height"])
    first = page.locator("#counts h2").inner_text()

    def printed():
        return _pdf_pages(page.pdf(width=f"{A4['width']}px", height=f"{A4['height']}px",
                                   margin={"top": "0", "bottom": "0", "left": "0", "right": "0"},
                                   print_background=True))

    without = page.evaluate("""() => {
        const off = document.createElement('style');
        off.id = 'off';
        off.textContent = 'h1, h2, h3 { break-after: auto !important; page-break-after: auto !important; }';
        document.head.append(off);
    }""")
    stranded = printed()
    assert without is None and stranded[0][-1] == first       # the check sees a stranded heading
    page.evaluate("() => document.getElementById('off').remove()")
    pages = printed()
    assert len(pages) >= 3
    assert first in pages[1] and first not in pages[0]
    assert [p[-1] for p in pages if p and p[-1] in headings] == []
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "weekly-report.pdf").write_bytes(page.pdf(format="A4", print_background=True))
