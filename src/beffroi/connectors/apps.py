from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "beffroi.connectors"
    label = "connectors"
    verbose_name = "Beffroi — connecteurs"
