"""Background work behind one API (``enqueue``), on two backends.

- ``embedded`` (default): jobs are rows of the ``Job`` table, run by ``beffroi worker`` (any number of
  processes; claiming is an atomic compare-and-set, so a job runs once). No broker needed.
- ``celery``: jobs go to Celery over Redis or RabbitMQ (``BEFFROI_BROKER_URL``) and run on any number of
  ``beffroi celery-worker`` processes; periodic jobs run from ``beffroi celery-beat``.

Task functions are plain functions registered with ``@task``; they call the same ``actions`` as views.
With ``BEFFROI_TASKS_EAGER`` (tests, demo) a job runs at once in the calling process.
"""

from beffroi.tasks.registry import PERIODIC, TASKS, enqueue, periodic, run_task, task

__all__ = ["PERIODIC", "TASKS", "enqueue", "periodic", "run_task", "task"]
