"""The webhook endpoint /hooks/<platform>/<account_id>/: handshake, signatures, replays, stale
deliveries, overlap with polling, processing failures."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from beffroi.connectors import runtime
from beffroi.connectors.meta import sign_meta_body
from beffroi.connectors.models import WebhookReceipt
from beffroi.connectors.sync import sync_account
from beffroi.connectors.testing import Router
from beffroi.tasks import run_task
from beffroi.workspace.models import Account, AccountStatus, Item

FB_FIXTURES = Path(__file__).resolve().parents[2] / "src/beffroi/connectors/facebook/fixtures"
IG_FIXTURES = Path(__file__).resolve().parents[2] / "src/beffroi/connectors/instagram/fixtures"
PAGE = "104820123456789"
SECRET = "webhook-app-secret"

pytestmark = pytest.mark.django_db


def feed_body(*, time_: int | None = None, comment_id: str = "801000000000002_900000000000010") -> bytes:
    payload = json.loads((FB_FIXTURES / "webhook_feed.json").read_text())
    payload["entry"][0]["time"] = int(time.time()) if time_ is None else time_
    payload["entry"][0]["changes"][0]["value"]["comment_id"] = comment_id
    return json.dumps(payload).encode()


@pytest.fixture
def account(commune: Any) -> Account:
    acc = Account(
        commune=commune,
        platform="facebook",
        external_id=PAGE,
        name="Page",
        options={"webhook_verify_token": "verif-xyz"},
    )
    acc.set_credentials({"access_token": "EAAtoken", "app_secret": SECRET})
    acc.save()
    return acc


def url(account: Account, platform: str = "facebook") -> str:
    return reverse("webhook", kwargs={"platform": platform, "account_id": account.pk})


def post(client: Any, account: Account, body: bytes, secret: str = SECRET, **extra: Any) -> Any:
    return client.post(
        url(account),
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign_meta_body(body, secret),
        **extra,
    )


def test_verification_handshake(client: Any, account: Account) -> None:
    ok = client.get(
        url(account),
        {"hub.mode": "subscribe", "hub.verify_token": "verif-xyz", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    bad = client.get(
        url(account), {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert bad.status_code == 403 and "vérification" in bad.content.decode()


def test_valid_delivery_is_ingested_and_acknowledged(client: Any, account: Account) -> None:
    response = post(client, account, feed_body())
    assert response.status_code == 200
    assert set(Item.objects.filter(account=account).values_list("external_id", flat=True)) == {
        "801000000000002_900000000000010",
        "801000000000002_900000000000011",
    }
    receipt = WebhookReceipt.objects.get()
    assert receipt.state == "processed" and receipt.items_created == 2 and bytes(receipt.body) == b""
    assert receipt.sent_at is not None


def test_invalid_signature_is_refused_and_nothing_is_ingested(client: Any, account: Account) -> None:
    body = feed_body()
    assert post(client, account, body, secret="forged").status_code == 403
    assert (
        client.post(url(account), data=body, content_type="application/json").status_code == 403
    )  # unsigned
    tampered = client.post(
        url(account),
        data=body.replace(b"rue", b"RUE"),
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign_meta_body(body, SECRET),
    )
    assert tampered.status_code == 403
    assert Item.objects.count() == 0 and WebhookReceipt.objects.count() == 0


def test_a_replayed_delivery_is_acknowledged_and_nothing_is_stored_twice(
    client: Any, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Meta resends a delivery whose 200 it did not get: the signed repeat is answered 200 (else Meta keeps
    retrying and disables the subscription), and nothing is stored or processed again."""
    import beffroi.tasks as tasks

    body = feed_body()
    first = post(client, account, body)
    assert first.status_code == 200 and first.content == b"EVENT_RECEIVED"
    receipt = WebhookReceipt.objects.get()
    enqueued: list[Any] = []
    monkeypatch.setattr(tasks, "enqueue", lambda *a, **k: enqueued.append((a, k)))
    replay = post(client, account, body)
    assert replay.status_code == 200 and "déjà reçue" in replay.content.decode()
    assert enqueued == []  # not processed again
    assert Item.objects.count() == 2 and WebhookReceipt.objects.count() == 1
    assert WebhookReceipt.objects.get().pk == receipt.pk
    # The repeat must still be signed: a forged copy of a known body is refused.
    assert post(client, account, body, secret="forged").status_code == 403


def test_a_delivery_without_time_relies_on_its_receipt(client: Any, account: Account) -> None:
    """A Meta entry without ``time`` cannot be called stale: it is accepted once, its repeats store nothing."""
    payload = json.loads(feed_body())
    del payload["entry"][0]["time"]
    body = json.dumps(payload).encode()
    assert post(client, account, body).status_code == 200
    receipt = WebhookReceipt.objects.get()
    assert receipt.sent_at is None and receipt.items_created == 2
    assert post(client, account, body).status_code == 200
    assert Item.objects.count() == 2 and WebhookReceipt.objects.count() == 1
    # Even once the receipt is purged, the same body stores nothing twice (idempotent ingestion).
    WebhookReceipt.objects.all().delete()
    assert post(client, account, body).status_code == 200
    assert Item.objects.count() == 2


def test_a_stale_delivery_is_refused(client: Any, account: Account) -> None:
    old = feed_body(time_=int(time.time()) - 3 * 86400)
    response = post(client, account, old)
    assert response.status_code == 403 and "trop ancienne" in response.content.decode()
    assert Item.objects.count() == 0


