"""Celery application for multi-machine deployments (BEFFROI_TASK_BACKEND=celery).

Workers: ``beffroi celery-worker`` (or ``celery -A beffroi.tasks.celery_app worker``); periodic jobs:
``beffroi celery-beat``. Every job goes through one Celery task, ``beffroi.run``, which calls the
registered task function: workers stay thin and call the same actions as the web views.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from celery import Celery

from beffroi import conf

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beffroi.web.settings")


def make_app(broker_url: str, queue: str) -> Celery:
    celery = Celery("beffroi", broker=broker_url)
    celery.conf.update(
        task_acks_late=True,  # acknowledged after it ran: a worker crash re-delivers the job
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        timezone=conf.get("TIME_ZONE"),
        task_default_queue=queue,
    )
    return celery


app = make_app(conf.get("BROKER_URL"), conf.get("TASK_QUEUE"))


@functools.cache
def _sender(broker_url: str, queue: str) -> Celery:
    return make_app(broker_url, queue)


def sender_app() -> Celery:
    """The app used to send jobs, for the broker and queue currently configured."""
    return _sender(conf.get("BROKER_URL"), conf.get("TASK_QUEUE"))


@app.task(name="beffroi.run", bind=True, max_retries=5)
def run(self: Any, name: str, kwargs: dict[str, Any]) -> None:
    import django

    django.setup()
    from beffroi.tasks.registry import autodiscover, run_task

    autodiscover()
    try:
        run_task(name, kwargs)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=min(3600, 5 * 2**self.request.retries)) from exc


@app.on_after_configure.connect
def setup_periodic(sender: Any, **_: Any) -> None:
    import django

    django.setup()
    from beffroi.tasks.registry import PERIODIC, autodiscover

    autodiscover()
    for spec in PERIODIC.values():
        sender.add_periodic_task(spec.every.total_seconds(), run.s(spec.name, {}), name=spec.name)
