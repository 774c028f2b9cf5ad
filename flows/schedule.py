"""Schedules: every flow as a Prefect deployment with its cron schedule (Mexico City time).

`prodesc-monitor serve` registers them all with Prefect's own `serve` and runs them when
due; no home-made scheduler. `serve` needs a real Prefect server (the temporary one that
plain flow runs start cannot hold schedules): if PREFECT_API_URL is not set, one is
started on this machine (http://127.0.0.1:4200), whose UI shows every run.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipelines.vocabulary import TIMEZONE_NAME as TIMEZONE

# name -> (flow attribute in flows.flows, cron, description). Times are Mexico City's.
SCHEDULES = {
    "daily-monitoring": ("daily_flow", "0 6 * * *", "every day at 06:00: feeds and news-search feeds"),
    "weekly-backfill": ("backfill_flow", "0 3 * * 0", "Sundays at 03:00: sitemaps of the last 14 days"),
    "weekly-report": ("weekly_report_flow", "0 8 * * 1", "Mondays at 08:00: last week's report"),
    "year-end-tally": ("year_tally_flow", "0 9 10 1 *", "10 January at 09:00: last year's tally files"),
    "retag-if-changed": ("retag_flow", "30 5 * * *", "every day at 05:30: retag if the knowledge base changed"),
}


def parameters_for(flow_attr: str, sources: Path, db: Path, out_dir: Path, workers: int | None) -> dict:
    sources, db, out_dir = str(sources.resolve()), str(db.resolve()), str(out_dir.resolve())
    return {
        "daily_flow": {"sources": sources, "db": db, "workers": workers},
        "backfill_flow": {"sources": sources, "db": db, "days_back": 14, "workers": workers},
        "weekly_report_flow": {"db": db, "out_dir": out_dir},
        "year_tally_flow": {"db": db, "out_dir": out_dir},
        "retag_flow": {"db": db, "only_if_changed": True},
    }[flow_attr]


def build_deployments(sources: Path, db: Path, out_dir: Path, workers: int | None = None) -> list:
    from prefect.schedules import Cron

    import flows.flows as crawl_flows

    deployments = []
    for name, (attr, cron, description) in SCHEDULES.items():
        flow = getattr(crawl_flows, attr)
        deployments.append(flow.to_deployment(
            name=name, schedule=Cron(cron, timezone=TIMEZONE), description=description,
            parameters=parameters_for(attr, sources, db, out_dir, workers), tags=["prodesc-monitor"]))
    return deployments


def api_is_up(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def ensure_server(port: int = 4200, say=print) -> subprocess.Popen | None:
    """Use PREFECT_API_URL if set; else start `prefect server start` on loopback and point at it."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    api = f"http://127.0.0.1:{port}/api"
    if api_is_up(api):
        os.environ["PREFECT_API_URL"] = api
        return None
    say(f"Starting the Prefect server on http://127.0.0.1:{port} (its web page shows every run)...")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    deadline = time.monotonic() + 120
    while not api_is_up(api):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("The Prefect server did not start; try `prefect server start` by hand to see why.")
        time.sleep(1)
    os.environ["PREFECT_API_URL"] = api
    return proc


def serve_all(sources: Path, db: Path, out_dir: Path, workers: int | None = None) -> None:
    """Register every deployment and run each when its schedule says (blocks until Ctrl-C)."""
    from prefect import serve

    serve(*build_deployments(sources, db, out_dir, workers))


def partition_outlets(outlet_names: list[str], parts: int) -> list[list[str]]:
    """Split the registry's outlets into `parts` groups of near-equal size (round robin, in
    registry order, so local papers of one state spread across workers); the news-search
    feeds go with the first group."""
    parts = max(1, min(parts, len(outlet_names) or 1))
    groups = [outlet_names[i::parts] for i in range(parts)]
    groups[0] = [*groups[0], "discovery"]
    return groups


def deploy_partitions(sources: Path, db: Path, work_pool: str, parts: int, cron: str = "0 6 * * *",
                      load_cron: str = "45 6 * * *") -> list[str]:
    """Register one `crawl partition` deployment per group of outlets on a work pool (each
    picked up by whichever worker of the pool is free), plus the single loader after them.
    Workers must see the same staging folder (next to the database): one machine, or a
    shared disk."""
    from prefect.schedules import Cron

    from flows.flows import crawl_partition_flow, load_flow
    from pipelines.registry import load_registry

    repo = Path(__file__).resolve().parent.parent
    names = [o.name for o in load_registry(sources).outlets]
    created = []
    for i, group in enumerate(partition_outlets(names, parts), start=1):
        flow = crawl_partition_flow.from_source(source=str(repo), entrypoint="flows/flows.py:crawl_partition_flow")
        created.append(str(flow.deploy(
            name=f"part-{i}-of-{parts}", work_pool_name=work_pool, schedule=Cron(cron, timezone=TIMEZONE),
            parameters={"sources": str(sources.resolve()), "db": str(db.resolve()), "outlets": group},
            tags=["prodesc-monitor", "crawl-partition"], print_next_steps=False)))
    loader = load_flow.from_source(source=str(repo), entrypoint="flows/flows.py:load_flow")
    created.append(str(loader.deploy(
        name="after-partitions", work_pool_name=work_pool, schedule=Cron(load_cron, timezone=TIMEZONE),
        parameters={"sources": str(sources.resolve()), "db": str(db.resolve())}, tags=["prodesc-monitor"],
        print_next_steps=False)))
    return created
