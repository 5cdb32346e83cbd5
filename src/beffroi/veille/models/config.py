"""What a commune watches: its watch terms, its facts (official statements) and its settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beffroi.core.models import Commune


def _empty_list() -> list[str]:
    return []


def default_notify_kinds() -> list[str]:
    return ["rumour", "bad_buzz"]


class TermKind(models.TextChoices):
    COMMUNE = "commune", "nom de la commune"
    PERSON = "person", "élu·e ou personnalité"
    PLACE = "place", "lieu"
    EVENT = "event", "événement"
    HASHTAG = "hashtag", "mot-dièse"
    OTHER = "other", "autre"


class WatchTerm(models.Model):
    """A name the commune is talked about with: its name and variants, the mayor, places, events,
    hashtags. Matched without regard to case or accents, on whole words."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="veille_terms")
    text = models.CharField("terme", max_length=120)
    kind = models.CharField("type", max_length=16, choices=TermKind.choices, default=TermKind.OTHER)
    folded = models.CharField(max_length=120, editable=False, help_text="Lower-case, accent-free form.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "text"]
        unique_together = [("commune", "folded")]
        verbose_name = "terme suivi"
        verbose_name_plural = "termes suivis"

    def __str__(self) -> str:
        return self.text


class Fact(models.Model):
    """One official statement of the commune ("La piscine municipale est ouverte à toutes et à tous,
    aux horaires habituels."), passed to the rumour detector and offered to restore the facts."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="veille_facts")
    text = models.TextField("fait officiel")
    source_url = models.URLField("source (page officielle)", max_length=500, blank=True, default="")
    active = models.BooleanField("en vigueur", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-active", "id"]
        verbose_name = "fait officiel"
        verbose_name_plural = "faits officiels"

    def __str__(self) -> str:
        return self.text[:80]


class VeilleSettings(models.Model):
    """The commune's watch settings (one row per commune, created on first use)."""

    commune = models.OneToOneField(Commune, on_delete=models.CASCADE, related_name="veille_settings")
    official_accounts = models.JSONField(
        "comptes officiels", default=_empty_list, blank=True,
        help_text="Names or handles of official accounts (the commune, the préfecture, the local press).",
    )
    local_places = models.JSONField("lieux de la commune", default=_empty_list, blank=True)
    posts_per_day = models.FloatField("mentions par jour (estimation de départ)", default=40.0)
    follow_all_accounts = models.JSONField(
        "sources suivies en entier", default=_empty_list, blank=True,
        help_text="Ids of watched accounts (a local group, the local paper) whose every item is a mention.",
    )
    notify_kinds = models.JSONField("types d'alerte envoyés", default=default_notify_kinds, blank=True)
    extra_emails = models.JSONField("adresses supplémentaires", default=_empty_list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "réglages de veille"
        verbose_name_plural = "réglages de veille"

    def __str__(self) -> str:
        return f"veille de {self.commune}"

    @classmethod
    def for_commune(cls, commune: Commune) -> VeilleSettings:
        obj, _ = cls.objects.get_or_create(commune=commune)
        return obj
