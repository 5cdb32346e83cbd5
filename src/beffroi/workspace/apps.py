from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "beffroi.workspace"
    label = "workspace"
    verbose_name = "Beffroi — espace de modération"
