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
    assert 'data-theme="labour" data-reach="local">1<' in page
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
