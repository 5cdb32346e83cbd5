"""The embedded worker: claims queued jobs from the database and runs them; runs periodic jobs."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import traceback

from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from beffroi.tasks.models import Job, PeriodicRun
from beffroi.tasks.registry import PERIODIC, run_task

logger = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=10)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_next(me: str) -> Job | None:
    """Atomically claim one due job (compare-and-set on its state): safe with several workers."""
    now = timezone.now()
    due = (
        Job.objects.filter(run_at__lte=now)
        .filter(Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING, locked_until__lt=now))
        .order_by("run_at", "id")
        .values_list("id", "state", "attempts")[:10]
    )
    for job_id, state, attempts in due:
        claimed = Job.objects.filter(id=job_id, state=state, attempts=attempts).update(
            state=Job.State.RUNNING, locked_by=me, locked_until=now + LEASE, attempts=attempts + 1
        )
        if claimed:
            return Job.objects.get(id=job_id)
    return None


def run_job(job: Job) -> bool:
    try:
        run_task(job.name, dict(job.kwargs))
    except Exception as exc:  # a failing job must not stop the worker
        logger.warning("job %s #%s failed: %s", job.name, job.id, exc)
        retry = job.attempts < job.max_attempts
        Job.objects.filter(id=job.id).update(
            state=Job.State.QUEUED if retry else Job.State.FAILED,
            run_at=timezone.now() + dt.timedelta(seconds=min(3600, 5 * 2**job.attempts)),
            last_error="".join(traceback.format_exception_only(type(exc), exc))[-2000:],
            locked_until=None,
        )
        return False
    Job.objects.filter(id=job.id).update(state=Job.State.DONE, finished_at=timezone.now(), locked_until=None)
    return True


def run_due_periodic(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose interval has elapsed (once, even with several workers)."""
    from beffroi.tasks.registry import enqueue

    now = now or timezone.now()
    started = []
    for spec in PERIODIC.values():
        with transaction.atomic():
            run, created = PeriodicRun.objects.get_or_create(name=spec.name, defaults={"last_run_at": now})
            if not created and run.last_run_at + spec.every > now:
                continue
            if not created:
                updated = PeriodicRun.objects.filter(id=run.id, last_run_at=run.last_run_at).update(last_run_at=now)
                if not updated:
                    continue
        enqueue(spec.name)
        started.append(spec.name)
    return started


def work(*, once: bool = False, idle_sleep: float = 1.0, max_jobs: int | None = None) -> int:
    """Run jobs until stopped (or, with ``once``, until the queue is empty). Returns jobs run."""
    me = worker_id()
    done = 0
    while True:
        if not once:  # a long-running worker drops stale connections between jobs
            close_old_connections()
        run_due_periodic()
        job = claim_next(me)
        if job is None:
            if once:
                return done
            time.sleep(idle_sleep)
            continue
        run_job(job)
        done += 1
        if max_jobs is not None and done >= max_jobs:
            return done
