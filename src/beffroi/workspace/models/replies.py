"""Municipal services (to route questions) and saved replies the team builds up."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beffroi.core.models import Commune


class Service(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="services")
    name = models.CharField("service", max_length=120)
    email = models.EmailField("adresse e-mail", blank=True)
    keywords = models.JSONField("mots-clés", default=list, blank=True)

    class Meta:
        unique_together = [("commune", "name")]
        ordering = ["name"]
        verbose_name = "service municipal"

    def __str__(self) -> str:
        return self.name


class SavedReply(models.Model):
    class Kind(models.TextChoices):
        THANKS = "thanks", "remerciement"
        ANSWER = "answer", "réponse à une question"
        MODERATION = "moderation", "message de modération"
        FACTS = "facts", "rétablir les faits"

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="saved_replies")
    title = models.CharField("titre", max_length=120)
    text = models.TextField("texte")
    kind = models.CharField("type", max_length=16, choices=Kind.choices, default=Kind.ANSWER)
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies")
    uses = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = "réponse enregistrée"
        verbose_name_plural = "réponses enregistrées"

    def __str__(self) -> str:
        return self.title
