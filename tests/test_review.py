"""The review desk: decisions as plain functions, the registry file, labels, and the HTTP
adapter over a real loopback socket (two reviewers at once, same-origin checks)."""
from __future__ import annotations

import http.client
import threading
from urllib.parse import urlencode

import pytest

from tests.test_report import URLS, XSS_TITLE, build_db

SOURCES_WITH_COMMENTS = """\
# The outlets we follow (a comment the communications team wrote)
outlets:
  # --- local ---
  - name: Diario Uno
    domains: [www.diariouno.example, diariouno.example]
    reach: local
    region: Yucatán
    language: es
    feeds: [http://www.diariouno.example/feed/]   # unverified
    sitemaps: [http://www.diariouno.example/sitemap.xml]
  - name: Nacional Dos
    domains: [nacionaldos.example]
    reach: national
    region: ""
    language: es
    feeds: [http://nacionaldos.example/rss.xml]
    sitemaps: []

# ======================================================
#  DISCOVERY - news searches
# ======================================================
discovery:
  - name: Search
    url: http://search.example/rss?q=ProDESC
"""


@pytest.fixture
def sources(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES_WITH_COMMENTS, encoding="utf-8")
    return path


@pytest.fixture
def con(tmp_path, sources):
    from pipelines.registry import load_registry
    c = build_db(tmp_path / "d.ducklake", load_registry(sources))
    yield c
    c.close()


def _counted(con) -> dict[str, str]:
    return dict(con.execute("SELECT url, theme FROM appearances").fetchall())


# ---------------------------------------------------------------------------- decisions

def test_decisions_are_inserted_and_the_latest_is_in_force(con):
    from warehouse.reviews import record_decision

    first = record_decision(con, URLS["land"], "reject", "Ana", note="habla de otra organización")
    assert URLS["land"] not in _counted(con)
    second = record_decision(con, URLS["land"], "confirm", "Beto", theme="defenders")
    assert _counted(con)[URLS["land"]] == "defenders"
    history = con.execute("SELECT review_id, decision, reviewer, note FROM reviews ORDER BY decided_at").fetchall()
    assert history == [(first.review_id, "reject", "Ana", "habla de otra organización"),
                       (second.review_id, "confirm", "Beto", None)]
    assert con.execute("SELECT reviewer FROM latest_reviews").fetchall() == [("Beto",)]
    assert con.execute("SELECT decided_by FROM appearances WHERE url = ?", [URLS["land"]]).fetchone() == ("review",)


def test_a_url_variant_finds_the_stored_article(con):
    from warehouse.reviews import record_decision

    made = record_decision(con, "https://www.diariouno.example/ejido-amparo/", "reject", "Ana")
    assert made.url == URLS["land"]


def test_confirming_a_rejected_candidate_counts_it(con):
    from flows.desk.views import queue
    from warehouse.reviews import record_decision

    assert [i["url"] for i in queue(con, "rejected")] == [URLS["rejected"]]
    item = queue(con, "rejected")[0]
    assert item["theme"] == "land_territory"                 # suggested from the candidate mention
    assert item["reasons"] == ["homónimo: noticias de turismo"]          # the desk speaks Spanish by default
    assert queue(con, "rejected", lang="en")[0]["reasons"] == ["look-alike: tourism news"]
    record_decision(con, URLS["rejected"], "confirm", "Ana", theme="land_territory")
    assert _counted(con)[URLS["rejected"]] == "land_territory"
    assert queue(con, "rejected") == []
    assert [i["url"] for i in queue(con, "reviewed")] == [URLS["rejected"]]


def test_reasons_stored_before_spanish_say_their_code_in_spanish(con):
    """A row stored before the tagger wrote Spanish shows what its code means, never the English."""
    from flows.desk.views import queue

    con.execute("UPDATE mentions SET reason_es = NULL WHERE article_url = ?", [URLS["rejected"]])   # an old row
    assert queue(con, "rejected")[0]["reasons"] == ["homónimo: otra organización o persona con nombre parecido"]
    assert queue(con, "rejected", lang="en")[0]["reasons"] == ["look-alike: tourism news"]


def test_duplicates_the_machine_missed(con):
    from flows.desk.views import queue
    from warehouse.reviews import ReviewError, record_decision

    item = next(i for i in queue(con, "new", "2026-W47") if i["url"] == URLS["labour_copy"])
    assert URLS["land"] in [c["url"] for c in item["candidates"]]        # same outlet, within 30 days
    with pytest.raises(ReviewError, match="itself"):
        record_decision(con, URLS["land"], "duplicate", "Ana", duplicate_of=URLS["land"])
    with pytest.raises(ReviewError, match="original"):
        record_decision(con, URLS["land"], "duplicate", "Ana", duplicate_of="http://nowhere.example/x")
    record_decision(con, URLS["labour_copy"], "duplicate", "Ana", duplicate_of=URLS["labour"])
    assert URLS["labour_copy"] not in _counted(con)
    with pytest.raises(ReviewError, match="already marked"):
        record_decision(con, URLS["labour"], "duplicate", "Ana", duplicate_of=URLS["labour_copy"])


