"""The commune's "Comptes connectés" screen (permission MANAGE_ACCOUNTS).

Lists the accounts and their state in plain French, connects and reconnects an account by pasting the
values the platform's guide explains (checked with the platform before saving; never shown back),
shows what each platform allows and why not, the last synchronisation and the quota use, and imports
history files.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from beffroi.connectors import runtime
from beffroi.connectors.base import (
    ACTION_CAPABILITY,
    AccountConfig,
    AccountIdentity,
    AuthError,
    Capability,
    Connector,
    ConnectorError,
)
from beffroi.connectors.forms import ConnectForm, ImportForm
from beffroi.connectors.notify import connection_restored
from beffroi.connectors.ratestate import blocked_until, parse_iso
from beffroi.connectors.registry import CONNECTORS, connector_class, platform_label
from beffroi.core.audit import log_audit
from beffroi.core.roles import Perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.models import Account, AccountStatus, Item

logger = logging.getLogger(__name__)

CAPABILITY_LABELS_FR: dict[Capability, str] = {
    Capability.FETCH: "Recevoir les publications et commentaires",
    Capability.WEBHOOK: "Recevoir en temps réel (webhooks)",
    Capability.PRIVATE_MESSAGES: "Recevoir les messages privés",
    Capability.HIDE: "Masquer un commentaire",
    Capability.UNHIDE: "Rendre visible un commentaire masqué",
    Capability.DELETE: "Supprimer",
    Capability.REPLY: "Répondre publiquement",
    Capability.PRIVATE_REPLY: "Répondre en privé",
    Capability.REPORT: "Signaler à la plateforme",
    Capability.BLOCK: "Bloquer l'auteur",
    Capability.UNBLOCK: "Débloquer l'auteur",
    Capability.LIKE: "Aimer",
}
# Shown only for the platforms that have them (Mastodon).
EXTRA_CAPABILITY_LABELS_FR: dict[Capability, str] = {
    Capability.FILTER: "Filtrer un message pour le compte de la commune",
    Capability.MUTE: "Mettre un auteur en sourdine",
}
# Platforms that are not accounts a commune connects (imports have their own form; replay is for tests).
NOT_CONNECTABLE = {"import", "replay"}
IRREVERSIBLE = {"delete"}


@dataclass
class CapabilityRow:
    label: str
    allowed: bool
    note: str


@dataclass
class PlatformInfo:
    platform: str
    label: str
    rows: list[CapabilityRow]
    guide_url: str


def _connector_classes() -> list[tuple[str, type[Connector]]]:
    out = []
    for platform in CONNECTORS:
        if platform in NOT_CONNECTABLE:
            continue
        try:
            out.append((platform, connector_class(platform)))
        except (ImportError, AttributeError, TypeError, KeyError):
            continue  # a connector not written yet: not offered
    return out


def capability_rows(cls: type[Connector]) -> list[CapabilityRow]:
    action_of = {cap: action for action, cap in ACTION_CAPABILITY.items()}
    rows = []
    for cap, label in CAPABILITY_LABELS_FR.items():
        allowed = cap in cls.capabilities
        if allowed:
            note = (
                _("Irréversible : Beffroi demande confirmation.")
                if action_of.get(cap) in IRREVERSIBLE
                else ""
            )
        else:
            note = cls.limits_fr.get(cap) or _("%(platform)s ne le permet pas via son API.") % {
                "platform": cls.label
            }
        rows.append(CapabilityRow(label=label, allowed=allowed, note=note))
    for cap, label in EXTRA_CAPABILITY_LABELS_FR.items():
        if cap in cls.capabilities:
            rows.append(CapabilityRow(label=label, allowed=True, note=""))
    return rows


def _platform_infos(commune_slug: str) -> list[PlatformInfo]:
    return [
        PlatformInfo(
            platform=platform,
            label=platform_label(platform),
            rows=capability_rows(cls),
            guide_url=reverse(
                "workspace:account_guide", kwargs={"commune": commune_slug, "platform": platform}
            ),
        )
        for platform, cls in _connector_classes()
    ]


def _state(account: Account) -> dict[str, Any]:
    """The account's state in plain French, with the CSS badge."""
    rate = account.rate_state or {}
    until = blocked_until(account)
    if account.status == AccountStatus.BROKEN:
        return {"badge": "failed", "label": _("connexion cassée"), "detail": account.status_detail}
    if account.status == AccountStatus.DISABLED:
        return {"badge": "pending", "label": _("désactivé"), "detail": ""}
    if until is not None:
        return {
            "badge": "pending",
            "label": _("en pause"),
            "detail": _("jusqu'à %(time)s : %(reason)s")
            % {"time": until.astimezone().strftime("%H:%M"), "reason": rate.get("blocked_reason") or ""},
        }
    if rate.get("last_error") and int(rate.get("consecutive_failures") or 0) > 0:
        return {"badge": "pending", "label": _("connecté, erreurs récentes"), "detail": rate["last_error"]}
    return {"badge": "applied", "label": _("connecté"), "detail": ""}


