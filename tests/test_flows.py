"""Every Prefect flow, run for real on a throwaway Prefect server (prefect_test_harness),
over the sample web served on loopback. Plus `serve` and `alerts` against a real
`prefect server start`, as a person would use them."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path


from warehouse.db import connect as open_warehouse
import pytest

from flows.demo.sampleweb import serving
from flows.steps import LOCAL_SERVER_SETTINGS

REPO = Path(__file__).parent.parent
SAMPLE = REPO / "flows" / "demo" / "sample_web"
SOURCES = str(SAMPLE / "sources.yaml")


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def proxy():
    with serving(SAMPLE / "web") as url:
        yield {"http_proxy": url}


def appearances(db) -> list[tuple]:
    con = open_warehouse(db, read_only=True)
    try:
        return con.execute("SELECT url, outlet, reach, published_date, theme FROM appearances ORDER BY url").fetchall()
    finally:
        con.close()


def test_backfill_same_with_worker_processes_as_in_one_process(harness, proxy, tmp_path, monkeypatch):
    """`workers=2` extracts and tags in two processes of a real pool (`flows.processes`), and
    stores exactly what one process stores."""
    import flows.processes
    from flows.flows import backfill_flow

    pools = []

    class Recorded(flows.processes.ProcessPoolExecutor):   # the real pool, its batches counted
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.batches = 0
            pools.append(self)

        def submit(self, fn, *args, **kwargs):
            self.batches += 1
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(flows.processes, "ProcessPoolExecutor", Recorded)
    plain = backfill_flow(SOURCES, str(tmp_path / "plain.ducklake"), since="2023-01-01", settings=LOCAL_SERVER_SETTINGS,
                          env=proxy)
    assert not pools
    pooled = backfill_flow(SOURCES, str(tmp_path / "pooled.ducklake"), since="2023-01-01", settings=LOCAL_SERVER_SETTINGS,
                           env=proxy, workers=2)
    assert [pool._max_workers for pool in pools] == [2] and pools[0].batches > 0
    assert plain["appearances"] == pooled["appearances"] > 0
    assert appearances(tmp_path / "plain.ducklake") == appearances(tmp_path / "pooled.ducklake")
    expected = json.loads((SAMPLE / "expected.json").read_text())
    assert {r[0] for r in appearances(tmp_path / "pooled.ducklake")} == set(expected["counted_urls"])


def test_daily_then_retag_year_tally_and_weekly_report(harness, proxy, tmp_path):
    from flows.flows import daily_flow, retag_flow, weekly_report_flow, year_tally_flow
    db = str(tmp_path / "d.ducklake")
    summary = daily_flow(SOURCES, db, settings=LOCAL_SERVER_SETTINGS, env=proxy)
    assert summary["pages"] > 0 and summary["appearances"] > 0
    # feeds only: nothing from 2023 (those are reachable through sitemaps alone)
    assert all(r[3].year == 2026 for r in appearances(db))
    assert retag_flow(db)["articles"] == 0                       # knowledge base unchanged: nothing to do
    assert retag_flow(db, only_if_changed=False)["articles"] > 0
    con = open_warehouse(db, read_only=True)
    try:   # the retag wrote every mention's reason as a code and in Spanish, next to the English
        from nlp.reasons import ReasonCode
        codes = con.execute("SELECT DISTINCT reason_code FROM mentions").fetchall()
        assert codes and {c for (c,) in codes} <= {rc.value for rc in ReasonCode}
        assert con.execute("SELECT count(*) FROM mentions WHERE reason_es IS NULL OR reason_es = ''").fetchone() == (0,)
    finally:
        con.close()
    files = year_tally_flow(db, str(tmp_path / "out"), year=2026)
    assert any(f.endswith(".xlsx") for f in files)
    report = weekly_report_flow(db, str(tmp_path / "reports"), week="2026-W47")
    html = next(Path(f) for f in report if f.endswith(".html"))
    assert "2026-W47" in html.read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """A real Prefect server, as `serve` needs (the temporary one cannot hold schedules)."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                             str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from flows.deploy import api_is_up
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 150
    while not api_is_up(api):
        assert proc.poll() is None and time.monotonic() < deadline, "prefect server did not start"
        time.sleep(1)
    yield {**env, "PREFECT_API_URL": api}
    proc.terminate()
    proc.wait(30)


