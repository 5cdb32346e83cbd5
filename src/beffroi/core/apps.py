from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "beffroi.core"
    label = "core"
    verbose_name = "Beffroi — communes et équipes"
