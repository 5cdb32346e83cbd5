from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "beffroi.connectors.website"
    label = "website"
    verbose_name = "Site de la commune (commentaires)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from beffroi.connectors.website import signals

        signals.connect()