def test_serve_registers_every_deployment_with_its_schedule(prefect_server, tmp_path):
    from flows.deploy import SCHEDULES
    serve = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--sources", SOURCES, "--db",
                              str(tmp_path / "s.ducklake"), "--out", str(tmp_path / "out")],
                             env=prefect_server, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, listing = time.monotonic() + 120, ""
        while time.monotonic() < deadline:
            listing = subprocess.run([sys.executable, "-m", "prefect", "deployment", "ls"],
                                     env={**prefect_server, "COLUMNS": "250"}, capture_output=True, text=True).stdout
            if all(name in listing for name in SCHEDULES):
                break
            time.sleep(2)
        assert all(name in listing for name in SCHEDULES), listing
        check = subprocess.run([sys.executable, "-c", (
            "from prefect.client.orchestration import get_client\n"
            "with get_client(sync_client=True) as c:\n"
            "    for d in c.read_deployments():\n"
            "        s = d.schedules[0].schedule\n"
            "        print(d.name, s.cron, s.timezone)\n")], env=prefect_server, capture_output=True, text=True)
        schedules = {line.split()[0]: line.split()[-1] for line in check.stdout.splitlines()}
        assert set(schedules) == set(SCHEDULES) and set(schedules.values()) == {"America/Mexico_City"}
        for schedule in SCHEDULES.values():
            assert schedule.cron in check.stdout
        # a run started by serve keeps its INFO lines in Prefect (PREFECT_LOGGING_LEVEL=WARNING
        # once dropped them all: "every run, its log" was empty)
        started = subprocess.run([sys.executable, "-m", "prefect", "deployment", "run", "retag/retag-if-changed"],
                                 env=prefect_server, capture_output=True, text=True)
        assert started.returncode == 0, started.stderr
        deadline, logs = time.monotonic() + 90, ""
        while time.monotonic() < deadline:
            logs = subprocess.run([sys.executable, "-c", (
                "from prefect.client.orchestration import get_client\n"
                "from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId\n"
                "with get_client(sync_client=True) as c:\n"
                "    runs = [r for r in c.read_flow_runs() if r.state and r.state.is_completed()]\n"
                "    for log in c.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[r.id for r in runs]))):\n"
                "        print(log.level, log.message)\n")], env=prefect_server, capture_output=True, text=True).stdout
            if "knowledge_base" in logs or "base de conocimiento" in logs:
                break
            time.sleep(2)
        info = [line for line in logs.splitlines() if line.startswith("20 ")]
        assert any("base de conocimiento" in line or "knowledge" in line for line in info), logs
    finally:
        serve.terminate()
        serve.wait(30)


def test_alerts_notify_a_webhook_when_a_run_fails(prefect_server, tmp_path):
    received: list[bytes] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        setup = subprocess.run([sys.executable, "-m", "flows.cli", "alerts", "--webhook", url], env=prefect_server,
                               capture_output=True, text=True)
        assert setup.returncode == 0, setup.stderr
        # a failing run of one of the monitor's flows, and a silent outlet
        subprocess.run([sys.executable, "-c", (
            "from prefect import flow\n"
            "from prefect.events import emit_event\n"
            "@flow(name='daily monitoring')\n"
            "def f():\n    raise RuntimeError('the press could not be reached')\n"
            "emit_event(event='prodesc.outlet.silent', resource={'prefect.resource.id': 'prodesc.outlet.X',"
            " 'prefect.resource.name': 'Diario X'})\n"
            "try:\n    f()\nexcept RuntimeError:\n    pass\n")], env=prefect_server, capture_output=True)
        deadline = time.monotonic() + 90
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(1)
        texts = b"\n".join(received).decode()
        assert "a run failed" in texts and "daily monitoring" in texts
        assert "Diario X" in texts
    finally:
        server.shutdown()


