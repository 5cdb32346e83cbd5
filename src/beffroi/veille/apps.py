from django.apps import AppConfig


class VeilleConfig(AppConfig):
    name = "beffroi.veille"
    label = "veille"
    verbose_name = "Beffroi — veille et crise"

    def ready(self) -> None:
        from beffroi.veille.actions.mentions import on_item_ingested
        from beffroi.workspace.signals import item_ingested

        item_ingested.connect(on_item_ingested, dispatch_uid="beffroi.veille.mentions")
