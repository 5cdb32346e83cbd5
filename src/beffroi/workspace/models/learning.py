"""Moderators' decisions that disagree with the engine become labelled examples; a job retrains the
commune's model from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beffroi.core.models import Commune
from beffroi.workspace.models.decisions import Decision
from beffroi.workspace.models.items import Item


class LabelledExample(models.Model):
    """One human decision compared with the engine's verdict (agreement or not).

    ``trainable`` is False when the labels the decision implies are unknown (a hide of an item the
    engine found clean, without a chosen label) or once retention removed the text."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="examples")
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="examples")
    decision = models.ForeignKey(Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField()
    labels = models.JSONField(default=list, help_text="Labels the moderator's decision implies.")
    engine_labels = models.JSONField(default=list, help_text="What the engine said.")
    engine_action = models.CharField(max_length=8, blank=True, default="")
    human_action = models.CharField(max_length=8, blank=True, default="")
    agrees = models.BooleanField(default=False)
    trainable = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "exemple étiqueté"


class CommuneModel(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="models")
    version = models.PositiveIntegerField()
    path = models.CharField(max_length=500, help_text="Model file under DATA_DIR.")
    n_examples = models.PositiveIntegerField(default=0)
    last_example_id = models.PositiveBigIntegerField(default=0, help_text="Newest example the model learnt from.")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    metrics = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    trained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("commune", "version")]
        ordering = ["commune", "-version"]
        verbose_name = "modèle de la commune"