def test_each_schedule_gets_the_parameters_its_flow_takes(tmp_path):
    from flows.deploy import SCHEDULES, parameters_for
    sources, db, out = tmp_path / "sources.yaml", tmp_path / "m.ducklake", tmp_path / "reports"
    paths = {"sources": str(sources), "db": str(db), "out_dir": str(out)}
    given = {name: parameters_for(s, sources, db, out, 3) for name, s in SCHEDULES.items()}
    assert given == {
        "daily-monitoring": {"sources": paths["sources"], "db": paths["db"], "workers": 3},
        "weekly-backfill": {"sources": paths["sources"], "db": paths["db"], "days_back": 14, "workers": 3},
        "weekly-report": {"db": paths["db"], "out_dir": paths["out_dir"]},
        "year-end-tally": {"db": paths["db"], "out_dir": paths["out_dir"]},
        "retag-if-changed": {"db": paths["db"], "only_if_changed": True},
        "nightly-search-index": {"db": paths["db"]},
    }


def test_alerts_and_partitions_name_the_flows_by_their_objects():
    from flows.deploy import FLOW_NAMES, entrypoint
    from flows.flows import crawl_partition_flow, daily_flow, load_flow
    assert {"crawl", "daily monitoring", "backfill", "weekly report", "year-end tally", "retag",
            "load staged pages", "crawl partition", "search index"} == set(FLOW_NAMES)
    assert daily_flow.name in FLOW_NAMES
    assert entrypoint(crawl_partition_flow) == "flows.flows.crawl_partition_flow"
    assert entrypoint(load_flow) == "flows.flows.load_flow"


def test_partitions_cover_every_outlet_once():
    from flows.deploy import partition_outlets
    names = [f"o{i}" for i in range(7)]
    groups = partition_outlets(names, 3)
    assert len(groups) == 3 and sorted(n for g in groups for n in g if n != "discovery") == sorted(names)
    assert sum(g.count("discovery") for g in groups) == 1


def test_partitioned_crawl_then_single_loader_equals_one_crawl(harness, proxy, tmp_path):
    from flows.flows import crawl_partition_flow, load_flow
    from flows.deploy import partition_outlets
    from pipelines.registry import load_registry
    db = str(tmp_path / "p.ducklake")
    names = [o.name for o in load_registry(SOURCES).outlets]
    for group in partition_outlets(names, 2):
        crawl_partition_flow(SOURCES, db, group, since="2023-01-01", settings=LOCAL_SERVER_SETTINGS, env=proxy)
    load_flow(SOURCES, db)
    expected = json.loads((SAMPLE / "expected.json").read_text())
    assert {r[0] for r in appearances(db)} == set(expected["counted_urls"])


