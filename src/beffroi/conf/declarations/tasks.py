"""Settings of background work."""

from beffroi.conf import declare

declare(
    "TASK_BACKEND",
    "embedded",
    "embedded: jobs are stored in the database and run by `beffroi worker` (or inline in tests), no broker; "
    "celery: jobs go to Celery over BROKER_URL and run on any number of `beffroi celery-worker` processes.",
    area="tasks",
)
declare("BROKER_URL", "redis://127.0.0.1:6379/0", "Celery broker (redis://… or amqp://…) when TASK_BACKEND=celery.", area="tasks")
declare("TASKS_EAGER", False, "Run jobs immediately in the calling process (tests and the demo).", area="tasks")
declare("TASK_QUEUE", "beffroi", "Name of the Celery queue the jobs go to (one per instance sharing a broker).", area="tasks")
