"""Managing what the commune watches (permission MANAGE_VEILLE): watch terms, facts, sources, official
accounts, the crisis circle, extra addresses and webhooks. Every change is audited."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune, Membership
from beffroi.veille.matching import fold_term
from beffroi.veille.models import AlertWebhook, Fact, TermKind, VeilleSettings, WatchTerm, WebhookFormat
from beffroi.workspace.models import Account

MAX_TERMS = 300
MAX_FACTS = 200


class ConfigError(Exception):
    """A refused change; ``message`` is French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- watch terms -------------------------------------------------------------------------------


@transaction.atomic
def add_terms(commune: Commune, raw: str, kind: str, actor: Any) -> list[WatchTerm]:
    """Add one term per line (or separated by commas); duplicates are ignored."""
    if kind not in TermKind.values:
        raise ConfigError("Choisissez le type du terme.")
    pieces = [p.strip() for line in (raw or "").splitlines() for p in line.split(",")]
    pieces = [p for p in pieces if p]
    if not pieces:
        raise ConfigError("Écrivez au moins un terme (un nom, un lieu, un mot-dièse…).")
    created = []
    for text in pieces:
        if len(text) > 120:
            raise ConfigError(f"« {text[:40]}… » est trop long (120 caractères au plus).")
        folded = fold_term(text)
        if not folded:
            raise ConfigError(f"« {text} » ne contient aucun mot reconnaissable.")
        if WatchTerm.objects.filter(commune=commune).count() >= MAX_TERMS:
            raise ConfigError(f"La commune suit déjà {MAX_TERMS} termes : retirez-en avant d'en ajouter.")
        if WatchTerm.objects.filter(commune=commune, folded=folded).exists():
            continue
        try:
            with transaction.atomic():
                term = WatchTerm.objects.create(commune=commune, text=text, kind=kind, folded=folded, created_by=actor)
        except IntegrityError:
            continue
        created.append(term)
        log_audit("veille.term_added", commune=commune, actor=actor, target=term, text=text, kind=kind)
    return created


@transaction.atomic
def remove_term(term: WatchTerm, actor: Any) -> None:
    log_audit("veille.term_removed", commune=term.commune, actor=actor, target=term, text=term.text)
    term.delete()


# -- facts ------------------------------------------------------------------------------------