def test_unknown_or_disabled_accounts_get_404(client: Any, account: Account) -> None:
    body = feed_body()
    assert (
        client.post(
            reverse("webhook", kwargs={"platform": "facebook", "account_id": 999999}),
            data=body,
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        client.post(url(account, "instagram"), data=body, content_type="application/json").status_code == 404
    )
    account.status = AccountStatus.DISABLED
    account.save()
    assert post(client, account, body).status_code == 404


def test_overlap_with_polling_stores_once(client: Any, account: Account) -> None:
    """The same comment polled first, then delivered by webhook: one item."""
    comments = json.loads((FB_FIXTURES / "comments_post2.json").read_text())
    feed = json.loads((FB_FIXTURES / "feed_page2.json").read_text())
    feed_page1 = json.loads((FB_FIXTURES / "feed_page1.json").read_text())
    router = Router()
    router.add(
        "GET", f"/v21.0/{PAGE}/feed", httpx.Response(200, json=feed_page1), httpx.Response(200, json=feed)
    )
    router.add("GET", f"/v21.0/{PAGE}_801000000000002/comments", json=comments)
    sync_account(account, http=router.http())
    polled = Item.objects.count()
    assert post(client, account, feed_body(comment_id="801000000000002_900000000000002")).status_code == 200
    receipt = WebhookReceipt.objects.get()
    assert receipt.items_seen == 2 and receipt.items_created == 1  # the known comment is not stored again
    assert Item.objects.count() == polled + 1
    assert Item.objects.filter(external_id="801000000000002_900000000000002").count() == 1


def test_a_failed_processing_is_retried_by_the_periodic_job(
    client: Any, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from beffroi.connectors import sync

    real = sync.ingest_items

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("worker crashed")

    monkeypatch.setattr(sync, "ingest_items", broken)
    response = post(client, account, feed_body())
    assert response.status_code == 200  # the delivery is safe in its receipt: the platform need not resend
    receipt = WebhookReceipt.objects.get()
    assert receipt.state == "failed" and Item.objects.count() == 0 and bytes(receipt.body)
    monkeypatch.setattr(sync, "ingest_items", real)
    assert run_task("connectors.retry_webhooks", {}) == [receipt.pk]
    receipt.refresh_from_db()
    assert receipt.state == "processed" and receipt.attempts == 2 and Item.objects.count() == 2


def test_old_receipts_are_purged(account: Account) -> None:
    old = WebhookReceipt.objects.create(
        platform="facebook",
        account=account,
        delivery_id="old",
        received_at=timezone.now() - dt.timedelta(days=4),
        state="processed",
    )
    fresh = WebhookReceipt.objects.create(
        platform="facebook", account=account, delivery_id="new", received_at=timezone.now(), state="processed"
    )
    assert run_task("connectors.purge_webhook_receipts", {}) == 1
    assert (
        not WebhookReceipt.objects.filter(pk=old.pk).exists()
        and WebhookReceipt.objects.filter(pk=fresh.pk).exists()
    )


def test_instagram_mentions_are_read_through_the_api(
    client: Any, commune: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ig = Account(commune=commune, platform="instagram", external_id="17841405822304914", name="Insta")
    ig.set_credentials({"access_token": "IGtoken", "app_secret": SECRET})
    ig.save()
    router = Router().add(
        "GET",
        "/v21.0/17841405822304914",
        httpx.Response(200, json=json.loads((IG_FIXTURES / "mentioned_comment.json").read_text())),
        httpx.Response(200, json=json.loads((IG_FIXTURES / "mentioned_media.json").read_text())),
    )
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.http())
    payload = json.loads((IG_FIXTURES / "webhook_mentions.json").read_text())
    payload["entry"][0]["time"] = int(time.time())
    body = json.dumps(payload).encode()
    response = client.post(
        url(ig, "instagram"),
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign_meta_body(body, SECRET),
    )
    assert response.status_code == 200
    mentions = Item.objects.filter(account=ig, kind="mention")
    assert mentions.count() == 2
    assert not any(m.moderated for m in mentions)


def test_one_app_for_the_instance_dispatches_entries_to_each_page(
    client: Any, account: Account, other_commune: Any
) -> None:
    """Meta allows one callback URL per app: a delivery for two Pages reaches the first account's URL,
    and each Page's comments go to its own account (same app secret only)."""
    second = Account(commune=other_commune, platform="facebook", external_id="2220001", name="Autre page")
    second.set_credentials({"access_token": "EAAother", "app_secret": SECRET})
    second.save()
    foreign = Account(
        commune=other_commune, platform="facebook", external_id="3330001", name="Page d'une autre app"
    )
    foreign.set_credentials({"access_token": "EAAforeign", "app_secret": "another-app-secret"})
    foreign.save()
    payload = json.loads(feed_body())
    for page_id in ("2220001", "3330001"):
        entry = json.loads(json.dumps(payload["entry"][0]))
        entry["id"] = page_id
        for change in entry["changes"]:
            change["value"]["comment_id"] = change["value"].get("comment_id", "x") + f"-{page_id}"
        payload["entry"].append(entry)
    body = json.dumps(payload).encode()
    assert post(client, account, body).status_code == 200
    assert Item.objects.filter(account=account).count() == 2
    assert Item.objects.filter(account=second, commune=other_commune).count() == 2
    assert Item.objects.filter(account=foreign).count() == 0  # signed by another app: not trusted for it
    assert WebhookReceipt.objects.get().items_created == 4
