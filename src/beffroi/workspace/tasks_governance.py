"""Background jobs of the governance area: the retention purge and the commune models' updates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beffroi.tasks.registry import periodic, task


@task("governance.purge")
def purge(commune_id: int | None = None, dry_run: bool = False) -> list[str]:
    """Delete expired items and evidence (not under legal hold); one audit record per commune."""
    from beffroi.core.models import Commune
    from beffroi.workspace.actions.retention import purge_commune

    communes = Commune.objects.order_by("slug")
    if commune_id is not None:
        communes = communes.filter(pk=commune_id)
    return [purge_commune(commune, dry_run=dry_run).summary_fr() for commune in communes]


@task("governance.update_model")
def update_model(commune_id: int, force: bool = False) -> dict[str, Any]:
    """Retrain one commune's model from its moderators' examples."""
    from beffroi.core.models import Commune
    from beffroi.workspace.actions.learning import update_commune_model

    commune = Commune.objects.get(pk=commune_id)
    row = update_commune_model(commune, force=force)
    return {"version": row.version, "examples": row.n_examples} if row is not None else {}


@task("governance.update_models")
def update_models() -> list[str]:
    """Every commune with new examples since its last model."""
    from beffroi.workspace.actions.learning import communes_with_new_examples, update_commune_model

    done = []
    for commune in communes_with_new_examples():
        row = update_commune_model(commune)
        if row is not None:
            done.append(f"{commune.slug}: v{row.version}")
    return done


periodic("governance.purge", every=dt.timedelta(days=1))
periodic("governance.update_models", every=dt.timedelta(days=1))
