"""Failure notices through Prefect's own notification blocks and automations.

Nothing is sent by default. `prodesc-monitor alerts --webhook URL` (or `--block NAME` for
any notification block made in the Prefect UI: e-mail, Slack, Teams...) creates two
automations on the Prefect server:
  * a scheduled run of the monitor failed or crashed;
  * an outlet went silent (the crawl emits `prodesc.outlet.silent` for each one).
Both are Prefect objects, visible and editable in its UI.
"""
from __future__ import annotations

BLOCK_NAME = "prodesc-monitor-alerts"
FLOW_NAMES = ["crawl", "daily monitoring", "backfill", "weekly report", "year-end tally", "retag",
              "load staged pages", "crawl partition"]


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
