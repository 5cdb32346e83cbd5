"""Background jobs of the moderation workflow: sending decisions to the platforms (outbox), the
sweeper that recovers from crashes, review deadlines, and the end of temporary blocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beffroi import conf
from beffroi.tasks import periodic, task


@task("workspace.outbox_deliver")
def outbox_deliver(entry_id: int) -> dict[str, Any]:
    """Apply one recorded action on its platform (retries are scheduled in the entry itself)."""
    from beffroi.workspace.actions.outbox import deliver

    entry = deliver(entry_id)
    return {"entry": entry_id, "state": entry.state if entry is not None else "skipped"}


@task("workspace.outbox_sweep")
def outbox_sweep() -> dict[str, int]:
    """Send what was recorded but never sent, take back what a dead worker was sending, and resend
    what waited for a reconnection."""
    from beffroi.workspace.actions.outbox import sweep

    return sweep().as_dict()


@task("workspace.deadline_sweep")
def deadline_sweep() -> dict[str, int]:
    """Reminders before review deadlines, escalation after them, and on-call alerts for the grave
    items still waiting when working hours end."""
    from beffroi.workspace.actions.deadlines import sweep_deadlines, sweep_oncall

    return {**sweep_deadlines().as_dict(), "oncall_alerted": len(sweep_oncall())}


@task("workspace.expire_blocks")
def expire_blocks() -> int:
    from beffroi.workspace.actions.blocking import expire_blocks as run

    return run()


@task("workspace.sweep")
def sweep() -> dict[str, Any]:
    """The workflow's one periodic job (few periodic jobs keep the embedded scheduler light): the
    outbox sweeper, review deadlines, and the end of temporary blocks."""
    return {"outbox": outbox_sweep(), "deadlines": deadline_sweep(), "blocks_lifted": expire_blocks()}


periodic("workspace.sweep", every=dt.timedelta(seconds=int(conf.get("OUTBOX_SWEEP_SECONDS"))))
