"""Running on a schedule with Prefect: serve, deploy-partitions, alerts."""
from __future__ import annotations

import os
from pathlib import Path

from flows.commands.common import (
    INT, PATH, command, db_option, fail, option, out_option, port_option, quiet_prefect, sources_option, workers_option,
)


@command("serve", "ejecuta el monitor según su calendario (recolección diaria, informe del lunes...) hasta que "
                  "se detenga",
         "Registra en Prefect cada tarea programada (hora de la Ciudad de México) y ejecuta cada una a su hora: "
         "monitoreo diario a las 06:00, repaso semanal de artículos pasados el domingo a las 03:00, informe semanal el lunes a "
         "las 08:00, conteo de fin de año el 10 de enero y reetiquetado cuando cambia la base de conocimiento. "
         "Inicia un servidor de Prefect en esta computadora, salvo que PREFECT_API_URL esté definida.")
@sources_option()
@db_option()
@out_option(Path("reports"), "dónde se escriben los informes y los conteos (por omisión: reports)")
@workers_option("procesos para leer y etiquetar")
@port_option()
def serve(sources, db, out, workers, port) -> int:
    """Register every scheduled flow with Prefect and run each when due. Each run's log (INFO
    and up) goes to the Prefect server; a stop in a run is logged there as its one line."""
    quiet_prefect(terminal=False)
    from flows.deploy import SCHEDULES, ensure_server, serve_all

    server = ensure_server(port)
    try:
        print(f"Prefect: {os.environ['PREFECT_API_URL']} (ábralo sin /api en un navegador para ver las ejecuciones)")
        for name, schedule in SCHEDULES.items():
            print(f"  {name:18} {schedule.description}")
        serve_all(sources, db, out, workers)
    finally:
        if server is not None:
            server.terminate()
    return 0


@command("deploy-partitions", "para registros grandes: reparte la recolección diaria entre workers de Prefect",
         "Registra un despliegue de recolección por cada grupo de medios en un work pool de Prefect (diario a "
         "las 06:00, Ciudad de México) y un cargador a las 06:45 que guarda lo que descargaron. Crea el work pool "
         "(de tipo process) si aún no existe. Los workers deben compartir la carpeta staging que está junto a la "
         "base de datos.")
@option("--work-pool", required=True, metavar="NOMBRE",
        help="el work pool de Prefect, p. ej. prodesc-crawlers (se crea, de tipo process, si no existe)")
@option("--parts", type=INT, default=2, metavar="N", help="en cuántos grupos de medios repartir (por omisión: 2)")
@option("--workdir", type=PATH, default=Path("."), metavar="CARPETA",
        help="la carpeta donde empieza cada ejecución (por omisión: la carpeta actual)")
@sources_option()
@db_option()
@port_option()
def deploy_partitions(work_pool, parts, workdir, sources, db, port) -> int:
    """Spread the daily crawl over the workers of a Prefect work pool."""
    quiet_prefect()
    from flows.deploy import deploy_partitions as deploy, ensure_server, ensure_work_pool

    if not workdir.is_dir():
        fail(f"No existe la carpeta {workdir}. Indique otra con --workdir CARPETA.")
    ensure_server(port)
    if ensure_work_pool(work_pool):
        print(f"Work pool creado: {work_pool} (de tipo process)")
    for deployment_id in deploy(sources, db, work_pool, parts, workdir=workdir):
        print(f"Despliegue registrado: {deployment_id}")
    print(f"Cada ejecución empieza en la carpeta {workdir.resolve()}")
    print(f"Inicie los workers con: prefect worker start --pool {work_pool}  (uno por máquina o por núcleo)")
    return 0


@command("alerts", "recibe un mensaje cuando falla una ejecución programada o un medio deja de publicar",
         "Crea automatizaciones de Prefect que avisan por un webhook (o por cualquier bloque de notificación "
         "creado en la interfaz de Prefect: correo electrónico, Slack, Teams...). No se envía nada hasta que "
         "se ejecuta este comando.")
@option("--webhook", metavar="URL", help="URL que recibe un POST con el mensaje")
@option("--block", metavar="TIPO/NOMBRE",
        help="un bloque de notificación de Prefect ya creado, como TIPO/NOMBRE (p. ej. slack-webhook/equipo)")
@port_option()
def alerts(webhook, block, port) -> int:
    """Set up failure and silent-outlet notices on the Prefect server."""
    quiet_prefect()
    from flows.deploy import create_automations, ensure_server, save_webhook_block

    if not webhook and not block:
        fail("Indique --webhook URL, o --block TIPO/NOMBRE de un bloque de notificación creado en la interfaz "
             "de Prefect.")
    ensure_server(port)
    block = save_webhook_block(webhook) if webhook else block
    for name in create_automations(block):
        print(f"Automatización lista: {name} (avisa por el bloque '{block}')")
    return 0