def _usage(account: Account) -> dict[str, Any]:
    rate = account.rate_state or {}
    usage = rate.get("usage") or {}
    return {
        "calls_today": rate.get("calls_today", 0),
        "units_today": rate.get("units_today", 0),
        "max_percent": usage.get("max_percent"),
        "last_sync_at": parse_iso(rate.get("last_sync_at")),
        "last_success_at": parse_iso(rate.get("last_success_at")),
        "last_sync": rate.get("last_sync") or {},
        "rate_limited_count": rate.get("rate_limited_count", 0),
    }


def _get_account(request: HttpRequest, account_id: int) -> Account:
    account = Account.objects.filter(pk=account_id, commune=request.commune).first()  # type: ignore[attr-defined]
    if account is None:
        raise Http404(_("Compte introuvable."))
    return account


@commune_view(Perm.MANAGE_ACCOUNTS)
def accounts(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    rows = []
    for account in (
        Account.objects.filter(commune=commune).exclude(platform="import").order_by("platform", "name")
    ):
        rows.append(
            {
                "account": account,
                "label": platform_label(account.platform),
                "state": _state(account),
                "usage": _usage(account),
            }
        )
    imports = Account.objects.filter(commune=commune, platform="import").order_by("-created_at")[:20]
    return render(
        request,
        "connectors/accounts.html",
        {
            "rows": rows,
            "imports": imports,
            "platforms": _platform_infos(commune.slug),
            "import_form": ImportForm(),
        },
    )


def _identify(
    cls: type[Connector], platform: str, credentials: dict[str, str], external_id: str
) -> AccountIdentity | None:
    config = AccountConfig(platform=platform, external_id=external_id, credentials=credentials)
    http = runtime.default_http(platform) if runtime.default_http is not None else None
    return cls(config, http=http).identify()


@commune_view(Perm.MANAGE_ACCOUNTS)
def account_connect(request: HttpRequest, platform: str) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    if platform in NOT_CONNECTABLE or platform not in CONNECTORS:
        raise Http404(_("Plateforme inconnue."))
    try:
        cls = connector_class(platform)
    except (ImportError, AttributeError, TypeError):
        raise Http404(_("Ce connecteur n'est pas encore disponible.")) from None
    form = ConnectForm(request.POST if request.method == "POST" else None, connector_cls=cls)
    if request.method == "POST" and form.is_valid():
        credentials = form.credentials()
        external_id = form.cleaned_data.get("external_id", "").strip()
        identity = None
        try:
            identity = _identify(cls, platform, credentials, external_id)
        except AuthError as exc:
            form.add_error(
                None,
                _("%(platform)s refuse ces informations : %(reason)s")
                % {"platform": cls.label, "reason": exc.message_fr},
            )
        except ConnectorError as exc:
            if not external_id:
                form.add_error(
                    None,
                    _(
                        "%(platform)s ne répond pas pour le moment (%(reason)s). Réessayez, ou indiquez l'identifiant du compte."
                    )
                    % {"platform": cls.label, "reason": exc.message_fr},
                )
            else:
                messages.warning(
                    request,
                    _("%(platform)s n'a pas pu vérifier le jeton maintenant ; Beffroi réessaiera.")
                    % {"platform": cls.label},
                )
        if identity is None and not external_id and not form.errors:
            form.add_error("external_id", _("Indiquez l'identifiant du compte (voir le guide)."))
        if not form.errors:
            account = _save_connection(
                request,
                platform,
                credentials,
                identity,
                external_id,
                form.cleaned_data.get("name", ""),
                chosen=form.options(),
            )
            messages.success(
                request,
                _("Compte « %(name)s » connecté. Les messages arrivent dans quelques minutes.")
                % {"name": account.name},
            )
            return redirect("workspace:account_detail", commune=commune.slug, account_id=account.pk)
    return render(
        request,
        "connectors/connect.html",
        {
            "form": form,
            "platform": platform,
            "label": cls.label,
            "rows": capability_rows(cls),
            "guide_url": reverse(
                "workspace:account_guide", kwargs={"commune": commune.slug, "platform": platform}
            ),
        },
    )


def _save_connection(
    request: HttpRequest,
    platform: str,
    credentials: dict[str, str],
    identity: AccountIdentity | None,
    external_id: str,
    name: str,
    *,
    chosen: dict[str, bool] | None = None,
) -> Account:
    commune = request.commune  # type: ignore[attr-defined]
    ext = (identity.external_id if identity else "") or external_id
    with transaction.atomic():
        account, created = Account.objects.get_or_create(
            commune=commune,
            platform=platform,
            external_id=ext,
            defaults={"name": name or (identity.name if identity else "") or ext},
        )
        if identity:
            account.handle = identity.handle or account.handle
            account.url = identity.url or account.url
        if name:
            account.name = name
        account.set_credentials(credentials)
        options = {**account.options, **(chosen or {})}
        options.setdefault("webhook_verify_token", secrets.token_urlsafe(24))
        account.options = options
        account.owned = bool(getattr(connector_class(platform), "owned_account", True))  # RSS feeds: False
        if account.status == AccountStatus.DISABLED:
            account.status = AccountStatus.ACTIVE
        account.save()
        log_audit(
            "account.connected" if created else "account.reconnected",
            commune=commune,
            actor=request.user,
            target=account,
            platform=platform,
        )
    connection_restored(account, actor=request.user)
    _after_connect(request, account)
    _enqueue_sync(account)
    return account


def _after_connect(request: HttpRequest, account: Account) -> None:
    """Let the connector finish the set-up (e.g. subscribe the Page to the webhooks); not fatal."""
    try:
        connector = runtime.connector_for(account)
        note = connector.after_connect()
    except ConnectorError as exc:
        messages.warning(
            request,
            _(
                "Compte enregistré, mais la réception en temps réel n'a pas pu être activée : %(reason)s Beffroi vérifiera "
                "le compte toutes les quelques minutes."
            )
            % {"reason": exc.message_fr},
        )
        return
    if note:
        messages.info(request, note)


def _lists_blocks(platform: str) -> bool:
    from beffroi.connectors.blocklist import lists_blocks

    try:
        return lists_blocks(connector_class(platform))
    except (ImportError, AttributeError, TypeError, KeyError):
        return False


def _platform_blocks(account: Account) -> dict[str, Any] | None:
    """The blocked list last read on the platform (``connectors.blocklist``), its time as a datetime."""
    from beffroi.connectors.ratestate import parse_iso

    stored = (account.rate_state or {}).get("platform_blocks")
    if not isinstance(stored, dict):
        return None
    return {**stored, "checked_at": parse_iso(stored.get("checked_at"))}


def _enqueue_blocks(account: Account) -> None:
    from beffroi.tasks import enqueue

    def run() -> None:
        try:
            enqueue("connectors.refresh_platform_blocks", account_id=account.pk)
        except Exception:
            logger.exception("could not read the blocked list of account %s", account.pk)

    transaction.on_commit(run)


def _enqueue_sync(account: Account) -> None:
    from beffroi.tasks import enqueue

    def run() -> None:
        try:
            enqueue("connectors.sync_account", account_id=account.pk, force=True)
        except Exception:
            logger.exception("could not start the sync of account %s", account.pk)

    transaction.on_commit(run)


@commune_view(Perm.MANAGE_ACCOUNTS)
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    account = _get_account(request, account_id)
    try:
        cls: type[Connector] | None = connector_class(account.platform)
    except (ImportError, AttributeError, TypeError, KeyError):
        cls = None
    form = (
        ConnectForm(
            request.POST if request.method == "POST" else None,
            connector_cls=cls,
            reconnect=True,
            initial_options=dict(account.options),
        )
        if cls and cls.credential_fields
        else None
    )
    if request.method == "POST" and form is not None and form.is_valid() and cls is not None:
        credentials = form.credentials()
        try:
            identity = _identify(cls, account.platform, credentials, account.external_id)
        except AuthError as exc:
            form.add_error(
                None,
                _("%(platform)s refuse ces informations : %(reason)s")
                % {"platform": cls.label, "reason": exc.message_fr},
            )
            identity = None
        except ConnectorError as exc:
            form.add_error(
                None,
                _("%(platform)s ne répond pas pour le moment (%(reason)s). Réessayez dans quelques minutes.")
                % {"platform": cls.label, "reason": exc.message_fr},
            )
            identity = None
        if identity is not None and identity.external_id and identity.external_id != account.external_id:
            form.add_error(
                None,
                _(
                    "Ce jeton donne accès à « %(other)s », pas à « %(name)s ». Choisissez le bon compte lors de la création du jeton."
                )
                % {"other": identity.name or identity.external_id, "name": account.name},
            )
        if not form.errors:
            _save_connection(
                request,
                account.platform,
                credentials,
                identity,
                account.external_id,
                "",
                chosen=form.options(),
            )
            messages.success(request, _("Compte reconnecté."))
            return redirect("workspace:account_detail", commune=commune.slug, account_id=account.pk)
    webhook_url = ""
    if cls is not None and Capability.WEBHOOK in cls.capabilities:
        webhook_url = settings.BEFFROI_BASE_URL.rstrip("/") + reverse(
            "webhook", kwargs={"platform": account.platform, "account_id": account.pk}
        )
    return render(
        request,
        "connectors/detail.html",
        {
            "account": account,
            "label": platform_label(account.platform),
            "state": _state(account),
            "usage": _usage(account),
            "rows": capability_rows(cls) if cls else [],
            "form": form,
            "webhook_url": webhook_url,
            "verify_token": account.options.get("webhook_verify_token", "") if webhook_url else "",
            "items_count": Item.objects.filter(account=account).count(),
            "lists_blocks": _lists_blocks(account.platform),
            "platform_blocks": _platform_blocks(account),
            "has_credentials": bool(account.credentials_encrypted),
            "guide_url": reverse(
                "workspace:account_guide", kwargs={"commune": commune.slug, "platform": account.platform}
            )
            if cls
            else "",
        },
    )


@commune_view(Perm.MANAGE_ACCOUNTS)
def account_sync(request: HttpRequest, account_id: int) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    account = _get_account(request, account_id)
    if request.method != "POST":
        return redirect("workspace:account_detail", commune=commune.slug, account_id=account.pk)
    if account.status != AccountStatus.ACTIVE:
        messages.error(request, _("Ce compte doit d'abord être reconnecté."))
    else:
        _enqueue_sync(account)
        if _lists_blocks(account.platform):
            _enqueue_blocks(account)
        log_audit("account.sync_requested", commune=commune, actor=request.user, target=account)
        messages.success(
            request, _("Synchronisation demandée : les nouveaux messages arrivent dans quelques instants.")
        )
    return redirect("workspace:account_detail", commune=commune.slug, account_id=account.pk)


@commune_view(Perm.MANAGE_ACCOUNTS)
def account_disable(request: HttpRequest, account_id: int) -> HttpResponse:
    """Disconnect: the stored credentials are erased (confirmation page first)."""
    commune = request.commune  # type: ignore[attr-defined]
    account = _get_account(request, account_id)
    if request.method == "POST":
        account.set_credentials({})
        account.status = AccountStatus.DISABLED
        account.status_detail = ""
        account.save(update_fields=["credentials_encrypted", "status", "status_detail"])
        log_audit(
            "account.disconnected",
            commune=commune,
            actor=request.user,
            target=account,
            platform=account.platform,
        )
        messages.success(
            request,
            _("Compte « %(name)s » déconnecté : son jeton a été effacé de Beffroi.") % {"name": account.name},
        )
        return redirect("workspace:accounts", commune=commune.slug)
    return render(
        request, "connectors/disable.html", {"account": account, "label": platform_label(account.platform)}
    )


@commune_view(Perm.MANAGE_ACCOUNTS)
def account_import(request: HttpRequest) -> HttpResponse:
    from beffroi.connectors.importer.service import prepare_import

    commune = request.commune  # type: ignore[attr-defined]
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        prepared = prepare_import(
            commune, upload.read(), upload.name, form.cleaned_data.get("format") or None, actor=request.user
        )
        if prepared.account is None:
            problems = prepared.problems
        else:
            from beffroi.tasks import enqueue

            account_id = prepared.account.pk
            transaction.on_commit(lambda: enqueue("connectors.import_file", account_id=account_id))
            messages.success(
                request,
                _("Fichier accepté : %(count)s message(s) en cours d'import. Les doublons sont ignorés.")
                % {"count": prepared.items},
            )
            return redirect("workspace:accounts", commune=commune.slug)
    return render(
        request,
        "connectors/import.html",
        {"form": form, "problems": problems[:100], "more": max(0, len(problems) - 100)},
    )


@commune_view(Perm.MANAGE_ACCOUNTS)
def account_guide(request: HttpRequest, platform: str) -> HttpResponse:
    """The platform's French setup guide, shown as plain text (Markdown source)."""
    try:
        cls = connector_class(platform)
    except (ImportError, AttributeError, TypeError, KeyError):
        raise Http404(_("Guide introuvable.")) from None
    module = __import__(cls.__module__, fromlist=["__file__"])
    path = Path(module.__file__ or "").parent / (cls.guide or "GUIDE.fr.md")
    if not path.is_file():
        raise Http404(_("Guide introuvable."))
    from django.utils.safestring import mark_safe

    from beffroi.connectors.guides import render_guide

    guide = mark_safe(render_guide(path.read_text(encoding="utf-8")))  # escaped by render_guide
    return render(
        request, "connectors/guide.html", {"label": cls.label, "guide": guide, "platform": platform}
    )