def _clean_fact(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise ConfigError("Écrivez le fait officiel en une phrase.")
    if len(cleaned) < 12:
        raise ConfigError("Le fait est trop court : écrivez une phrase complète (sujet et information).")
    if len(cleaned) > 500:
        raise ConfigError("Le fait est trop long (500 caractères au plus) : une phrase par fait.")
    return cleaned


@transaction.atomic
def add_fact(commune: Commune, text: str, actor: Any, *, source_url: str = "") -> Fact:
    cleaned = _clean_fact(text)
    if Fact.objects.filter(commune=commune, active=True).count() >= MAX_FACTS:
        raise ConfigError(f"{MAX_FACTS} faits en vigueur au plus : retirez les faits périmés.")
    if Fact.objects.filter(commune=commune, text=cleaned, active=True).exists():
        raise ConfigError("Ce fait est déjà dans la liste.")
    fact = Fact.objects.create(commune=commune, text=cleaned, source_url=source_url.strip(), created_by=actor)
    log_audit("veille.fact_added", commune=commune, actor=actor, target=fact, text=cleaned)
    return fact


@transaction.atomic
def update_fact(fact: Fact, text: str, actor: Any, *, source_url: str = "", active: bool = True) -> Fact:
    cleaned = _clean_fact(text)
    before = fact.text
    fact.text, fact.source_url, fact.active = cleaned, source_url.strip(), active
    fact.save()
    log_audit("veille.fact_changed", commune=fact.commune, actor=actor, target=fact, before=before, after=cleaned, active=active)
    return fact


@transaction.atomic
def set_fact_active(fact: Fact, active: bool, actor: Any) -> Fact:
    fact.active = active
    fact.save(update_fields=["active", "updated_at"])
    log_audit("veille.fact_" + ("restored" if active else "retired"), commune=fact.commune, actor=actor, target=fact)
    return fact


# -- settings ---------------------------------------------------------------------------------


def _lines(raw: str) -> list[str]:
    out: list[str] = []
    for line in (raw or "").splitlines():
        value = line.strip()
        if value and value not in out:
            out.append(value[:200])
    return out


@transaction.atomic
def save_sources(commune: Commune, actor: Any, *, official: str, places: str, follow_all: list[int], posts_per_day: float) -> VeilleSettings:
    settings = VeilleSettings.for_commune(commune)
    valid = set(Account.objects.filter(commune=commune, owned=False, pk__in=follow_all).values_list("pk", flat=True))
    if not 1 <= posts_per_day <= 100000:
        raise ConfigError("Indiquez un nombre de mentions par jour entre 1 et 100 000.")
    settings.official_accounts = _lines(official)
    settings.local_places = _lines(places)
    settings.follow_all_accounts = sorted(valid)
    settings.posts_per_day = float(posts_per_day)
    settings.save()
    log_audit(
        "veille.sources_saved", commune=commune, actor=actor, target=settings,
        official=settings.official_accounts, places=settings.local_places, follow_all=settings.follow_all_accounts,
    )
    return settings


@transaction.atomic
def save_alerting(commune: Commune, actor: Any, *, notify_kinds: list[str], extra_emails: list[str], circle: list[int]) -> VeilleSettings:
    settings = VeilleSettings.for_commune(commune)
    kinds = [k for k in ("rumour", "bad_buzz", "spike") if k in notify_kinds]
    if "rumour" not in kinds:
        raise ConfigError("Les alertes « rumeur » sont toujours envoyées au cercle de crise.")
    settings.notify_kinds = kinds
    settings.extra_emails = extra_emails
    settings.save()
    members = Membership.objects.filter(commune=commune)
    before = set(members.filter(in_crisis_circle=True).values_list("pk", flat=True))
    members.filter(pk__in=circle).update(in_crisis_circle=True)
    members.exclude(pk__in=circle).update(in_crisis_circle=False)
    log_audit(
        "veille.alerting_saved", commune=commune, actor=actor, target=settings, kinds=kinds, extra_emails=extra_emails,
        circle_added=sorted(set(circle) - before), circle_removed=sorted(before - set(circle)),
    )
    return settings


# -- webhooks ---------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@transaction.atomic
def save_webhook(
    commune: Commune, actor: Any, *, name: str, url: str, fmt: str, matrix_token: str = "",
    active: bool = True, webhook: AlertWebhook | None = None,
) -> tuple[AlertWebhook, str | None]:
    """Create or change a webhook. Returns it and, for a new one, its signing secret (shown once)."""
    from beffroi.veille.actions.delivery import DeliveryError, check_url

    if fmt not in WebhookFormat.values:
        raise ConfigError("Choisissez un format.")
    try:
        check_url(url, fmt, resolve=False)
    except DeliveryError as exc:
        raise ConfigError(exc.message) from None
    creating = webhook is None
    hook = webhook or AlertWebhook(commune=commune)
    stored = hook.get_secrets() if not creating else {}
    secret: str | None = None
    if creating:
        secret = new_secret()
        stored["signing_secret"] = secret
    if fmt == WebhookFormat.MATRIX:
        if matrix_token.strip():
            stored["matrix_token"] = matrix_token.strip()
        if not stored.get("matrix_token"):
            raise ConfigError("Pour Matrix, collez le jeton d'accès du compte qui publie dans le salon.")
    else:
        stored.pop("matrix_token", None)
    hook.name, hook.url, hook.format, hook.active = name.strip()[:100] or "Webhook", url.strip(), fmt, active
    hook.set_secrets(stored)
    hook.save()
    log_audit(
        "veille.webhook_" + ("added" if creating else "changed"), commune=commune, actor=actor, target=hook,
        name=hook.name, format=fmt, active=active,
    )
    return hook, secret


@transaction.atomic
def rotate_webhook_secret(hook: AlertWebhook, actor: Any) -> str:
    stored = hook.get_secrets()
    secret = new_secret()
    stored["signing_secret"] = secret
    hook.set_secrets(stored)
    hook.save(update_fields=["secrets_encrypted"])
    log_audit("veille.webhook_secret_rotated", commune=hook.commune, actor=actor, target=hook)
    return secret


@transaction.atomic
def delete_webhook(hook: AlertWebhook, actor: Any) -> None:
    log_audit("veille.webhook_removed", commune=hook.commune, actor=actor, target=hook, name=hook.name)
    hook.delete()
