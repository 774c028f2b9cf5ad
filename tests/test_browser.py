"""As a person uses it: headless Chromium (Debian's `chromium` package) opens the weekly report
and the review desk, clicks through a review, and checks what is shown. Screenshots of each
page are kept in tests/artifacts/ as test artefacts.

Chromium is driven through the Chrome DevTools Protocol over a websocket (the `websockets`
package); no browser is downloaded. Skipped, with the reason, when chromium is not installed.
"""
from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.test_report import URLS, W47, XSS_TITLE, build_db

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
         "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", "--window-size=1200,900"]


class Browser:
    """Just enough of the DevTools protocol: open a page, read it, click, type, screenshot."""

    def __init__(self, profile: Path):
        from websockets.sync.client import connect

        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30)
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        self.session = None
        self.dialogs: list[str] = []

    def close(self):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)     # the process group this test started
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(15)

    def send(self, method: str, params: dict | None = None, session: bool = True, timeout: float = 30) -> dict:
        msg_id = next(self.ids)
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            data = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if data.get("id") == msg_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data.get("result", {})
            self._event(data)

    def _event(self, data: dict):
        if data.get("method") == "Page.javascriptDialogOpening":
            self.dialogs.append(data["params"].get("message", ""))
            self.send("Page.handleJavaScriptDialog", {"accept": True})
        self.events.append(data)

    def wait_event(self, name: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    return self.events.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {name} within {timeout} s")
            self._event(json.loads(self.ws.recv(timeout=remaining)))

    def new_tab(self, context: str | None = None):
        params = {"url": "about:blank", **({"browserContextId": context} if context else {})}
        target = self.send("Target.createTarget", params, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def new_context(self) -> str:
        """A separate cookie jar: a second person at the same desk."""
        return self.send("Target.createBrowserContext", {}, session=False)["browserContextId"]

    def open(self, url: str):
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def js(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def text(self, selector: str = "body") -> str:
        return self.js(f"document.querySelector({json.dumps(selector)}).innerText")

    def click(self, selector: str, navigates: bool = True):
        """A real mouse click in the middle of the element (scrolled into view first)."""
        box = self.js(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            if (!e) return null; e.scrollIntoView({{block: 'center'}});
            const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()""")
        assert box, f"nothing on the page matches {selector}"
        self.events.clear()
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                   "clickCount": 1 if kind != "mouseMoved" else 0})
        if navigates:
            self.wait_event("Page.loadEventFired")

    def type(self, selector: str, text: str):
        self.click(selector, navigates=False)
        self.js(f"document.querySelector({json.dumps(selector)}).select && "
                f"document.querySelector({json.dumps(selector)}).select()")
        self.send("Input.insertText", {"text": text})

    def choose(self, selector: str, value: str):
        """Pick an option in a <select> as the keyboard would (focus, then change)."""
        assert self.js(f"""(() => {{ const s = document.querySelector({json.dumps(selector)}); s.focus();
            s.value = {json.dumps(value)}; s.dispatchEvent(new Event('input', {{bubbles: true}}));
            s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value; }})()""") == value

    def screenshot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1}})
        (ARTIFACTS / name).write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        b.new_tab()
        yield b
    finally:
        b.close()


@pytest.fixture
def world(tmp_path, registry_file):
    from pipelines.registry import load_registry

    con = build_db(tmp_path / "b.duckdb", load_registry(registry_file))
    yield con, registry_file, tmp_path
    con.close()


def _shown_counts(browser) -> dict[str, int]:
    cells = browser.js("""[...document.querySelectorAll('#grid td[data-theme][data-reach]')]
        .map(td => [td.dataset.theme, td.dataset.reach, td.innerText.trim()])""")
    return {f"{t}|{r}": int(n) for t, r, n in cells if t != "total" and r != "total" and int(n)}


def test_weekly_report_shows_the_counts_and_headlines_as_text(browser, world):
    from flows.report import write_weekly

    con, _, tmp = world
    html = write_weekly(con, "2026-W47", tmp / "out")[0]
    browser.dialogs.clear()
    browser.open(html.as_uri())
    assert _shown_counts(browser) == W47
    assert browser.js("document.querySelector('#total').dataset.total") == "6"
    body = browser.text()
    assert XSS_TITLE in body                                  # the headline, as text
    assert "<img src=x onerror=alert(2)>" in body
    assert browser.dialogs == []                              # nothing ran
    assert browser.js("document.querySelectorAll('script').length") == 0
    assert browser.js("document.querySelector('img.chart').naturalWidth") > 800   # the embedded chart draws
    assert browser.js("[...document.querySelectorAll('mark')].map(m => m.innerText).includes('ProDESC')")
    copy = browser.js(f"""document.querySelector('article[data-url="{URLS["labour"]}"] li.copy').dataset.url""")
    assert copy == URLS["labour_copy"]
    browser.screenshot("weekly-report.png")


def test_review_desk_click_through_changes_the_report_and_the_tally(browser, world):
    from flows.report import weekly_cells, weekly_context, write_weekly
    from flows.review import make_server
    from warehouse.tally import tally

    con, sources, tmp = world
    before = tally(con, 2026)
    server = make_server(con, sources, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.dialogs.clear()
        # first visit: the desk asks who is reviewing
        browser.open(server.url)
        assert browser.js("location.pathname") == "/name"
        browser.type("#name", "Ana López")
        browser.screenshot("review-name.png")
        browser.click("#name-form button")
        assert "Revisa: Ana López" in browser.text("#reviewer")

        # the week's new appearances; the hostile headline is text, nothing ran
        browser.open(server.url + "queue?view=new&week=2026-W47")
        assert XSS_TITLE in browser.text()
        assert browser.dialogs == []
        browser.screenshot("review-queue.png")

        # 1. reject an appearance, with a note
        card = f'article[data-url="{URLS["land"]}"]'
        browser.type(f"{card} input[name=note]", "habla de otra organización")
        browser.click(f"{card} button[value=reject]")
        assert "rechazada" in browser.text("#flash")
        assert browser.js(f"document.querySelector('{card}') === null")

        # 2. correct a theme (confirm with another theme)
        card = f'article[data-url="{URLS["xss"]}"]'
        browser.choose(f"{card} select[name=theme]", "defenders")
        browser.click(f"{card} button[value=confirm]")
        assert "confirmada" in browser.text("#flash")
        browser.screenshot("review-after-decisions.png")

        # 3. a candidate the machine rejected turns out to be about a case
        browser.click("#nav-rejected")
        card = f'article[data-url="{URLS["rejected"]}"]'
        assert "homónimo: noticias de turismo" in browser.text(card)      # the tagger's reason, in Spanish
        browser.screenshot("review-rejected-candidates.png")
        browser.choose(f"{card} select[name=theme]", "land_territory")
        browser.click(f"{card} button[value=confirm]")
        assert "confirmada" in browser.text("#flash")

        # 4. give a reach to an outlet that is not in the registry
        browser.click("#nav-outlets")
        card = 'article[data-outlet="la-lista.example"]'
        browser.type(f"{card} input[name=name]", "La Lista")
        browser.choose(f"{card} select[name=reach]", "national")
        browser.screenshot("review-outlets.png")
        browser.click(f"{card} button")
        assert "La Lista" in browser.text("#flash") and "Nacional" in browser.text("#flash")
        assert 'name: "La Lista"' in sources.read_text(encoding="utf-8")

        # 5. a second person at the same time (own cookies) sees who decided last, and decides too
        browser.new_tab(browser.new_context())
        browser.open(server.url)
        browser.type("#name", "Beto")
        browser.click("#name-form button")
        browser.open(server.url + "queue?view=reviewed")
        reviewed = browser.text()
        assert "Rechazada por Ana López" in reviewed and "«habla de otra organización»" in reviewed
        browser.screenshot("review-reviewed-second-person.png")
        card = f'article[data-url="{URLS["labour_copy"]}"]'
        browser.open(server.url + "queue?view=new&week=2026-W47")
        browser.type(f"{card} input[name=duplicate_of]", URLS["labour"])
        browser.click(f"{card} button[value=duplicate]")
        assert "duplicado" in browser.text("#flash")
    finally:
        server.shutdown()
        server.server_close()
        browser.new_tab()

    assert con.execute("SELECT reviewer, count(*) FROM reviews GROUP BY ALL ORDER BY 1").fetchall() == [
        ("Ana López", 3), ("Beto", 1)]
    # the next run of the report and of the tally shows the decisions
    expected = {"labour|national": 1, "institutional|national": 2, "defenders|national": 1,
                "land_territory|local": 1}
    assert weekly_cells(weekly_context(con, "2026-W47", chart=False)) == expected
    html = write_weekly(con, "2026-W47", tmp / "after")[0]
    browser.open(html.as_uri())
    assert _shown_counts(browser) == expected
    assert "Revisada por Ana López" in browser.text("#items")
    browser.screenshot("weekly-report-after-review.png")
    after = tally(con, 2026)
    assert after["defenders"]["national"] == before["defenders"]["national"] + 1
    assert after["institutional"]["unclassified"] == 0 and after["institutional"]["national"] == 2
    assert sum(map(sum, (c.values() for c in after.values()))) == sum(map(sum, (c.values() for c in before.values()))) - 1
