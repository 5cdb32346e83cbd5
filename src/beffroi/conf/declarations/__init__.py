"""Importing this package registers every area's settings."""

from beffroi.conf.declarations import connectors, core, moderation, tasks, veille, workflow  # noqa: F401