def test_bad_decisions_are_refused_with_a_reason(con):
    from warehouse.reviews import ReviewError, record_decision

    for kwargs, match in [({"decision": "maybe"}, "unknown decision"), ({"theme": "sports"}, "unknown theme"),
                          ({"reviewer": "  "}, "name is missing")]:
        args = {"url": URLS["land"], "decision": "confirm", "reviewer": "Ana", **kwargs}
        with pytest.raises(ReviewError, match=match):
            record_decision(con, **args)
    with pytest.raises(ReviewError, match="no stored article"):
        record_decision(con, "http://nowhere.example/", "reject", "Ana")
    assert con.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_someone_elses_decision_in_between_is_reported_not_lost(con):
    from warehouse.reviews import record_decision

    seen = ""                                                              # Ana opened the page: no decision yet
    record_decision(con, URLS["xss"], "reject", "Beto", seen_review="")     # Beto decides first
    made = record_decision(con, URLS["xss"], "confirm", "Ana", theme="institutional", seen_review=seen)
    assert made.overrode["reviewer"] == "Beto" and made.overrode["decision"] == "reject"
    assert con.execute("SELECT count(*) FROM reviews").fetchone()[0] == 2
    assert _counted(con)[URLS["xss"]] == "institutional"


# ---------------------------------------------------------------------------- outlets and the registry

def test_assigning_reach_classifies_the_past_and_appends_to_the_registry(con, sources):
    from warehouse.reviews import assign_reach, unclassified_outlets
    from pipelines.registry import load_registry
    from warehouse.load import load_outlets

    assert [o["outlet"] for o in unclassified_outlets(con)] == ["la-lista.example"]
    assign_reach(con, "la-lista.example", "national", "Ana", sources)
    assert con.execute("SELECT reach FROM appearances WHERE url = ?", [URLS["unregistered"]]).fetchone() == ("national",)
    assert con.execute("SELECT reach, in_registry FROM outlets WHERE name = 'la-lista.example'").fetchone() == (
        "national", True)
    assert con.execute("SELECT reach, valid_from::VARCHAR, source FROM outlet_reach_history "
                       "WHERE outlet = 'la-lista.example' AND source = 'review'").fetchall() == [
        ("national", "0001-01-01", "review")]
    assert con.execute("SELECT reviewer, reach FROM outlet_reviews").fetchall() == [("Ana", "national")]
    text = sources.read_text(encoding="utf-8")
    assert text.startswith(SOURCES_WITH_COMMENTS.split("\n# =====")[0])          # everything before kept
    assert text.endswith(SOURCES_WITH_COMMENTS[SOURCES_WITH_COMMENTS.index("\n# =====") + 1:])   # and after
    assert "# added from the review desk by Ana" in text
    registry = load_registry(sources)
    assert [o.name for o in registry.outlets][-1] == "la-lista.example"
    assert registry.outlet_for_url(URLS["unregistered"]).reach == "national"
    assert [d.name for d in registry.discovery] == ["Search"]
    # the next crawl reads the registry again: the classification stays
    load_outlets(con, registry, {"la-lista.example"})
    assert con.execute("SELECT reach FROM appearances WHERE url = ?", [URLS["unregistered"]]).fetchone() == ("national",)
    assert unclassified_outlets(con) == []


def test_assigning_reach_under_a_proper_name_moves_the_articles(con, sources):
    from warehouse.reviews import assign_reach
    from pipelines.registry import load_registry
    from warehouse.load import load_outlets

    assert assign_reach(con, "la-lista.example", "international", "Ana", sources, name="La Lista",
                        language="es") == "La Lista"
    assert con.execute("SELECT outlet, reach FROM appearances WHERE url = ?", [URLS["unregistered"]]).fetchone() == (
        "La Lista", "international")
    assert con.execute("SELECT count(*) FROM outlets WHERE name = 'la-lista.example'").fetchone()[0] == 0
    load_outlets(con, load_registry(sources), {"la-lista.example"})
    assert con.execute("SELECT outlet, reach FROM appearances WHERE url = ?", [URLS["unregistered"]]).fetchone() == (
        "La Lista", "international")


def test_assigning_reach_refuses_what_would_break_the_registry(con, sources):
    from warehouse.reviews import ReviewError, assign_reach

    before = sources.read_text(encoding="utf-8")
    with pytest.raises(ReviewError, match="reach must be"):
        assign_reach(con, "la-lista.example", "unclassified", "Ana", sources)
    with pytest.raises(ReviewError, match="already used"):
        assign_reach(con, "la-lista.example", "local", "Ana", sources, name="Diario Uno")
    with pytest.raises(ReviewError, match="already in the registry"):
        assign_reach(con, "Diario Uno", "local", "Ana", sources)
    assert sources.read_text(encoding="utf-8") == before
    # someone already gave the host to another outlet by hand: the file would no longer load
    edited = before.replace("domains: [nacionaldos.example]", "domains: [nacionaldos.example, la-lista.example]")
    sources.write_text(edited, encoding="utf-8")
    with pytest.raises(ReviewError, match="ya lo usa el medio"):
        assign_reach(con, "la-lista.example", "national", "Ana", sources)
    assert sources.read_text(encoding="utf-8") == edited                      # left as it was
    assert con.execute("SELECT in_registry FROM outlets WHERE name = 'la-lista.example'").fetchone() == (False,)
    assert not list(sources.parent.glob("tmp*.yaml"))


