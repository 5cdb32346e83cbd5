from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "beffroi.tasks"
    label = "tasks"
    verbose_name = "Beffroi — tâches de fond"

    def ready(self) -> None:
        from beffroi.tasks.registry import autodiscover

        autodiscover()
