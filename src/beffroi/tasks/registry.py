"""Task registry and ``enqueue``."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from beffroi import conf

logger = logging.getLogger(__name__)

TaskFn = Callable[..., Any]
TASKS: dict[str, TaskFn] = {}


@dataclass(frozen=True)
class Periodic:
    name: str  # a registered task
    every: dt.timedelta


PERIODIC: dict[str, Periodic] = {}

# Modules whose import registers tasks (each area adds its own ``tasks`` module here).
TASK_MODULES = [
    "beffroi.workspace.tasks",
    "beffroi.workspace.tasks_governance",
    "beffroi.connectors.tasks",
    "beffroi.veille.tasks",
    "beffroi.tasks.builtin",
]


def autodiscover() -> None:
    for name in TASK_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def task(name: str) -> Callable[[TaskFn], TaskFn]:
    def decorator(fn: TaskFn) -> TaskFn:
        if name in TASKS and TASKS[name] is not fn:
            raise ValueError(f"task {name} registered twice")
        TASKS[name] = fn
        return fn

    return decorator


def periodic(name: str, every: dt.timedelta) -> None:
    """Run task ``name`` every ``every`` (embedded scheduler or Celery beat)."""
    PERIODIC[name] = Periodic(name=name, every=every)


def run_task(name: str, kwargs: dict[str, Any]) -> Any:
    try:
        fn = TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}") from None
    return fn(**kwargs)


def enqueue(name: str, *, delay: dt.timedelta | None = None, **kwargs: Any) -> None:
    """Schedule task ``name`` with JSON-serialisable ``kwargs``."""
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}")
    if conf.get("TASKS_EAGER") and not delay:
        run_task(name, kwargs)
        return
    backend = conf.get("TASK_BACKEND")
    if backend == "celery":
        from django.db import transaction

        from beffroi.tasks.celery_app import sender_app

        countdown = delay.total_seconds() if delay else None
        app = sender_app()

        def send() -> None:
            app.send_task("beffroi.run", args=[name, kwargs], countdown=countdown)

        transaction.on_commit(send)
        return
    if backend != "embedded":
        raise ValueError(f"BEFFROI_TASK_BACKEND must be embedded or celery, not {backend!r}")
    from django.utils import timezone

    from beffroi.tasks.models import Job

    Job.objects.create(name=name, kwargs=kwargs, run_at=timezone.now() + (delay or dt.timedelta()))
