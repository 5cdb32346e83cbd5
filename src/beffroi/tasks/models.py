"""The embedded job queue."""

from __future__ import annotations

from django.db import models


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "en file"
        RUNNING = "running", "en cours"
        DONE = "done", "terminé"
        FAILED = "failed", "échoué"

    name = models.CharField(max_length=100, db_index=True)
    kwargs = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    run_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    locked_by = models.CharField(max_length=100, blank=True, default="")
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_at", "id"]
        indexes = [models.Index(fields=["state", "run_at"])]
        verbose_name = "tâche"

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"


class PeriodicRun(models.Model):
    """When each periodic job last ran (embedded scheduler)."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()
