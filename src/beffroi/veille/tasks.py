"""Background jobs of the watch: feeding the detectors, delivering alerts, topics and digests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beffroi import conf
from beffroi.tasks import enqueue, periodic, task


@task("veille.observe")
def observe(commune_id: int) -> dict[str, Any]:
    """Feed the commune's detector the mentions not observed yet (locked per commune)."""
    from beffroi.veille.actions.detection import observe_pending

    result = observe_pending(int(commune_id))
    if result.more:
        enqueue("veille.observe", commune_id=int(commune_id))
    return result.as_dict()


@task("veille.deliver")
def deliver(delivery_id: int) -> dict[str, Any]:
    """One attempt at delivering an alert (e-mail or webhook)."""
    from beffroi.veille.actions.delivery import deliver as run

    delivery = run(int(delivery_id))
    return {"delivery": delivery_id, "state": delivery.state if delivery is not None else "skipped"}


@task("veille.sweep")
def sweep() -> dict[str, Any]:
    """The watch's one periodic job: mentions still pending (a lost job), deliveries due (retries),
    topics gone stale, digests due."""
    from beffroi.veille.actions.delivery import deliver_due
    from beffroi.veille.actions.detection import observe_all_pending
    from beffroi.veille.actions.digest import send_due_digests
    from beffroi.veille.actions.topics import refresh_stale_topics

    observed = observe_all_pending()
    return {
        "observed": sum(r.observed for r in observed),
        "deliveries": deliver_due(),
        "topics": refresh_stale_topics(),
        "digests": send_due_digests(),
    }


periodic("veille.sweep", every=dt.timedelta(seconds=int(conf.get("VEILLE_SWEEP_SECONDS"))))
