"""The review desk for a morning's work, as a person uses it in headless Chromium: filters that
stay in the address, counts on the tabs, confirming a page, undoing a decision, an article's
history, duplicates against reprints (counting rules §1), the report tab's downloads and the
desk's own 404. Same browser set-up as tests/test_browser.py (Debian's chromium, no download);
screenshots in tests/artifacts/review-*.png."""
from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_browser import (CHROMIUM, _WHY_NOT, browser, choose, dialogs, open_window, page,  # noqa: F401
                                screenshot, submit, text, world)
from tests.test_report import URLS

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=_WHY_NOT)


@pytest.fixture
def desk(world):
    """A real desk server over the small warehouse, with one case named in both languages and
    one genuine duplicate: Diario Uno's W46 article under a second address, its headline barely
    changed."""
    from flows.desk.server import make_server

    con, sources, tmp = world
    con.execute("INSERT INTO entities (id, name, name_en, kind, theme) VALUES "
                "('uja', 'Unión de Jornaleros Agrícolas', 'Agricultural Workers'' Union', 'process', 'labour')")
    con.execute("UPDATE articles SET title = 'Ejido presenta amparo contra la granja' WHERE url = ?",
                [URLS["w46_land"]])
    server = make_server(con, sources, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, con
    server.shutdown()
    server.server_close()


def _sign_in(page, server, name="Ana López"):
    page.goto(server.url)
    page.locator("#name").fill(name)
    submit(page, "#name-form button")


def _cards(page) -> set[str]:
    return set(page.locator("article.card").evaluate_all("cards => cards.map(c => c.dataset.url)"))


def _count(page, tab: str) -> int:
    return int(page.locator(f"#nav-{tab}").get_attribute("data-count"))


def test_filters_counts_bulk_confirm_undo_and_history(page, dialogs, desk):
    server, con = desk
    _sign_in(page, server)
    page.goto(server.url + "queue?view=new&week=2026-W47")
    assert _count(page, "new") == 6 and _count(page, "rejected") == 1 and _count(page, "reviewed") == 0
    assert "Apariciones nuevas (6)" in text(page, "#nav-new")
    assert page.locator("#week option:checked").inner_text() == "semana 47 (16–22 nov 2026)"

    # a theme, then a case too: only what matches, the counts follow, the address keeps it all
    choose(page, "#f-theme", "labour")
    submit(page, "#apply-filters")
    assert _cards(page) == {URLS["labour"], URLS["labour_copy"]} and _count(page, "new") == 2
    choose(page, "#f-process", "uja")
    choose(page, "#f-outlet", "Diario Uno")
    submit(page, "#apply-filters")
    assert _cards(page) == {URLS["labour_copy"]} and _count(page, "new") == 1
    assert page.locator("#f-process option:checked").inner_text() == "Unión de Jornaleros Agrícolas"
    query = parse_qs(urlsplit(page.url).query)
    assert query["theme"] == ["labour"] and query["process"] == ["uja"] and query["outlet"] == ["Diario Uno"]
    screenshot(page, "review-queue-filters.png")
    shared = page.url                                          # a bookmarked or shared address opens the same list
    other = page.context.new_page()
    other.goto(shared)
    assert _cards(other) == {URLS["labour_copy"]}
    other.close()
    # the text search, and the filters survive switching tabs
    page.goto(server.url + "queue?view=new&week=2026-W47")
    page.locator("#f-q").fill("premio")
    submit(page, "#apply-filters")
    assert _cards(page) == {URLS["xss"]}
    submit(page, "#nav-reviewed")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["premio"]
    assert text(page, "#empty") == "Ninguna nota de esta pestaña coincide con los filtros elegidos."
    page.goto(server.url + "queue?view=reviewed&week=2026-W47")
    assert text(page, "#empty") == "Todavía no hay decisiones en esta semana."      # not "nothing to review"

    # confirm a whole page (one outlet's three articles) with one button
    page.goto(server.url + "queue?view=new&week=2026-W47&outlet=Nacional+Dos")
    assert _cards(page) == {URLS["labour"], URLS["xss"], URLS["formula"]}
    submit(page, "#confirm-all button")
    assert text(page, "#flash") == "3 notas confirmadas."
    assert _cards(page) == set() and _count(page, "reviewed") == 3 and _count(page, "new") == 0
    assert con.execute("SELECT count(*), count(DISTINCT article_url), min(reviewer), max(reviewer) FROM reviews "
                       "WHERE decision = 'confirm'").fetchone() == (3, 3, "Ana López", "Ana López")

    # one more decision, then undo it: the article is back in the new ones
    page.goto(server.url + "queue?view=new&week=2026-W47")
    card = f'article[data-url="{URLS["land"]}"]'
    page.locator(f"{card} input[name=note]").fill("no es ProDESC")
    submit(page, f"{card} button[value=reject]")
    assert page.locator(card).count() == 0
    submit(page, "#undo")
    assert text(page, "#flash").startswith("Deshecha su decisión «Rechazada» sobre «Ejido presenta amparo")
    assert page.locator(card).count() == 1
    assert con.execute("SELECT count(*) FROM latest_reviews WHERE article_url = ?", [URLS["land"]]).fetchone() == (0,)

    # its history: the rejection, struck through as undone, and the undo, who and when
    submit(page, f"{card} a.history-link")
    rows = page.locator("#history tbody tr")
    assert rows.count() == 2
    assert "Rechazada" in rows.nth(0).inner_text() and "«no es ProDESC»" in rows.nth(0).inner_text()
    assert "deshecha" in rows.nth(0).inner_text() and "undone" in rows.nth(0).get_attribute("class")
    assert "Deshizo «Rechazada» de Ana López" in rows.nth(1).inner_text()
    assert "(hora de la Ciudad de México)" in rows.nth(1).inner_text() and "Ana López" in rows.nth(1).inner_text()
    screenshot(page, "review-history.png")
    submit(page, "#back")
    assert urlsplit(page.url).path == "/queue"
    assert dialogs == []


def test_duplicates_and_reprints_the_report_tab_and_the_404(page, desk):
    server, con = desk
    _sign_in(page, server)
    page.goto(server.url + "queue?view=new")

    # Diario Uno's copy of Nacional Dos's story: a reprint, it counts apart, nothing to click
    copy = page.locator(f'article[data-url="{URLS["labour_copy"]}"]')
    reprints = copy.locator(".alike.reprints")
    assert reprints.locator("h3").inner_text() == "Posible reimpresión: cuenta aparte"
    assert "cuenta una vez por cada medio" in reprints.inner_text()
    assert reprints.locator(f'li[data-url="{URLS["labour"]}"]').count() == 1
    assert copy.locator("form.mark-duplicate").count() == 0
    # the free-text "duplicate of" field shows only when asked for
    assert not copy.locator("input[name=duplicate_of]").is_visible()
    copy.locator("details.dup-other summary").click()
    assert copy.locator("input[name=duplicate_of]").is_visible()

    # the same Diario Uno article under a second address: one click marks it
    land = page.locator(f'article[data-url="{URLS["land"]}"]')
    dups = land.locator(".alike.duplicates")
    assert dups.locator("h3").inner_text() == "Posible duplicado: la misma nota en otra dirección del mismo medio"
    assert land.locator(".alike.reprints").count() == 0
    land.scroll_into_view_if_needed()
    screenshot(page, "review-duplicates.png")
    submit(page, f'article[data-url="{URLS["land"]}"] li[data-url="{URLS["w46_land"]}"] form.mark-duplicate button')
    assert "marcada como duplicado" in text(page, "#flash")
    assert con.execute("SELECT decision, duplicate_of, reviewer FROM latest_reviews WHERE article_url = ?",
                       [URLS["land"]]).fetchone() == ("duplicate", URLS["w46_land"], "Ana López")
    assert con.execute("SELECT count(*) FROM appearances WHERE url = ?", [URLS["labour_copy"]]).fetchone() == (1,)

    # the report tab: a week picker and the week's files to download
    submit(page, "#nav-report")
    choose(page, "#week", "2026-W47")
    submit(page, "#report-week button")
    assert page.locator("#week option:checked").inner_text() == "semana 47 (16–22 nov 2026)"
    with page.expect_download() as caught:
        page.locator("#file-xlsx").click()
    download = caught.value
    assert download.suggested_filename == "informe-semanal-2026-W47.xlsx"
    assert open(download.path(), "rb").read(2) == b"PK"
    with page.expect_download() as caught:
        page.locator("#file-csv").click()
    assert URLS["land"] not in open(caught.value.path(), encoding="utf-8-sig").read()   # the decision is in
    screenshot(page, "review-report-tab.png")

    # an address the desk does not have: its own page, in Spanish, with the tabs
    response = page.goto(server.url + "no-existe")
    assert response.status == 404
    assert "Esta página no existe en la mesa de revisión" in text(page)
    assert page.locator("#nav-new").count() == 1
    screenshot(page, "review-404.png")
