"""Comments sent from the commune's website, and their publication state."""

from __future__ import annotations

from django.db import models

from beffroi.core.models import Commune
from beffroi.workspace.models import Account, Item


class WebsiteComment(models.Model):
    """One comment sent through the widget (or a reply written by the commune's team).

    Pre-moderation: a visitor's comment is ``pending`` until the engine keeps it or a moderator approves it;
    only ``published`` comments are served to the site. The visitor's address is never stored: ``ip_hash``
    is a keyed hash (for the rate limit and to group repeated messages), and the e-mail is never published.
    """

    class State(models.TextChoices):
        PENDING = "pending", "en attente de relecture"
        PUBLISHED = "published", "publié"
        HIDDEN = "hidden", "masqué"
        DELETED = "deleted", "supprimé"

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="website_comments")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="website_comments")
    page_url = models.URLField("page", max_length=1000, db_index=True)
    page_title = models.CharField("titre de la page", max_length=200, blank=True, default="")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author_name = models.CharField("nom affiché", max_length=80)
    author_email = models.EmailField("adresse e-mail (jamais publiée)", blank=True, default="")
    text = models.TextField("commentaire")
    from_commune = models.BooleanField("réponse de la commune", default=False)
    ip_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    item = models.OneToOneField(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="website_comment")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["account", "state", "page_url"]), models.Index(fields=["commune", "ip_hash", "created_at"])]
        verbose_name = "commentaire du site"
        verbose_name_plural = "commentaires du site"

    def __str__(self) -> str:
        return f"{self.author_name} sur {self.page_url} ({self.get_state_display()})"

    @property
    def external_id(self) -> str:
        return f"site-{self.pk}"