def test_deploy_partitions_creates_its_work_pool_and_runs_in_the_workdir(prefect_server, tmp_path):
    """On a fresh server (no work pool yet) the command creates the pool, of type process; every
    deployment starts in --workdir, not in the folder the package is installed in."""
    workdir = tmp_path / "monitor"
    workdir.mkdir()
    deploy = [sys.executable, "-m", "flows.cli", "deploy-partitions", "--work-pool", "prodesc-test", "--parts", "2",
              "--sources", SOURCES, "--db", str(tmp_path / "w.ducklake"), "--workdir", str(workdir)]
    run = subprocess.run(deploy, env=prefect_server, capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Work pool creado: prodesc-test" in run.stdout
    again = subprocess.run(deploy, env=prefect_server, capture_output=True, text=True, cwd=REPO)
    assert again.returncode == 0 and "Work pool creado" not in again.stdout, again.stderr[-2000:]
    check = subprocess.run([sys.executable, "-c", (
        "from prefect.client.orchestration import get_client\n"
        "with get_client(sync_client=True) as c:\n"
        "    print('pool', c.read_work_pool('prodesc-test').type)\n"
        "    for d in c.read_deployments():\n"
        "        if d.work_pool_name == 'prodesc-test':\n"
        "            print(d.name, d.entrypoint, d.job_variables.get('working_dir'), d.pull_steps or [])\n")],
        env=prefect_server, capture_output=True, text=True)
    lines = sorted(check.stdout.splitlines())
    assert lines == sorted([
        f"after-partitions flows.flows.load_flow {workdir} []",
        f"part-1-of-2 flows.flows.crawl_partition_flow {workdir} []",
        f"part-2-of-2 flows.flows.crawl_partition_flow {workdir} []",
        "pool process"]), check.stdout + check.stderr


def test_a_crawl_stopped_by_a_held_lock_says_one_line(prefect_server, tmp_path):
    """A stop raised inside the flow run (DatabaseLocked) is the CLI's one line on stderr, not
    Prefect's traceback before it; PRODESC_MONITOR_DEBUG=1 brings the traceback back."""
    import multiprocessing

    from holders import hold_catalog
    db = tmp_path / "locked.ducklake"
    open_warehouse(db).close()
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=hold_catalog, args=(str(db), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with serving(SAMPLE / "web") as web:
            env = {**prefect_server, "http_proxy": web, "PRODESC_MONITOR_WRITE_PATIENCE": "1"}
            env.pop("PRODESC_MONITOR_DEBUG", None)
            crawl = [sys.executable, "-m", "flows.cli", "crawl", "--sources", SOURCES, "--db", str(db)]
            plain = subprocess.run(crawl, env=env, capture_output=True, text=True, cwd=REPO)
            run_log = subprocess.run([sys.executable, "-c", (      # the failed run's log on the server
                "from prefect.client.orchestration import get_client\n"
                "from prefect.client.schemas.filters import LogFilter, LogFilterLevel\n"
                "with get_client(sync_client=True) as c:\n"
                "    for log in c.read_logs(LogFilter(level=LogFilterLevel(ge_=40))):\n"
                "        print(repr(log.message))\n")], env=prefect_server, capture_output=True, text=True).stdout
            debug = subprocess.run(crawl, env={**env, "PRODESC_MONITOR_DEBUG": "1"}, capture_output=True, text=True,
                                   cwd=REPO)
    finally:
        release.set()
        holder.join(30)
    assert plain.returncode == 3, plain.stderr
    lines = [line for line in plain.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "ocupado" in lines[0], plain.stderr
    stops = [line for line in run_log.splitlines() if "DatabaseLocked" in line]   # other tests' runs fail too
    assert stops and not any("Traceback" in line for line in stops), run_log
    assert debug.returncode == 3 and "Traceback (most recent call last)" in debug.stderr, debug.stderr
    assert "DatabaseLocked" in debug.stderr


def test_the_year_end_tally_takes_its_year_default_last_year_in_mexico_city(monkeypatch, tmp_path):
    """The deployment leaves `year` open (a run for another year: `-p year=2025`); unset, it is
    the year before Mexico City's, whatever the machine's clock zone."""
    from datetime import datetime, timezone

    import pipelines.vocabulary as vocabulary
    from flows.deploy import build_deployments
    from flows.steps import tally_year
    new_years_eve = datetime(2031, 1, 1, 3, 0, tzinfo=timezone.utc)     # still 31 December 2030 in Mexico City
    monkeypatch.setattr(vocabulary, "now_mexico", lambda: new_years_eve.astimezone(vocabulary.MEXICO_CITY))
    assert tally_year(None) == 2029 and tally_year(2023) == 2023
    tally = next(d for d in build_deployments(tmp_path / "s.yaml", tmp_path / "m.ducklake", tmp_path / "out")
                 if d.name == "year-end-tally")
    year = tally._parameter_openapi_schema.properties["year"]
    assert "year" not in tally.parameters and not year.get("readOnly"), year


CORPUS = REPO.parent / "shared" / "corpus"


@pytest.mark.parametrize("web", ["sample", pytest.param("corpus", marks=pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout"))])
def test_partitioned_crawl_fetches_each_article_once_and_its_summary_counts_the_stored_rows(harness, tmp_path, web):
    """Issue 16: the news-search feed lists articles of every partition's outlets; only the
    outlet's own partition fetches them, and the loader's summary counts warehouse rows. On the
    demo's sample web (served by us) and on the labelled corpus (through its own replay proxy,
    with its deliberate faults: a page that fails twice, a slow one, a redirect loop, a drip)."""
    from collections import Counter

    from flows.deploy import partition_outlets
    from flows.evaluate import replay_proxy
    from flows.flows import crawl_partition_flow, load_flow
    from pipelines.registry import load_registry
    sources = SOURCES if web == "sample" else str(CORPUS / "sources.yaml")
    db, log = str(tmp_path / "p.ducklake"), tmp_path / "requests.jsonl"
    registry = load_registry(sources)
    names = [o.name for o in registry.outlets]
    listings = {u for o in registry.outlets for u in (*o.feeds, *o.sitemaps)} | {d.url for d in registry.discovery}
    proxy = serving(SAMPLE / "web", log_path=log) if web == "sample" else replay_proxy(CORPUS, log)
    with proxy as url:
        for group in partition_outlets(names, 2):
            crawl_partition_flow(sources, db, group, since="2023-01-01", settings=LOCAL_SERVER_SETTINGS,
                                 env={"http_proxy": url})
        summary = load_flow(sources, db)
    # Answers, not attempts: both webs fail some pages with a 503 first, which Scrapy retries.
    fetched = Counter(r["url"] for r in map(json.loads, log.read_text().splitlines())
                      if r["method"] == "GET" and r["status"] == 200 and r["url"] not in listings
                      and not r["url"].endswith("/robots.txt") and "sitemap" not in r["url"])
    con = open_warehouse(db, read_only=True)
    try:
        stored_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        stored_appearances = con.execute("SELECT count(*) FROM appearances").fetchone()[0]
        article_urls = [r[0] for r in con.execute("SELECT url FROM articles").fetchall()]
    finally:
        con.close()
    assert stored_appearances > 0 and len(article_urls) > 10
    assert [u for u, n in fetched.items() if n > 1] == []
    assert (summary["appearances"], summary["articles"], summary["new_articles"]) == (
        stored_appearances, stored_articles, stored_articles)
    assert sum(c.get("appearances", 0) for c in summary["per_outlet"].values()) == stored_appearances


def test_a_load_of_the_same_articles_staged_twice_counts_them_once(proxy, tmp_path):
    """Two crawls staged before one load (two partitions, a locked database): each article is one
    row in the warehouse, and the summary people read says so."""
    from flows.steps import fetch, load_pending
    db = tmp_path / "twice.ducklake"
    for run in ("run-a", "run-b"):
        fetch(Path(SOURCES), db, run, "2023-01-01", None, LOCAL_SERVER_SETTINGS, proxy, refetch=True)
    loaded = load_pending(Path(SOURCES), db, say=lambda *_: None).loaded
    con = open_warehouse(db, read_only=True)
    try:
        stored_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        stored_appearances = con.execute("SELECT count(*) FROM appearances").fetchone()[0]
    finally:
        con.close()
    assert loaded.pages > stored_articles > 0   # every page was read twice ...
    assert (loaded.articles, loaded.appearances, loaded.new_articles) == (
        stored_articles, stored_appearances, stored_articles)   # ... and counted once
    assert sum(c.get("articles", 0) for c in loaded.per_outlet.values()) == stored_articles


def test_a_second_crawl_does_not_fetch_the_articles_already_stored(proxy, tmp_path):
    """The spider skips a listed article whose URL key is stored (`known`, written from the
    warehouse before the crawl): the daily run fetches only what is new."""
    from flows.steps import fetch, load_pending
    db = tmp_path / "again.ducklake"
    first = fetch(Path(SOURCES), db, "run-1", "2023-01-01", None, LOCAL_SERVER_SETTINGS, proxy)
    load_pending(Path(SOURCES), db, say=lambda *_: None)
    con = open_warehouse(db, read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()
    second = fetch(Path(SOURCES), db, "run-2", "2023-01-01", None, LOCAL_SERVER_SETTINGS, proxy)
    assert stored > 10 and first.get("prodesc/skipped/already_stored", 0) == 0
    assert second.get("prodesc/skipped/already_stored", 0) >= stored
    assert second.get("prodesc/staged", 0) <= first["prodesc/staged"] - stored
