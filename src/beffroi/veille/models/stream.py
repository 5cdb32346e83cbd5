"""The stream of mentions, the persisted state of each commune's rumour detector, and the topics."""

from __future__ import annotations

from typing import Any

from django.db import models

from beffroi.core.models import Commune


def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


class Mention(models.Model):
    """An item that talks about the commune (it matches a watch term) or landed on one of its
    accounts, with its sentiment; fed once to the commune's rumour detector."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="veille_mentions")
    item = models.OneToOneField("workspace.Item", on_delete=models.CASCADE, related_name="mention")
    platform = models.CharField(max_length=32, db_index=True)
    account_name = models.CharField(max_length=255, blank=True, default="")
    published_at = models.DateTimeField(db_index=True)
    matched_terms = models.JSONField(default=_empty_list, blank=True)
    own_account = models.BooleanField(default=False, help_text="Landed on one of the commune's own accounts.")
    official = models.BooleanField(default=False, help_text="Published by the commune or an official account.")
    sentiment = models.CharField(max_length=8, default="neutral", db_index=True)
    sentiment_score = models.FloatField(default=0.0)
    sentiment_cues = models.JSONField(default=_empty_list, blank=True)
    sentiment_explanation = models.CharField(max_length=500, blank=True, default="")
    cluster_id = models.CharField(max_length=32, blank=True, default="", db_index=True)
    observed_at = models.DateTimeField(null=True, blank=True, help_text="Fed to the detector (null: pending).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["commune", "published_at"]),
            models.Index(fields=["commune", "observed_at"]),
        ]
        verbose_name = "mention"
        verbose_name_plural = "mentions"

    def __str__(self) -> str:
        return f"mention {self.item_id}"


class DetectorState(models.Model):
    """The JSON snapshot of a commune's :class:`beffroi.domain.rumour.Detector`. The row is also the
    commune's lock: a worker feeding the detector holds it for the whole batch."""

    commune = models.OneToOneField(Commune, on_delete=models.CASCADE, related_name="veille_detector")
    state = models.BinaryField(null=True, blank=True, help_text="zlib-compressed JSON snapshot.")
    config_hash = models.CharField(max_length=64, blank=True, default="")
    observed = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "état du détecteur de rumeurs"

    def __str__(self) -> str:
        return f"détecteur de {self.commune}"


class TopicSnapshot(models.Model):
    """Topics grouped automatically over a window of mentions (recomputed when stale)."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="veille_topics")
    since = models.DateTimeField()
    until = models.DateTimeField()
    mentions = models.PositiveIntegerField(default=0)
    last_mention_id = models.BigIntegerField(default=0)
    topics = models.JSONField(default=_empty_list, blank=True)  # [{id, label, terms, mention_ids, sentiment}]
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = "thèmes calculés"

    def __str__(self) -> str:
        return f"thèmes de {self.commune} ({self.computed_at:%Y-%m-%d %H:%M})"

    def topic(self, topic_id: str) -> dict[str, Any] | None:
        for topic in self.topics:
            if topic.get("id") == topic_id:
                return dict(topic)
        return None
