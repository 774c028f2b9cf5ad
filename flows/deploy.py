"""Running on a schedule, and hearing about failures: deployments, the Prefect server, alerts.

Schedules: `prodesc-monitor serve` registers every scheduled flow as a Prefect deployment
with its cron schedule (Mexico City time) through Prefect's own `serve`, and runs each when
due; no home-made scheduler. `serve` needs a real Prefect server (the temporary one that
plain flow runs start cannot hold schedules): if PREFECT_API_URL is not set, one is
started on this machine (http://127.0.0.1:4200), whose UI shows every run.
`prodesc-monitor deploy-partitions` spreads the daily crawl over a work pool instead (created
if missing; every run starts in the deployment's working directory, `--workdir`).

Alerts: nothing is sent by default. `prodesc-monitor alerts --webhook URL` (or `--block
NAME` for any notification block made in the Prefect UI: e-mail, Slack, Teams...) creates
two automations on the Prefect server:
  * a run of one of the monitor's flows failed or crashed;
  * an outlet went silent (the crawl emits `prodesc.outlet.silent` for each one).
Both are Prefect objects, visible and editable in its UI.

Flows are named here by their objects (`flows/flows.py`), never by strings typed again: a
renamed flow keeps its schedule and its alert.
"""
from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

from prefect import Flow

from flows.flows import (
    backfill_flow, crawl_flow, crawl_partition_flow, daily_flow, load_flow, retag_flow, search_index_flow,
    weekly_report_flow, year_tally_flow,
)
from pipelines.errors import UserError
from pipelines.vocabulary import TIMEZONE_NAME as TIMEZONE


class Schedule(NamedTuple):
    flow: Flow
    cron: str                  # Mexico City time
    description: str
    fixed: dict = {}           # parameters beyond the paths every run gets (see `parameters_for`)


SCHEDULES = {
    "daily-monitoring": Schedule(daily_flow, "0 6 * * *", "cada día a las 06:00: feeds de los medios y de búsqueda de noticias"),
    "weekly-backfill": Schedule(backfill_flow, "0 3 * * 0", "los domingos a las 03:00: sitemaps de los últimos 14 días",
                                {"days_back": 14}),
    "weekly-report": Schedule(weekly_report_flow, "0 8 * * 1", "los lunes a las 08:00: el informe de la semana pasada"),
    "year-end-tally": Schedule(year_tally_flow, "0 9 10 1 *", "el 10 de enero a las 09:00: los archivos del conteo del año pasado"),
    "retag-if-changed": Schedule(retag_flow, "30 5 * * *", "cada día a las 05:30: vuelve a etiquetar si cambió la base de conocimiento",
                                 {"only_if_changed": True}),
    "nightly-search-index": Schedule(search_index_flow, "30 1 * * *",
                                     "cada día a la 01:30: rehace el índice de búsqueda con todos los artículos"),
}

# A failed or crashed run of any of these sends a notice (`crawl` is also the subflow of the
# daily run and the backfill).
ALERTED_FLOWS = (crawl_flow, daily_flow, backfill_flow, weekly_report_flow, year_tally_flow, retag_flow, load_flow,
                 crawl_partition_flow, search_index_flow)
FLOW_NAMES = [f.name for f in ALERTED_FLOWS]
BLOCK_NAME = "prodesc-monitor-alerts"


# ------------------------------------------------------------------ schedules

def parameters_for(schedule: Schedule, sources: Path, db: Path, out_dir: Path, workers: int | None) -> dict:
    """The run's parameters: of the paths (absolute: the runner may start elsewhere) and `workers`,
    those the flow takes, plus the schedule's fixed ones."""
    given = {"sources": str(sources.resolve()), "db": str(db.resolve()), "out_dir": str(out_dir.resolve()),
             "workers": workers}
    takes = inspect.signature(schedule.flow.fn).parameters
    return {**{k: v for k, v in given.items() if k in takes}, **schedule.fixed}


def build_deployments(sources: Path, db: Path, out_dir: Path, workers: int | None = None) -> list:
    from prefect.schedules import Cron

    return [s.flow.to_deployment(name=name, schedule=Cron(s.cron, timezone=TIMEZONE), description=s.description,
                                 parameters=parameters_for(s, sources, db, out_dir, workers), tags=["prodesc-monitor"])
            for name, s in SCHEDULES.items()]


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
    say(f"Iniciando el servidor de Prefect en http://127.0.0.1:{port} (su página web muestra cada ejecución)...")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    deadline = time.monotonic() + 120
    while not api_is_up(api):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise UserError(f"El servidor de Prefect no arrancó en el puerto {port}; pruebe `prefect server start` a mano "
                            "para ver por qué, o indique otro puerto con --port.")
        time.sleep(1)
    os.environ["PREFECT_API_URL"] = api
    return proc


def serve_all(sources: Path, db: Path, out_dir: Path, workers: int | None = None) -> None:
    """Register every deployment and run each when its schedule says (blocks until Ctrl-C)."""
    from prefect import serve

    serve(*build_deployments(sources, db, out_dir, workers))


