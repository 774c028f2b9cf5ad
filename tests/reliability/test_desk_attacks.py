"""The review desk under attack: path traversal in every parameter of every route, two reviewers
deciding one article at the same instant, and the socket it listens on.

Cross-origin POSTs, DNS rebinding and escaping of web text in its pages are proven in
tests/test_review.py (named by their rows in docs/reliability.md); the desk runs on the small
warehouse of tests/test_report.py.
"""
from __future__ import annotations

import errno
import http.client
import inspect
import re
import socket
import threading
from urllib.parse import urlencode

from tests.test_report import URLS
from tests.test_review import Client, con, server, sources  # noqa: F401 - fixtures

SECRET = "contenido-secreto-7f3a"
TRAVERSALS = ("../../../../../../../../etc/passwd", "..%2F..%2F..%2Fsecret.txt", "....//....//etc/passwd",
              "..\\..\\secret.txt", "../../secret.txt\x00.csv")
# A valid request of each route, so that the traversal is tried where the value is used, not
# merely refused because another field is missing.
VALID = {
    ("GET", "/history"): {"url": URLS["land"]},
    ("GET", "/report/file"): {"week": "2026-W47", "format": "csv"},
    ("GET", "/report"): {"week": "2026-W47"},
    ("GET", "/reports"): {"week": "2026-W47"},
    ("POST", "/decide"): {"url": URLS["land"], "decision": "reject", "seen": "", "back": "/queue"},
    ("POST", "/outlet"): {"outlet": "la-lista.example", "name": "La Lista", "reach": "national", "region": "",
                          "language": "es"},
    ("POST", "/confirm-all"): {"count": "1", "url-0": URLS["land"], "theme-0": "land_territory", "seen-0": "",
                               "back": "/queue"},
    ("POST", "/undo"): {"back": "/queue"},
    ("POST", "/name"): {"name": "Ana"},
}
_READS = re.compile(r"""(?:params|form)(?:\.get\(|\[)f?["']([\w-]+?)(?:\{i\})?["']""")


def route_parameters(desk) -> dict[tuple[str, str], set[str]]:
    """Every (method, path) of the desk and the query or form fields its page reads, found in
    the page's source (and in the helpers it reads them through): a field added later is attacked
    too, without editing this test."""
    from warehouse.reviews import FILTERS

    found = {}
    for route in desk.app.routes:
        page = next(c.cell_contents for c in route.endpoint.__closure__ if inspect.ismethod(c.cell_contents))
        source = inspect.getsource(page)
        if "filters_from(" in source:
            source += "".join(f'params.get("{k}")' for k in FILTERS)
        if "_week_or_last(" in source:
            source += inspect.getsource(desk._week_or_last)
        names = {n + "0" if n.endswith("-") else n for n in _READS.findall(source)}     # f"url-{i}": url-0
        for method in route.methods - {"HEAD"}:
            found[(method, route.path)] = names | {"flash", "back"}
    return found


def test_path_traversal_in_every_parameter_of_every_route(con, sources, tmp_path):
    from flows.desk.app import ReviewDesk
    from pipelines.registry import load_registry

    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    desk = ReviewDesk(con, sources)
    routes = route_parameters(desk)
    assert {"url", "week", "format", "view", "theme", "process", "outlet", "reach", "q", "back", "name", "url-0",
            "theme-0", "count", "decision", "note", "duplicate_of", "region", "language"} <= set().union(*routes.values())
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if ".ducklake" not in str(p))
    tried = 0
    for (method, path), names in sorted(routes.items()):
        # A page reads each query field on its own (an unknown value falls back to the default):
        # all of them at once per GET. A form's fields are checked together: one at a time per POST.
        for one in ([sorted(names)] if method == "GET" else [[n] for n in sorted(names)]):
            for bad in TRAVERSALS:
                fields = {**VALID.get((method, path), {}), **dict.fromkeys(one, bad)}
                if method == "GET":
                    made = desk.handle("GET", f"{path}?{urlencode(fields)}", {"Cookie": "reviewer=Ana"})
                else:
                    made = desk.handle("POST", path, {"Cookie": "reviewer=Ana",
                                                      "Content-Type": "application/x-www-form-urlencoded"},
                                       urlencode(fields).encode())
                tried += 1
                where = f"{method} {path} {one}={bad!r}"
                assert made.status < 500, where
                assert b"root:x:0:0" not in made.body and SECRET.encode() not in made.body, where
                location = made.header("Location") or ""
                assert not location.startswith(("//", "file:", "http")), where
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if ".ducklake" not in str(p))
    assert after == before                                   # no file written, none moved
    assert load_registry(sources).outlets                    # the registry the desk writes still reads
    assert tried > 150


def test_path_traversal_in_the_address_itself(server):
    for raw in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/report/file/..%2f..%2f..%2fetc%2fpasswd",
                "//etc/passwd", "/report/../../etc/passwd", "/%00/../etc/passwd"):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", raw, headers={"Host": f"127.0.0.1:{server.port}", "Cookie": "reviewer=Ana"})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert resp.status in (400, 404) and b"root:x:0:0" not in body, raw


def test_two_reviewers_deciding_one_article_at_the_same_instant(server, con):
    """Both had the card open (no decision yet) and press at the same instant: both decisions are
    kept in the history, the one saved last is in force, and its reviewer, only, is told that the
    other had decided meanwhile. Five rounds, five articles."""
    ana, beto = Client(server, "Ana"), Client(server, "Beto")
    urls = [URLS[k] for k in ("land", "labour", "labour_copy", "xss", "formula")]
    for url in urls:
        barrier, pages = threading.Barrier(2), {}

        def decide(client, who, decision, theme):
            barrier.wait(10)
            status, location, _ = client.post("/decide", {"url": url, "decision": decision, "theme": theme,
                                                          "seen": "", "back": "/queue"})
            pages[who] = (status, client.follow(location))

        threads = [threading.Thread(target=decide, args=(ana, "Ana", "confirm", "labour")),
                   threading.Thread(target=decide, args=(beto, "Beto", "reject", ""))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert {who: status for who, (status, _) in pages.items()} == {"Ana": 303, "Beto": 303}
        history = con.execute("SELECT reviewer, decision FROM reviews WHERE article_url = ? ORDER BY decided_at, "
                              "review_id", [url]).fetchall()
        assert sorted(history) == [("Ana", "confirm"), ("Beto", "reject")]
        in_force = con.execute("SELECT reviewer FROM latest_reviews WHERE article_url = ?", [url]).fetchone()[0]
        first = ({"Ana", "Beto"} - {in_force}).pop()
        told = {who for who, (_, page) in pages.items() if 'class="flash warn"' in page}
        assert told == {in_force}, url
        assert f"{first} había decidido" in pages[in_force][1]


def test_the_desk_listens_on_loopback_only(con, sources):
    """The bound socket is 127.0.0.1 (IPv4 only); another loopback address, and the machine's
    other addresses, find nothing listening on the port."""
    from flows.desk.server import make_server

    srv = make_server(con, sources, port=0)
    try:
        assert srv.socket.family == socket.AF_INET
        assert srv.socket.getsockname() == ("127.0.0.1", srv.port)
        others = {"127.0.0.2"}
        try:
            others |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
        except OSError:
            pass
        for address in sorted(others - {"127.0.0.1"}):
            with socket.socket() as probe:
                probe.settimeout(5)
                assert probe.connect_ex((address, srv.port)) in (errno.ECONNREFUSED, errno.EHOSTUNREACH), address
    finally:
        srv.server_close()
