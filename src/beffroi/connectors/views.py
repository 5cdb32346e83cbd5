"""Webhook endpoint: every platform's deliveries arrive at ``/hooks/<platform>/<account_id>/``.

The endpoint answers fast: it checks the signature (or answers the verification handshake), refuses
stale deliveries (403), records the delivery (``WebhookReceipt``) and hands the work to the
``connectors.process_webhook`` job, then answers 200. A correctly signed delivery whose receipt already
exists (a platform retrying after a lost 200: Meta and TikTok resend until they get one) is answered 200
too, and nothing is stored again; a bad signature is still 403. A delivery whose payload carries no
time (``webhook_timestamp`` is None, e.g. a Meta entry without ``time``) cannot be refused as stale: it
relies on the receipt alone (kept ``WEBHOOK_MAX_AGE_HOURS``), and ingestion, idempotent, never stores an
item twice even if the same body comes back after the receipts are purged. Processing parses the delivery with the
account's connector and ingests the items through ``do_ingest_item`` (idempotent, so a delivery that
overlaps polling stores nothing twice). A receipt whose processing failed is retried by
``connectors.retry_webhooks``, so nothing is lost even though the platform is not asked to resend.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from beffroi import conf
from beffroi.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    FetchedItem,
    WebhookRejected,
    WebhookRequest,
)
from beffroi.connectors.models import WebhookReceipt
from beffroi.connectors.runtime import connector_for
from beffroi.core.crypto import SecretError
from beffroi.workspace.models import Account, AccountStatus

logger = logging.getLogger(__name__)

MAX_BODY = 2 * 1024 * 1024  # Meta batches up to 1000 changes; far below this


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(message.encode("utf-8"), status=status, content_type="text/plain; charset=utf-8")


def webhook_request(request: HttpRequest, *, now: dt.datetime) -> WebhookRequest:
    return WebhookRequest(
        method=request.method or "GET",
        headers={k.lower(): v for k, v in request.headers.items()},
        query={k: request.GET.get(k, "") for k in request.GET},
        body=request.body,
        received_at=now,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, platform: str, account_id: int) -> HttpResponse:
    now = timezone.now()
    account = Account.objects.select_related("commune").filter(pk=account_id, platform=platform).first()
    if account is None or account.status == AccountStatus.DISABLED or not account.commune.is_active:
        return _text(404, "Compte inconnu.")
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return _text(413, "Contenu trop volumineux.")
    try:
        connector = connector_for(account)
    except SecretError:
        logger.error("webhook for account %s: stored credentials cannot be decrypted", account.pk)
        return _text(503, "Configuration indisponible, réessayez plus tard.")
    except (KeyError, ImportError, TypeError):
        return _text(404, "Plateforme inconnue.")
    if Capability.WEBHOOK not in connector.capabilities:
        return _text(404, "Cette plateforme n'envoie pas de webhooks.")
    wreq = webhook_request(request, now=now)
    try:
        handshake = connector.verify_webhook(wreq, secret=connector.webhook_secret())
    except WebhookRejected as exc:
        logger.warning("webhook rejected for account %s (%s): %s", account.pk, platform, exc)
        return _text(403, exc.message_fr)
    if handshake is not None:
        return HttpResponse(handshake.body, status=handshake.status, content_type=handshake.content_type)
    sent_at = connector.webhook_timestamp(wreq)
    max_age = dt.timedelta(hours=int(conf.get("WEBHOOK_MAX_AGE_HOURS")))
    if sent_at is not None and now - sent_at > max_age:
        logger.warning("stale webhook for account %s: sent %s", account.pk, sent_at.isoformat())
        return _text(403, "Notification trop ancienne : refusée.")
    delivery_id = connector.webhook_delivery_id(wreq)[:128]
    try:
        with transaction.atomic():
            receipt = WebhookReceipt.objects.create(
                platform=platform,
                account=account,
                delivery_id=delivery_id,
                received_at=now,
                sent_at=sent_at,
                body=wreq.body,
                content_type=request.content_type or "",
            )
    except IntegrityError:
        # Signed, fresh, and already received: the platform's retry after a lost answer (or a replay of a
        # genuine delivery, which can store nothing). Acknowledge it, or Meta/TikTok keep retrying and
        # end up disabling the subscription.
        logger.info("webhook already received for account %s: %s", account.pk, delivery_id[:16])
        return _text(200, "Notification déjà reçue : ignorée.")
    from beffroi.tasks import enqueue

    try:
        enqueue("connectors.process_webhook", receipt_id=receipt.pk)
    except Exception:  # kept in the receipt; connectors.retry_webhooks picks it up
        logger.exception("webhook %s stored but its processing failed for now", receipt.pk)
    return _text(200, "EVENT_RECEIVED")


def _other_accounts_items(
    account: Account, connector: Connector, wreq: WebhookRequest
) -> list[tuple[Account, list[FetchedItem]]]:
    """Entries of the same delivery that belong to other accounts (one app, one callback URL for the
    whole instance). Only accounts whose webhook secret is the one that verified the delivery."""
    from beffroi.connectors.base import AuthError
    from beffroi.connectors.notify import connection_broken

    targets = set(connector.webhook_targets(wreq)) - {account.external_id}
    secret = connector.webhook_secret()
    if not targets or not secret:
        return []
    out = []
    others = (
        Account.objects.select_related("commune")
        .filter(platform=account.platform, external_id__in=targets, commune__is_active=True)
        .exclude(status=AccountStatus.DISABLED)
        .exclude(pk=account.pk)
    )
    for other in others:
        try:
            other_connector = connector_for(other)
        except Exception:
            logger.exception("webhook: no connector for account %s", other.pk)
            continue
        if not hmac.compare_digest(other_connector.webhook_secret().encode(), secret.encode()):
            logger.warning(
                "webhook for account %s carried entries of account %s signed by another app",
                account.pk,
                other.pk,
            )
            continue
        try:
            out.append((other, other_connector.parse_webhook(wreq)))
        except AuthError as exc:
            connection_broken(other, exc)
    return out


def process_receipt(receipt_id: int) -> dict[str, int | str]:
    """Parse a stored delivery with the account's connector and ingest its items (idempotent)."""
    from beffroi.connectors.base import AuthError
    from beffroi.connectors.notify import connection_broken
    from beffroi.connectors.sync import ingest_webhook_items

    receipt = WebhookReceipt.objects.select_related("account", "account__commune").get(pk=receipt_id)
    if receipt.state == WebhookReceipt.State.PROCESSED:
        return {"state": receipt.state, "created": receipt.items_created}
    WebhookReceipt.objects.filter(pk=receipt.pk).update(attempts=receipt.attempts + 1)
    account = receipt.account
    wreq = WebhookRequest(
        method="POST",
        headers={"content-type": receipt.content_type},
        query={},
        body=bytes(receipt.body),
        received_at=receipt.received_at,
    )
    try:
        connector = connector_for(account)
        items = connector.parse_webhook(wreq)
        created = ingest_webhook_items(account, items, receipt_id=receipt.pk)
        for other, other_items in _other_accounts_items(account, connector, wreq):
            created += ingest_webhook_items(other, other_items)
            items = [*items, *other_items]
    except AuthError as exc:  # e.g. reading an Instagram mention with an expired token
        connection_broken(account, exc)
        WebhookReceipt.objects.filter(pk=receipt.pk).update(
            state=WebhookReceipt.State.FAILED, error=exc.message_fr
        )
        return {"state": "failed", "created": 0}
    except Exception as exc:
        message = exc.message_fr if isinstance(exc, ConnectorError) else type(exc).__name__
        WebhookReceipt.objects.filter(pk=receipt.pk).update(
            state=WebhookReceipt.State.FAILED, error=message[:2000]
        )
        raise
    WebhookReceipt.objects.filter(pk=receipt.pk).update(
        state=WebhookReceipt.State.PROCESSED,
        items_seen=len(items),
        items_created=created,
        processed_at=timezone.now(),
        body=b"",  # the items keep what matters; do not keep personal data twice
        error="",
    )
    return {"state": "processed", "created": created}
