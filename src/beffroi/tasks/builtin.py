"""Tasks used to check the task system itself."""

from __future__ import annotations

from beffroi.tasks.registry import task


@task("tasks.ping")
def ping(marker: str = "") -> str:
    """Writes an audit line: used by tests and `beffroi worker --check` to prove a worker runs jobs."""
    from beffroi.core.audit import log_audit

    log_audit("tasks.ping", commune=None, actor_label="worker", marker=marker)
    return marker
