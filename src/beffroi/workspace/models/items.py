"""Items (posts, comments, replies, private messages, mentions) and the engine's verdicts on them."""

from __future__ import annotations

from typing import Any

from django.db import models

from beffroi.core.models import Commune
from beffroi.workspace.models.accounts import Account, Author


class ItemKind(models.TextChoices):
    POST = "post", "publication"
    COMMENT = "comment", "commentaire"
    REPLY = "reply", "réponse"
    PRIVATE_MESSAGE = "private_message", "message privé"
    MENTION = "mention", "mention"


class ItemStatus(models.TextChoices):
    NEW = "new", "nouveau"
    REVIEW = "review", "à revoir"  # a person must decide (moderation)
    TODO = "todo", "à traiter"  # a question to answer, a supporter to thank
    DONE = "done", "traité"
    ESCALATED = "escalated", "transmis"


class PlatformState(models.TextChoices):
    VISIBLE = "visible", "visible"
    HIDDEN = "hidden", "masqué"
    DELETED = "deleted", "supprimé"


class Item(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="items")
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    platform = models.CharField(max_length=32, db_index=True)
    external_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.COMMENT)
    author = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies")
    parent_external_id = models.CharField(max_length=255, blank=True, default="")
    thread_external_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    text = models.TextField(blank=True, default="")
    # Lower-case, accent-free copy of the text and the author's names: the portable search (SQLite);
    # PostgreSQL searches ``text`` with its French full-text index.
    search_text = models.TextField(blank=True, default="", editable=False)
    url = models.URLField(max_length=1000, blank=True, default="")
    raw_payload = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(db_index=True)
    first_seen_at = models.DateTimeField(db_index=True, help_text="When the commune could first know of it.")
    likes = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    # Moderation state.
    moderated = models.BooleanField(default=True, help_text="False for watched mentions outside the commune's accounts.")
    is_from_commune = models.BooleanField(default=False, help_text="Published by the commune's own account.")
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.NEW, db_index=True)
    platform_state = models.CharField(max_length=16, choices=PlatformState.choices, default=PlatformState.VISIBLE)
    current_verdict = models.ForeignKey(
        "workspace.Verdict", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    oncall = models.BooleanField(default=False, help_text="Under the on-call (astreinte) shorter deadline.")
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    oncall_alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the on-call members were alerted about this item (once)."
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("commune", "platform", "external_id")]
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["commune", "status", "deadline_at"]),
            models.Index(fields=["commune", "published_at"]),
        ]
        verbose_name = "élément"
        verbose_name_plural = "éléments"

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "text" in update_fields:
            self.search_text = self.build_search_text()
            if update_fields is not None and "search_text" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        from beffroi.workspace.search import fold

        author = self.author
        names = f" {author.display_name} {author.handle}" if author is not None else ""
        return fold(f"{self.text}{names}")

    @property
    def is_private(self) -> bool:
        return self.kind == ItemKind.PRIVATE_MESSAGE

    @property
    def is_open(self) -> bool:
        """Still waiting for someone (to review, or a question/thanks to handle)."""
        return self.status in (ItemStatus.NEW, ItemStatus.REVIEW, ItemStatus.TODO, ItemStatus.ESCALATED)


class Verdict(models.Model):
    """What the engine said about an item, with its reasons; kept even when re-judged."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="verdicts")
    labels = models.JSONField(default=list)
    scores = models.JSONField(default=dict)
    action = models.CharField(max_length=8)
    reasons = models.JSONField(default=list)
    article = models.CharField(max_length=64, blank=True, default="")
    message = models.TextField(blank=True, default="")
    engine_version = models.CharField(max_length=64, blank=True, default="")
    charter_version = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "verdict du moteur"
