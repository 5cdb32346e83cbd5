"""Background jobs of the connectors: polling, webhook processing, imports, housekeeping."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone

from beffroi import conf
from beffroi.tasks import enqueue, periodic, task

logger = logging.getLogger(__name__)


@task("connectors.sync_account")
def sync_account_job(account_id: int, force: bool = False) -> dict[str, Any]:
    """Poll one account; a backfill longer than SYNC_MAX_PAGES continues in a follow-up job."""
    from beffroi.connectors.sync import sync_account

    result = sync_account(account_id, force=force)
    if result.has_more:
        enqueue("connectors.sync_account", account_id=account_id)
    return result.as_dict()


@task("connectors.sync_all")
def sync_all_job() -> list[int]:
    """Enqueue a sync of every active account that is due (not rate-limited, not failing repeatedly)."""
    from beffroi.connectors.sync import due_for_sync
    from beffroi.workspace.models import Account, AccountStatus

    every = dt.timedelta(minutes=int(conf.get("SYNC_INTERVAL_MINUTES")))
    now = timezone.now()
    started = []
    for account in Account.objects.filter(status=AccountStatus.ACTIVE, commune__is_active=True).exclude(
        platform="import"
    ):
        if due_for_sync(account, now=now, every=every):
            enqueue("connectors.sync_account", account_id=account.pk)
            started.append(account.pk)
    return started


@task("connectors.process_webhook")
def process_webhook_job(receipt_id: int) -> dict[str, Any]:
    from beffroi.connectors.views import process_receipt

    return process_receipt(receipt_id)


@task("connectors.retry_webhooks")
def retry_webhooks_job(max_attempts: int = 6) -> list[int]:
    """Process again the deliveries whose processing failed or never ran (worker down …)."""
    from django.db.models import Q

    from beffroi.connectors.models import WebhookReceipt

    stale = timezone.now() - dt.timedelta(minutes=2)
    ids = list(
        WebhookReceipt.objects.filter(attempts__lt=max_attempts)
        .filter(
            Q(state=WebhookReceipt.State.FAILED)
            | Q(state=WebhookReceipt.State.RECEIVED, received_at__lt=stale)
        )
        .values_list("id", flat=True)[:200]
    )
    for receipt_id in ids:
        enqueue("connectors.process_webhook", receipt_id=receipt_id)
    return ids


@task("connectors.purge_webhook_receipts")
def purge_webhook_receipts_job() -> int:
    """Receipts older than the webhook window are useless (older deliveries are refused as stale)."""
    from beffroi.connectors.models import WebhookReceipt

    limit = timezone.now() - dt.timedelta(hours=int(conf.get("WEBHOOK_MAX_AGE_HOURS")) + 1)
    deleted, _ = (
        WebhookReceipt.objects.filter(received_at__lt=limit)
        .exclude(state=WebhookReceipt.State.RECEIVED)
        .delete()
    )
    return deleted


@task("connectors.refresh_platform_blocks")
def refresh_platform_blocks_job(account_id: int | None = None) -> list[int]:
    """Read the blocked list of one account, or of every active account whose platform can list it."""
    from beffroi.connectors.blocklist import lists_blocks, refresh_platform_blocks
    from beffroi.connectors.registry import connector_class
    from beffroi.workspace.models import Account, AccountStatus

    accounts = Account.objects.select_related("commune").filter(status=AccountStatus.ACTIVE, commune__is_active=True)
    if account_id is not None:
        accounts = accounts.filter(pk=account_id)
    done = []
    for account in accounts:
        try:
            supported = lists_blocks(connector_class(account.platform))
        except (KeyError, ImportError, AttributeError, TypeError):
            continue
        if supported and refresh_platform_blocks(account) is not None:
            done.append(account.pk)
    return done


@task("connectors.import_file")
def import_file_job(account_id: int) -> dict[str, Any]:
    """Ingest an imported file (resumable: the cursor is saved with every page)."""
    from beffroi.connectors.importer.service import run_import

    return run_import(account_id).as_dict()


periodic("connectors.sync_all", every=dt.timedelta(minutes=int(conf.get("SYNC_INTERVAL_MINUTES"))))
periodic("connectors.retry_webhooks", every=dt.timedelta(minutes=10))
periodic("connectors.purge_webhook_receipts", every=dt.timedelta(hours=6))
periodic("connectors.refresh_platform_blocks", every=dt.timedelta(hours=6))