# ---------------------------------------------------------------------------- labels for evaluate

def test_review_labels_score_the_tagger(con):
    from warehouse.evaluation import score
    from warehouse.reviews import record_decision, review_labels, tagger_verdicts

    record_decision(con, URLS["land"], "reject", "Ana")                                  # tagger was wrong
    record_decision(con, URLS["xss"], "confirm", "Ana", theme="defenders")              # right, wrong theme
    record_decision(con, URLS["labour"], "confirm", "Beto", theme="labour")              # right
    record_decision(con, URLS["rejected"], "confirm", "Beto", theme="land_territory")    # tagger missed it
    labels = review_labels(con)
    by_url = {l["url"]: l for l in labels}
    assert by_url[URLS["land"]]["counted"] is False and by_url[URLS["land"]]["theme"] is None
    assert by_url[URLS["xss"]]["theme"] == "defenders" and by_url[URLS["xss"]]["decision"] == "confirm"
    assert by_url[URLS["rejected"]]["counted"] and by_url[URLS["rejected"]]["reviewer"] == "Beto"
    s = score(labels, tagger_verdicts(con))
    assert (s.tp, s.fp, s.fn, s.theme_right) == (2, 1, 1, 1)


# ---------------------------------------------------------------------------- the HTTP adapter

class Client:
    """A browser-like client: keeps its reviewer cookie, sends the desk's own Origin."""

    def __init__(self, server, name=None):
        self.server, self.cookie = server, None
        if name:
            self.post("/name", {"name": name})

    def request(self, method, path, form=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        h = {"Host": f"127.0.0.1:{self.server.port}", **(headers or {})}
        if self.cookie:
            h["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form)
            h.setdefault("Origin", f"http://127.0.0.1:{self.server.port}")
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body, h)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8")
        set_cookie = resp.getheader("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";")[0]
        conn.close()
        return resp.status, resp.getheader("Location"), data

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, form, **kw):
        return self.request("POST", path, form, **kw)

    def follow(self, location):
        return self.get(location)[2]


@pytest.fixture
def server(con, sources):
    from flows.desk.server import make_server

    srv = make_server(con, sources, port=0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_name_is_asked_once_then_remembered(server):
    anon = Client(server)
    status, location, _ = anon.get("/queue")
    assert (status, location) == (303, "/name")
    status, location, _ = anon.post("/name", {"name": "Ana <b>López</b>"})
    assert status == 303 and anon.cookie.startswith("reviewer=")
    page = anon.get("/queue")[2]
    assert "Revisa: Ana &lt;b&gt;López&lt;/b&gt;" in page


def test_pages_escape_what_comes_from_the_web(server):
    page = Client(server, "Ana").get("/queue?view=new&week=2026-W47")[2]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ProDESC recibe un premio" in page
    assert "<script" not in page and "<img src=x" not in page


def test_the_desk_gives_the_taggers_reason_in_its_language(server, con, sources):
    from flows.desk.app import ReviewDesk

    page = Client(server, "Ana").get("/queue?view=rejected")[2]          # Spanish, the default
    assert "Por qué el monitor no la contó: homónimo: noticias de turismo" in page
    assert "look-alike: tourism news" not in page
    english = ReviewDesk(con, sources, "en").handle("GET", "/queue?view=rejected", {"Cookie": "reviewer=Ann"})
    page = english.body.decode("utf-8")
    assert "Why the monitor did not count it: look-alike: tourism news" in page
    assert "homónimo" not in page


def test_forms_from_elsewhere_are_refused(server, con):
    ana = Client(server, "Ana")
    form = {"url": URLS["land"], "decision": "reject"}
    assert ana.post("/decide", form, headers={"Origin": "http://evil.example"})[0] == 403
    assert ana.post("/decide", form, headers={"Origin": "null", "Referer": "http://evil.example/x"})[0] == 403
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)       # no Origin, no Referer
    conn.request("POST", "/decide", urlencode(form), {"Cookie": ana.cookie,
                                                      "Content-Type": "application/x-www-form-urlencoded"})
    assert conn.getresponse().status == 403
    assert ana.get("/queue", headers={"Host": "attacker.example"})[0] == 421     # DNS rebinding
    # confirming a page and undoing are forms like any other: refused from elsewhere too
    page_form = {"count": "1", "url-0": URLS["land"], "theme-0": "land_territory", "seen-0": "", "back": "/queue"}
    assert ana.post("/confirm-all", page_form, headers={"Origin": "http://evil.example"})[0] == 403
    assert ana.post("/undo", {"back": "/queue"}, headers={"Origin": "http://evil.example"})[0] == 403
    assert con.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0
    # a "back" address that leaves the desk is ignored
    status, location, _ = ana.post("/decide", {**form, "back": "//evil.example/x"})
    assert status == 303 and location.startswith("/queue?")


def test_a_decision_through_the_desk_redirects_and_says_what_happened(server, con):
    ana = Client(server, "Ana")
    status, location, _ = ana.post("/decide", {"url": URLS["land"], "decision": "reject", "note": "turismo",
                                               "seen": "", "back": "/queue?view=new&week=2026-W47"})
    assert status == 303 and location.startswith("/queue?view=new&week=2026-W47&flash=")
    page = ana.follow(location)
    assert "Guardado" in page and "rechazada" in page
    assert URLS["land"] not in page.split('id="flash"')[1]             # gone from the queue
    reviewed = ana.get("/queue?view=reviewed")[2]
    assert "Rechazada por Ana" in reviewed and "«turismo»" in reviewed
    status, location, _ = ana.post("/decide", {"url": URLS["land"], "decision": "duplicate", "duplicate_of": "",
                                               "back": "/queue"})
    assert "No se pudo guardar" in ana.follow(location)


def test_two_reviewers_at_once_lose_no_decision(server, con):
    ana, beto = Client(server, "Ana"), Client(server, "Beto")
    urls = [URLS[k] for k in ("land", "labour", "labour_copy", "xss", "unregistered", "formula")]
    errors, barrier = [], threading.Barrier(2)

    def work(client, decision):
        try:
            barrier.wait()
            for _ in range(3):
                for url in urls:
                    status, location, _ = client.post("/decide", {"url": url, "decision": decision,
                                                                  "theme": "labour", "seen": "", "back": "/queue"})
                    assert status == 303 and "flash=" in location
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(ana, "confirm")), threading.Thread(target=work, args=(beto, "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert con.execute("SELECT count(*), count(DISTINCT review_id) FROM reviews").fetchone() == (36, 36)
    assert con.execute("SELECT reviewer, count(*) FROM reviews GROUP BY ALL ORDER BY 1").fetchall() == [
        ("Ana", 18), ("Beto", 18)]
    latest = con.execute("SELECT article_url, reviewer, decision FROM latest_reviews").fetchall()
    assert len(latest) == 6 and all((r == "Ana") == (d == "confirm") for _, r, d in latest)


def test_conflict_is_shown_to_the_second_reviewer(server, con):
    ana, beto = Client(server, "Ana"), Client(server, "Beto")
    ana.get("/queue?view=new")                                  # both have the page open, no decision yet
    beto.post("/decide", {"url": URLS["xss"], "decision": "reject", "seen": "", "back": "/queue"})
    status, location, _ = ana.post("/decide", {"url": URLS["xss"], "decision": "confirm", "theme": "institutional",
                                               "seen": "", "back": "/queue"})
    page = ana.follow(location)
    assert "Beto había decidido «Rechazada»" in page and 'class="flash warn"' in page
    assert "a las " in page and "(hora de la Ciudad de México)) mientras usted la veía" in page   # when, with its zone


def test_outlet_page_assigns_reach(server, con, sources):
    ana = Client(server, "Ana")
    page = ana.get("/outlets")[2]
    assert 'data-outlet="la-lista.example"' in page
    status, location, _ = ana.post("/outlet", {"outlet": "la-lista.example", "name": "La Lista", "reach": "national",
                                               "region": "", "language": "es"})
    assert "quedó como Nacional" in ana.follow(location)
    assert 'name: "La Lista"' in sources.read_text(encoding="utf-8")


def test_review_command_is_registered(monkeypatch, tmp_path):
    from flows.cli import main
    from flows.desk import command

    seen = {}
    monkeypatch.setattr(command, "run_desk", lambda *a: seen.setdefault("args", a) and 0)
    (tmp_path / "s.yaml").write_text("outlets: []\n")
    assert main(["review", "--db", str(tmp_path / "x.ducklake"), "--sources", str(tmp_path / "s.yaml"),
                 "--port", "0"]) == 0
    db, sources, port, lang, open_browser, verbose = seen["args"]
    assert port == 0 and lang == "es" and not open_browser and not verbose
    assert XSS_TITLE  # the fixture's hostile headline is shared with the browser test


def test_the_desk_shows_the_weekly_report_with_its_decisions(server, con):
    ana = Client(server, "Ana")
    ana.post("/decide", {"url": URLS["land"], "decision": "reject", "seen": "", "back": "/queue"})
    page = ana.get("/report?week=2026-W47")[2]
    assert 'data-theme="land_territory" data-reach="local">0<' in page
    assert 'data-theme="labour" data-reach="local"><a class="count" href="#t-labour-local">1</a><' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page


def test_evaluate_against_review_decisions_from_the_cli(tmp_path):
    """`prodesc-monitor evaluate --reviews` scores the tagger against people's decisions."""
    import subprocess
    import sys
    from dataclasses import replace
    from datetime import date

    from tests.test_warehouse import FakeTags, article
    from warehouse.db import connect
    from pipelines.records import Tagged
    from warehouse.load import load_batch
    db = tmp_path / "r.ducklake"
    con = connect(db)
    load_batch(con, [Tagged(article("http://www.diariouno.example/a"), FakeTags()),
                     Tagged(replace(article("http://www.diariouno.example/b", day=date(2023, 6, 1)),
                                    fingerprint="0f0f0f0f0f0f0f0f"), FakeTags())], {}, [], "r", "kb")
    con.execute("INSERT INTO reviews VALUES ('1', 'http://www.diariouno.example/a', 'confirm', NULL, NULL, NULL, 'ana', now())")
    con.execute("INSERT INTO reviews VALUES ('2', 'http://www.diariouno.example/b', 'reject', NULL, NULL, NULL, 'ana', now())")
    con.close()
    out = subprocess.run([sys.executable, "-m", "flows.cli", "evaluate", "--reviews", "--db", str(db)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "precisión 0.500" in out.stdout and "exhaustividad 1.000" in out.stdout


# ---------------------------------------------------------------------------- the desk's own guarantees

def test_every_response_carries_the_security_headers(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for path, host in [("/queue", f"127.0.0.1:{server.port}"), ("/nowhere", f"localhost:{server.port}"),
                       ("/queue", "attacker.example")]:
        conn.request("GET", path, headers={"Host": host, "Cookie": "reviewer=Ana"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status in (200, 404, 421)
        assert resp.getheader("Content-Security-Policy") == (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
        assert (resp.getheader("X-Frame-Options"), resp.getheader("X-Content-Type-Options"),
                resp.getheader("Referrer-Policy"), resp.getheader("Cache-Control")) == (
            "DENY", "nosniff", "same-origin", "no-store")
    conn.close()


def test_the_reviewer_cookie_is_for_this_desk_only(con, sources):
    from flows.desk.app import ReviewDesk

    desk = ReviewDesk(con, sources)
    made = desk.handle("POST", "/name", {"Content-Type": "application/x-www-form-urlencoded"},
                       urlencode({"name": "  Ana\n López "}).encode())
    assert (made.status, made.header("Location")) == (303, "/queue")
    assert made.header("Set-Cookie") == "reviewer=Ana%20L%C3%B3pez; Path=/; Max-Age=31536000; SameSite=Strict; HttpOnly"
    assert desk.handle("GET", "/queue", {"Cookie": "reviewer=Ana%20L%C3%B3pez"}).status == 200
    assert desk.handle("POST", "/decide", {}, b"x" * 1_000_001).status == 413


def test_the_desk_speaks_from_its_message_files():
    import re

    import yaml

    from flows.desk.messages import MESSAGES, desk_text

    es, en = (yaml.safe_load((MESSAGES / f"{lang}.yaml").read_text(encoding="utf-8")) for lang in ("es", "en"))
    assert es.keys() == en.keys()
    for key in es:                                           # the same {placeholders} in both languages
        assert set(re.findall(r"{(\w+)}", es[key])) == set(re.findall(r"{(\w+)}", en[key])), key
    assert desk_text()["desk"] == "Mesa de revisión" and desk_text("en")["desk"] == "Review desk"
    assert desk_text()["reaches"]["national"] == "Nacional"                # the report's labels underneath


def test_the_desk_runs_no_sql_of_its_own():
    from pathlib import Path

    import flows.desk

    for path in Path(flows.desk.__file__).parent.rglob("*.py"):
        assert "execute(" not in path.read_text(encoding="utf-8"), path.name      # warehouse.reviews does


# ---------------------------------------------------------------------------- a morning's work at the desk

def _in_process(con, sources, who="Ana", lang="es"):
    """The desk driven in-process: get(path) -> (status, html); post(path, form) -> the page the
    redirect leads to (the one-shot message included), or the response when it is not a redirect."""
    from flows.desk.app import ReviewDesk

    desk = ReviewDesk(con, sources, lang)
    cookie = {"Cookie": f"reviewer={who}"}

    def get(path):
        r = desk.handle("GET", path, cookie)
        return r.status, r.body.decode("utf-8", "replace")

    def post(path, form, as_who=None):
        r = desk.handle("POST", path, {"Cookie": f"reviewer={as_who or who}",
                                       "Content-Type": "application/x-www-form-urlencoded"}, urlencode(form).encode())
        if r.status == 303:
            return get(r.header("Location"))[1]
        return r.body.decode("utf-8", "replace")

    return get, post


def _cards(page: str) -> list[str]:
    import re
    return re.findall(r'<article class="card[^"]*" id="[^"]+" data-url="([^"]+)"', page)


def _flash(page: str) -> str:
    import html
    import re
    found = re.search(r'<div class="flash \w+" id="flash" role="status">(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_filters_narrow_the_list_and_the_counts_on_the_tabs(con, sources):
    from warehouse.reviews import review_counts

    con.execute("INSERT INTO entities (id, name, name_en, kind, theme) VALUES "
                "('uja', 'Unión de Jornaleros Agrícolas', 'Agricultural Workers'' Union', 'process', 'labour')")
    get, post = _in_process(con, sources)
    status, page = get("/queue?view=new&week=2026-W47")
    assert status == 200
    assert sorted(_cards(page)) == sorted(URLS[k] for k in ("land", "labour", "labour_copy", "xss", "unregistered",
                                                            "formula"))
    assert 'data-count="6"' in page and "Apariciones nuevas (6)" in page          # the tab says what is under it
    assert "Candidatas descartadas (1)" in page and "Ya revisadas (0)" in page
    assert ">semana 47 (16–22 nov 2026)</option>" in page                          # the week picker, in words
    # each filter keeps only what matches it, and the counts follow the filters
    for query, expected in [("theme=labour", {"labour", "labour_copy"}),
                            ("outlet=Diario+Uno", {"land", "labour_copy"}),
                            ("reach=unclassified", {"unregistered"}),
                            ("process=uja", {"labour", "labour_copy"}),
                            ("q=premio", {"xss"}),                                   # in the headline
                            ("q=asamblea", {"labour", "labour_copy"}),                # in a mention's sentence
                            ("q=100%25", set()),                                      # % is a character, not "anything"
                            ("theme=labour&outlet=Nacional+Dos", {"labour"})]:
        page = get(f"/queue?view=new&week=2026-W47&{query}")[1]
        assert set(_cards(page)) == {URLS[k] for k in expected}, query
        assert f"Apariciones nuevas ({len(expected)})" in page, query
    page = get("/queue?view=new&week=2026-W47&process=uja")[1]
    assert "Unión de Jornaleros Agrícolas</option>" in page and "Agricultural Workers" not in page   # Spanish names
    assert "Ninguna nota de esta pestaña coincide" in get("/queue?view=new&q=nada+de+esto")[1]
    # the tabs keep the filters, so switching tab does not lose them
    assert 'href="/queue?view=rejected&amp;week=2026-W47&amp;theme=labour"' in get(
        "/queue?view=new&week=2026-W47&theme=labour")[1]
    # an unknown filter value is dropped, not an error (an old shared link still opens)
    assert set(_cards(get("/queue?view=new&week=2026-W47&theme=sports")[1])) >= {URLS["land"], URLS["xss"]}
    post("/decide", {"url": URLS["land"], "decision": "reject", "seen": "", "back": "/queue"})
    assert review_counts(con, filters={"outlet": "Diario Uno"}) == {"new": 2, "rejected": 1, "reviewed": 1}   # all weeks


def test_empty_tabs_say_what_is_empty(con, sources):
    get, _ = _in_process(con, sources)
    page = get("/queue?view=reviewed&week=2026-W47")[1]
    assert "Todavía no hay decisiones en esta semana." in page and "nada por revisar" not in page.lower()
    assert "Todavía no hay decisiones.</p>" in get("/queue?view=reviewed")[1]               # every week
    get_en, _ = _in_process(con, sources, lang="en")
    assert "No decisions yet this week." in get_en("/queue?view=reviewed&week=2026-W47")[1]


def test_confirming_a_whole_page_records_one_decision_per_article(con, sources):
    import re

    get, post = _in_process(con, sources)
    page = get("/queue?view=new&week=2026-W47&outlet=Nacional+Dos")[1]
    form = dict(re.findall(r'<input type="hidden" name="((?:url|theme|seen|count|back)[-\d]*)" value="([^"]*)">',
                           page.split('id="confirm-all"')[1]))
    assert form["count"] == "3"
    after = post("/confirm-all", form)
    assert _flash(after) == "3 notas confirmadas."
    rows = con.execute("SELECT article_url, decision, theme, reviewer FROM reviews ORDER BY article_url").fetchall()
    assert rows == sorted([(URLS["formula"], "confirm", "institutional", "Ana"),
                           (URLS["labour"], "confirm", "labour", "Ana"),
                           (URLS["xss"], "confirm", "institutional", "Ana")])
    assert len({r[0] for r in con.execute("SELECT review_id FROM reviews").fetchall()}) == 3
    # all or nothing: one address that is not stored, and none of the page is confirmed
    bad = {"count": "2", "url-0": URLS["land"], "theme-0": "land_territory", "seen-0": "",
           "url-1": "http://nowhere.example/x", "theme-1": "", "seen-1": "", "back": "/queue"}
    assert "no hay ninguna nota guardada con la dirección http://nowhere.example/x" in _flash(post("/confirm-all", bad))
    assert con.execute("SELECT count(*) FROM reviews").fetchone()[0] == 3
    assert "no había notas que confirmar" in _flash(post("/confirm-all", {"count": "many", "back": "/queue"}))


def test_undo_takes_back_my_own_last_decision_and_keeps_the_history(con, sources):
    from warehouse.reviews import article_history

    get, post = _in_process(con, sources)
    post("/decide", {"url": URLS["land"], "decision": "reject", "seen": "", "back": "/queue"})
    post("/decide", {"url": URLS["land"], "decision": "confirm", "theme": "defenders", "seen": "", "back": "/queue"})
    post("/decide", {"url": URLS["xss"], "decision": "reject", "seen": "", "back": "/queue"}, as_who="Beto")
    assert _counted(con)[URLS["land"]] == "defenders"
    page = post("/undo", {"back": "/queue?view=reviewed"})
    assert _flash(page).startswith("Deshecha su decisión «Confirmada» sobre «Ejido presenta amparo contra granja»")
    assert "(hora de la Ciudad de México)" in _flash(page)
    assert URLS["land"] not in _counted(con)                       # Ana's rejection is in force again
    assert con.execute("SELECT decision, reviewer FROM latest_reviews WHERE article_url = ?",
                       [URLS["land"]]).fetchall() == [("reject", "Ana")]
    post("/undo", {"back": "/queue"})                              # and the one before: undecided again
    assert URLS["land"] in _counted(con)
    assert URLS["land"] in _cards(get("/queue?view=new&week=2026-W47")[1])
    assert "usted no tiene decisiones que deshacer" in _flash(post("/undo", {"back": "/queue"}))
    assert URLS["xss"] not in _counted(con)                        # Beto's decision is Beto's
    _, history = article_history(con, URLS["land"])
    assert [(h["decision"], h["reviewer"], h["undone"]) for h in history] == [
        ("reject", "Ana", True), ("confirm", "Ana", True), ("undo", "Ana", False), ("undo", "Ana", False)]
    assert con.execute("SELECT count(*) FROM reviews").fetchone()[0] == 5   # nothing deleted


def test_an_articles_history_shows_who_decided_what_and_when(con, sources):
    from urllib.parse import quote

    get, post = _in_process(con, sources)
    post("/decide", {"url": URLS["land"], "decision": "reject", "note": "otra organización", "seen": "",
                     "back": "/queue"})
    post("/decide", {"url": URLS["land"], "decision": "confirm", "theme": "defenders", "seen": "", "back": "/queue"},
         as_who="Beto")
    post("/undo", {"back": "/queue"}, as_who="Beto")
    status, page = get(f"/history?url={quote(URLS['land'])}&back=/queue%3Fview%3Dreviewed")
    assert status == 200
    rows = page.split('<tbody>')[1]
    assert rows.count("<tr") == 3
    assert "Rechazada" in rows and "«otra organización»" in rows and "Ana" in rows
    assert "Confirmada · Derecho a defender derechos" in rows
    assert "Deshizo «Confirmada» de Beto" in rows
    assert rows.count("(hora de la Ciudad de México)") >= 3                       # when, with its zone
    assert '<strong>la que cuenta</strong>' in rows and "deshecha" in rows
    assert 'href="/queue?view=reviewed" id="back"' in page
    assert get("/history?url=http%3A%2F%2Fnowhere.example%2F")[0] == 404
    assert 'class="history-link"' in get("/queue?view=new")[1]


def test_duplicates_same_outlet_one_click_reprints_other_outlets_count_apart(con, sources):
    import re

    # the same Diario Uno article under a second address (its headline barely changed)
    con.execute("UPDATE articles SET title = 'Ejido presenta amparo contra la granja' WHERE url = ?",
                [URLS["w46_land"]])
    get, post = _in_process(con, sources)
    page = get("/queue?view=new")[1]
    card = lambda url: page.split(f'data-url="{url}"')[1].split("</article>")[0]   # noqa: E731
    copy = card(URLS["labour_copy"])           # Diario Uno's copy of Nacional Dos's story: a reprint
    assert "Posible reimpresión: cuenta aparte" in copy and "cuenta una vez por cada medio" in copy
    reprints = copy.split('class="alike reprints"')[1]
    assert f'class="reprint" data-url="{URLS["labour"]}"' in reprints and "mismo texto" in reprints
    assert 'class="mark-duplicate"' not in copy                                  # no one-click merge of a reprint
    assert "Posible duplicado" not in copy
    assert re.search(r'<details class="dup-other">\s*<summary>', copy)             # the free-text field, on request
    land = card(URLS["land"])
    assert "Posible duplicado: la misma nota en otra dirección del mismo medio" in land
    assert "Posible reimpresión" not in land
    one_click = land.split('class="alike duplicates"')[1]
    assert f'<input type="hidden" name="duplicate_of" value="{URLS["w46_land"]}">' in one_click
    after = post("/decide", {"url": URLS["land"], "decision": "duplicate", "duplicate_of": URLS["w46_land"],
                             "seen": "", "back": "/queue?view=new"})
    assert "marcada como duplicado" in _flash(after)
    assert URLS["land"] not in _counted(con) and URLS["w46_land"] in _counted(con)
    assert URLS["labour_copy"] in _counted(con)                                  # the reprint still counts


def test_errors_are_spoken_in_spanish(con, sources):
    get, post = _in_process(con, sources)
    status, page = get("/no-existe")
    assert status == 404 and "Esta página no existe en la mesa de revisión" in page and 'id="nav-new"' in page
    assert "Not Found" not in page
    assert "Esta dirección no se usa así" in get("/undo")[1]                      # a GET where only POST goes
    assert "el tema «sports» no existe" in _flash(post("/decide", {"url": URLS["land"], "decision": "confirm",
                                                                   "theme": "sports", "seen": "", "back": "/queue"}))
    assert "la decisión «quizá» no existe" in _flash(post("/decide", {"url": URLS["land"], "decision": "quizá",
                                                                       "seen": "", "back": "/queue"}))
    assert "escriba la dirección de la nota original" in _flash(post("/decide", {
        "url": URLS["land"], "decision": "duplicate", "duplicate_of": "", "seen": "", "back": "/queue"}))
    assert "La semana «2026-47» no existe" in _flash(get("/queue?week=2026-47")[1])
    get_en, _ = _in_process(con, sources, lang="en")
    assert "This page does not exist on the review desk" in get_en("/nowhere")[1]


def test_the_report_tab_picks_a_week_and_serves_its_files(con, sources):
    from flows.desk.app import ReviewDesk

    get, post = _in_process(con, sources)
    page = get("/reports?week=2026-W47")[1]
    assert '<option value="2026-W47" selected>semana 47 (16–22 nov 2026)</option>' in page
    assert 'href="/report/file?week=2026-W47&amp;format=xlsx"' in page and 'href="/report?week=2026-W47"' in page
    desk = ReviewDesk(con, sources)
    post("/decide", {"url": URLS["land"], "decision": "reject", "seen": "", "back": "/queue"})
    csv_file = desk.handle("GET", "/report/file?week=2026-W47&format=csv", {"Cookie": "reviewer=Ana"})
    assert csv_file.status == 200
    assert csv_file.header("Content-Disposition") == 'attachment; filename="informe-semanal-2026-W47.csv"'
    text = csv_file.body.decode("utf-8-sig")
    assert URLS["xss"] in text and URLS["land"] not in text                     # the decisions are in
    xlsx = desk.handle("GET", "/report/file?week=2026-W47&format=xlsx", {"Cookie": "reviewer=Ana"})
    assert xlsx.status == 200 and xlsx.body[:2] == b"PK" and "spreadsheetml" in xlsx.header("Content-Type")
    html = desk.handle("GET", "/report/file?week=2026-W47&format=html", {"Cookie": "reviewer=Ana"})
    assert html.status == 200 and b'data-theme="land_territory" data-reach="local">0<' in html.body
    status, page = get("/report/file?week=2026-W47&format=exe")
    assert status == 400 and "Ese tipo de archivo no existe" in page


def test_the_outlet_form_offers_states_and_languages_by_name(con, sources):
    import re

    get, post = _in_process(con, sources)
    page = get("/outlets")[1]
    region = page.split('<select name="region">')[1].split("</select>")[0]
    assert len(re.findall("<option", region)) == 33                                # 32 states and "does not apply"
    assert '<option value="Ciudad de México">' in region and '<option value="Yucatán">' in region
    assert '<option value="es" selected>español</option>' in page and '<option value="en">inglés</option>' in page
    assert "agregue los feeds (RSS) del medio" in page and "sources.yaml" in page
    before = sources.read_text(encoding="utf-8")
    for form, said in [({"region": "Atlántida", "language": "es", "reach": "local"}, "el estado «Atlántida» no está"),
                       ({"region": "", "language": "xx", "reach": "national"}, "el idioma «xx» no está"),
                       ({"region": "", "language": "es", "reach": "local"}, "un medio local necesita su estado"),
                       ({"region": "", "language": "es", "reach": ""}, "elija un alcance")]:
        assert said in _flash(post("/outlet", {"outlet": "la-lista.example", "name": "La Lista", **form}))
    assert sources.read_text(encoding="utf-8") == before
    assert "quedó como Local" in _flash(post("/outlet", {"outlet": "la-lista.example", "name": "La Lista",
                                                         "reach": "local", "region": "Oaxaca", "language": "es"}))
    assert 'region: "Oaxaca"' in sources.read_text(encoding="utf-8")


def test_a_page_that_lost_a_race_with_compaction_is_read_again(con, sources, monkeypatch):
    """After another process compacts the lake, a connection opened before fails every read
    (tests/reliability/test_concurrency.py found it; the next test reproduces it for real): the desk
    opens the warehouse again and reads the page once more instead of a 500. An error that is
    not that one is shown, in Spanish."""
    import duckdb

    from flows.desk.app import ReviewDesk

    real, calls = ReviewDesk.get_queue, []

    def flaky(self, ask):
        calls.append(ask.target)
        if len(calls) == 1:
            raise duckdb.CatalogException("Failed to read inlined data from DuckLake: Table with name "
                                          "ducklake_inlined_data_7_1 does not exist!")
        return real(self, ask)

    monkeypatch.setattr(ReviewDesk, "get_queue", flaky)
    desk = ReviewDesk(con, sources)
    assert desk.handle("GET", "/queue", {"Cookie": "reviewer=Ana"}).status == 200 and len(calls) == 2
    assert desk.con is not con                              # read again on a connection opened afresh
    desk.close()

    def broken(self, ask):
        raise duckdb.CatalogException("something else")

    monkeypatch.setattr(ReviewDesk, "get_queue", broken)
    failed = ReviewDesk(con, sources).handle("GET", "/queue", {"Cookie": "reviewer=Ana"})
    assert failed.status == 500 and "No se pudo mostrar la página: something else" in failed.body.decode()
    too_big = ReviewDesk(con, sources).handle("POST", "/decide", {"Cookie": "reviewer=Ana"}, b"x" * 1_000_001)
    assert too_big.status == 413 and "El formulario es demasiado grande" in too_big.body.decode()


def test_the_desk_survives_another_process_compacting_the_lake(tmp_path, sources):
    """The real thing: the desk's connection is open, it stores a decision (inlined in the
    catalog), another process compacts the lake flushing the inlined rows (which the routine
    compaction after a load no longer does: warehouse.db.compact), and the desk's pages and
    forms still work: it reopens the warehouse."""
    import subprocess
    import sys

    from pipelines.registry import load_registry
    from warehouse.db import connect

    db = tmp_path / "c.ducklake"
    build_db(db, load_registry(sources)).close()
    con = connect(db)
    try:
        get, post = _in_process(con, sources)
        post("/decide", {"url": URLS["land"], "decision": "reject", "seen": "", "back": "/queue"})
        compact = ("from warehouse.db import compact, connect\n"
                   f"c = connect({str(db)!r}); assert compact(c, flush=True)['rows_flushed'] > 0; c.close()")
        done = subprocess.run([sys.executable, "-c", compact], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        status, page = get("/queue?view=reviewed")
        assert status == 200 and _cards(page) == [URLS["land"]]
        assert "guardado" in _flash(post("/decide", {"url": URLS["xss"], "decision": "reject", "seen": "",
                                                     "back": "/queue"})).lower()
    finally:
        con.close()
