"""Background work on both backends: the embedded database queue (several worker processes, no
broker) and Celery over Redis and over RabbitMQ with several workers."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from beffroi.core.models import AuditRecord
from beffroi.tasks import enqueue
from beffroi.tasks.models import Job, PeriodicRun
from beffroi.tasks.registry import TASKS, periodic, task
from beffroi.tasks.worker import claim_next, run_due_periodic, work

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def db_url_for_subprocess() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    return f"postgresql://{user}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "BEFFROI_DATABASE_URL": db_url_for_subprocess(),
            "BEFFROI_TASKS_EAGER": "0",
            "DJANGO_SETTINGS_MODULE": "beffroi.web.settings",
            "PYTHONPATH": str(REPO / "src"),
        }
    )
    env.update(extra)
    return env


def pings() -> dict[str, int]:
    counts: dict[str, int] = {}
    for data in AuditRecord.objects.filter(verb="tasks.ping").values_list("data", flat=True):
        counts[data["marker"]] = counts.get(data["marker"], 0) + 1
    return counts


def wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_TASKS_EAGER", "0")
    monkeypatch.setenv("BEFFROI_TASK_BACKEND", "embedded")
    # The areas' periodic jobs (sync, purge, digests …) are not what these tests count.
    monkeypatch.setattr("beffroi.tasks.worker.PERIODIC", {})


@pytest.mark.django_db
def test_eager_mode_runs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_TASKS_EAGER", "1")
    enqueue("tasks.ping", marker="eager")
    assert pings() == {"eager": 1}
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_unknown_task_and_unknown_backend_are_refused(embedded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KeyError):
        enqueue("no.such.task")
    monkeypatch.setenv("BEFFROI_TASK_BACKEND", "carrier-pigeon")
    with pytest.raises(ValueError, match="embedded or celery"):
        enqueue("tasks.ping", marker="x")


@pytest.mark.django_db
def test_embedded_queue_runs_jobs_and_retries_failures_with_backoff(embedded: None) -> None:
    calls = {"n": 0}

    @task("tests.flaky")
    def flaky() -> None:
        calls["n"] += 1
        if calls["n"] < 3:
            raise RuntimeError("plateforme indisponible")

    try:
        enqueue("tasks.ping", marker="a")
        enqueue("tests.flaky")
        enqueue("tasks.ping", marker="later", delay=dt.timedelta(hours=1))
        assert work(once=True) == 2
        assert pings() == {"a": 1}
        job = Job.objects.get(name="tests.flaky")
        assert job.state == Job.State.QUEUED and job.attempts == 1 and "indisponible" in job.last_error
        assert job.run_at > timezone.now()  # backed off
        for _ in range(2):
            Job.objects.filter(pk=job.pk).update(run_at=timezone.now())
            work(once=True)
        job.refresh_from_db()
        assert job.state == Job.State.DONE and calls["n"] == 3
        assert Job.objects.get(name="tasks.ping", state=Job.State.QUEUED).kwargs == {"marker": "later"}
    finally:
        TASKS.pop("tests.flaky", None)


@pytest.mark.django_db
def test_a_job_is_claimed_once_and_a_dead_workers_lease_expires(embedded: None) -> None:
    enqueue("tasks.ping", marker="one")
    first = claim_next("w1")
    assert first is not None
    assert claim_next("w2") is None  # already claimed
    Job.objects.filter(pk=first.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    again = claim_next("w2")  # w1 died: its lease expired
    assert again is not None and again.pk == first.pk and again.attempts == 2


@pytest.mark.django_db
def test_periodic_jobs_are_enqueued_once_per_interval(embedded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from beffroi.tasks import registry

    monkeypatch.setattr("beffroi.tasks.worker.PERIODIC", registry.PERIODIC)
    saved = dict(registry.PERIODIC)
    registry.PERIODIC.clear()
    periodic("tasks.ping", dt.timedelta(minutes=5))
    try:
        now = timezone.now()
        assert "tasks.ping" in run_due_periodic(now)
        assert "tasks.ping" not in run_due_periodic(now + dt.timedelta(minutes=1))
        assert "tasks.ping" in run_due_periodic(now + dt.timedelta(minutes=6))
        assert PeriodicRun.objects.get(name="tasks.ping").last_run_at == now + dt.timedelta(minutes=6)
    finally:
        registry.PERIODIC.clear()
        registry.PERIODIC.update(saved)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_several_embedded_worker_processes_run_each_job_exactly_once(embedded: None) -> None:
    markers = [f"m{i}" for i in range(60)]
    for marker in markers:
        enqueue("tasks.ping", marker=marker)
    code = "import django; django.setup(); from beffroi.tasks.worker import work; work(once=True)"
    procs = [
        subprocess.Popen([PYTHON, "-c", code], env=worker_env(BEFFROI_TASK_BACKEND="embedded"), cwd=REPO)
        for _ in range(3)
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    assert pings() == {m: 1 for m in markers}
    assert set(Job.objects.values_list("state", flat=True)) == {Job.State.DONE}
    assert len(set(Job.objects.values_list("locked_by", flat=True))) >= 2  # the work was shared


BROKERS = {
    "redis": "redis://127.0.0.1:6379/15",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.parametrize("broker", sorted(BROKERS))
@pytest.mark.django_db(transaction=True)
def test_celery_with_several_workers_runs_each_job_exactly_once(
    broker: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = BROKERS[broker]
    queue = f"beffroi-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("BEFFROI_TASKS_EAGER", "0")
    monkeypatch.setenv("BEFFROI_TASK_BACKEND", "celery")
    monkeypatch.setenv("BEFFROI_BROKER_URL", url)
    monkeypatch.setenv("BEFFROI_TASK_QUEUE", queue)
    env = worker_env(BEFFROI_TASK_BACKEND="celery", BEFFROI_BROKER_URL=url, BEFFROI_TASK_QUEUE=queue)
    workers = []
    for i in range(2):
        log = open(tmp_path / f"worker{i}.log", "w")  # noqa: SIM115
        workers.append(
            subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "beffroi.tasks.celery_app", "worker", "--loglevel=INFO",
                 "--concurrency=2", "--pool=prefork", f"--hostname=w{i}-{queue}@%h", "-Q", queue],
                env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            )
        )
    try:
        # Both workers must be consuming before the jobs go out, or the first one up (on a loaded machine,
        # seconds before the other) prefetches them all and the sharing below cannot be checked.
        ready = wait_for(
            lambda: all(" ready." in (tmp_path / f"worker{i}.log").read_text() for i in range(2)), timeout=90
        )
        assert ready, "workers did not start:\n" + "\n".join(
            (tmp_path / f"worker{i}.log").read_text()[-3000:] for i in range(2)
        )
        markers = [f"{broker}-{i}" for i in range(40)]
        for marker in markers:
            enqueue("tasks.ping", marker=marker)
        assert not Job.objects.exists()  # nothing went to the embedded queue
        done = wait_for(lambda: len(pings()) == len(markers), timeout=90)
        logs = [(tmp_path / f"worker{i}.log").read_text() for i in range(2)]
        assert done, "jobs not all run; worker logs:\n" + "\n".join(log[-3000:] for log in logs)
        time.sleep(1.0)  # a duplicate delivery would show up now
        assert pings() == {m: 1 for m in markers}
        ran = [log.count("received") for log in logs]
        assert sum(ran) == len(markers) and all(ran), ran  # both workers took a share
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