# ------------------------------------------------------------------ partitions on a work pool

def partition_outlets(outlet_names: list[str], parts: int) -> list[list[str]]:
    """Split the registry's outlets into `parts` groups of near-equal size (round robin, in
    registry order, so local papers of one state spread across workers); the news-search
    feeds go with the first group."""
    parts = max(1, min(parts, len(outlet_names) or 1))
    groups = [outlet_names[i::parts] for i in range(parts)]
    groups[0] = [*groups[0], "discovery"]
    return groups


def entrypoint(flow: Flow) -> str:
    """`flows.flows.load_flow`: the module path a worker imports the flow by, from the installed
    package; the run's working directory is then the deployment's own (`--workdir`), not the
    folder the package happens to be installed in (a `path:function` entrypoint pulls the code
    from that folder and runs there)."""
    return f"{flow.fn.__module__}.{flow.fn.__name__}"


def ensure_work_pool(name: str) -> bool:
    """Create the work pool (type process, Prefect's default job template) unless it exists: a
    fresh server has none, and deploying to a missing pool fails. True if it was created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(
                name=name, type=ProcessWorker.type,
                base_job_template=ProcessWorker.get_default_base_job_template()))
            return True


def deploy_partitions(sources: Path, db: Path, work_pool: str, parts: int, cron: str = "0 6 * * *",
                      load_cron: str = "45 6 * * *", workdir: Path = Path(".")) -> list[str]:
    """Register one `crawl partition` deployment per group of outlets on a work pool (each
    picked up by whichever worker of the pool is free), plus the single loader after them.
    Workers must see the same staging folder (next to the database): one machine, or a
    shared disk. Every run starts in `workdir` (the process worker's `working_dir`)."""
    from prefect import deploy
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from pipelines.registry import load_registry

    names = [o.name for o in load_registry(sources).outlets]
    where = {"working_dir": str(Path(workdir).resolve())}
    paths = {"sources": str(sources.resolve()), "db": str(db.resolve())}
    deployments = [
        crawl_partition_flow.to_deployment(
            name=f"part-{i}-of-{parts}", schedule=Cron(cron, timezone=TIMEZONE), parameters={**paths, "outlets": group},
            tags=["prodesc-monitor", "crawl-partition"], job_variables=where, entrypoint_type=EntrypointType.MODULE_PATH)
        for i, group in enumerate(partition_outlets(names, parts), start=1)]
    deployments.append(load_flow.to_deployment(
        name="after-partitions", schedule=Cron(load_cron, timezone=TIMEZONE), parameters=paths,
        tags=["prodesc-monitor"], job_variables=where, entrypoint_type=EntrypointType.MODULE_PATH))
    return [str(d) for d in deploy(*deployments, work_pool_name=work_pool, print_next_steps_message=False,
                                     ignore_warnings=True)]


# ------------------------------------------------------------------ alerts

def save_webhook_block(url: str) -> str:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    block = CustomWebhookNotificationBlock(
        name="ProDESC monitor", url=url, method="POST",
        json_data={"subject": "{{subject}}", "text": "{{body}}"})
    block.save(BLOCK_NAME, overwrite=True)
    return f"{block.get_block_type_slug()}/{BLOCK_NAME}"


def create_automations(block_name: str) -> list[str]:
    """(Re)create the two automations, notifying through the block `type-slug/name`
    (e.g. `custom-webhook/prodesc-monitor-alerts`, `slack-webhook/equipo`)."""
    from prefect.automations import Automation
    from prefect.blocks.core import Block
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import EventTrigger, Posture

    block = Block.load(block_name)
    block_id = block._block_document_id
    specs = {
        "prodesc-monitor: a run failed": EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match_related={"prefect.resource.role": "flow", "prefect.resource.name": FLOW_NAMES},
            posture=Posture.Reactive, threshold=1),
        "prodesc-monitor: an outlet went silent": EventTrigger(
            expect={"prodesc.outlet.silent"}, posture=Posture.Reactive, threshold=1,
            for_each={"prefect.resource.id"}),
    }
    bodies = {
        "prodesc-monitor: a run failed":
            "The press monitor's run {{ flow_run.name }} of '{{ flow.name }}' ended as {{ flow_run.state.name }}. "
            "Open the Prefect UI to see its log.",
        "prodesc-monitor: an outlet went silent":
            "The outlet {{ event.resource['prefect.resource.name'] }} gave no items in its last runs: "
            "its feed may have moved or broken. Check it in sources.yaml.",
    }
    names = []
    for name, trigger in specs.items():
        _delete(name)   # re-running the command replaces, never duplicates
        Automation(name=name, trigger=trigger, actions=[SendNotification(
            block_document_id=block_id, subject=name, body=bodies[name])]).create()
        names.append(name)
    return names


def _delete(name: str) -> None:
    from prefect.automations import Automation
    while True:
        try:
            Automation.read(name=name).delete()
        except ValueError:   # none (left) with that name
            return
