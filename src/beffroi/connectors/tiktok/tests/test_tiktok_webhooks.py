"""TikTok webhook signatures (valid, invalid, stale, replayed) and the comment events they carry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from beffroi.connectors.base import AccountConfig, WebhookRejected, WebhookRequest
from beffroi.connectors.testing import Router, fixture_bytes, load_fixture
from beffroi.connectors.tiktok.connector import TikTokConnector
from beffroi.connectors.tiktok.webhooks import sign

BID = "-000AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
SECRET = "tiktok-client-secret-for-tests"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)
API = "/open_api/v1.3/business"


def make(router: Router | None = None) -> TikTokConnector:
    config = AccountConfig(platform="tiktok", external_id=BID, credentials={"access_token": "act.x", "client_secret": SECRET})
    return TikTokConnector(config, http=(router or Router()).http(retries=0))


def delivery(body: bytes, header: str | None, *, at: dt.datetime = NOW) -> WebhookRequest:
    headers = {"content-type": "application/json"}
    if header is not None:
        headers["tiktok-signature"] = header
    return WebhookRequest(method="POST", headers=headers, query={}, body=body, received_at=at)


def test_a_valid_signature_is_accepted() -> None:
    body = fixture_bytes(__file__, "webhook_comment_insert.json")
    tt = make()
    request = delivery(body, sign(body, SECRET, int(NOW.timestamp()) - 5))
    assert tt.verify_webhook(request, secret=tt.webhook_secret()) is None
    assert tt.webhook_timestamp(request) == NOW - dt.timedelta(seconds=5)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "t=1717329600",
        "t=abc,s=00",
        "t=1717329600,s=" + "0" * 64,
    ],
)
def test_missing_or_invalid_signatures_are_rejected(header: str | None) -> None:
    body = fixture_bytes(__file__, "webhook_comment_insert.json")
    with pytest.raises(WebhookRejected):
        make().verify_webhook(delivery(body, header), secret=SECRET)


def test_a_signature_with_another_secret_or_a_modified_body_is_rejected() -> None:
    body = fixture_bytes(__file__, "webhook_comment_insert.json")
    ts = int(NOW.timestamp())
    with pytest.raises(WebhookRejected):
        make().verify_webhook(delivery(body, sign(body, "another-secret", ts)), secret=SECRET)
    with pytest.raises(WebhookRejected):
        make().verify_webhook(delivery(body + b" ", sign(body, SECRET, ts)), secret=SECRET)
    with pytest.raises(WebhookRejected):  # the timestamp is signed: changing it breaks the signature
        header = sign(body, SECRET, ts).replace(f"t={ts}", f"t={ts + 1}")
        make().verify_webhook(delivery(body, header), secret=SECRET)


def test_an_old_timestamp_is_a_replay() -> None:
    body = fixture_bytes(__file__, "webhook_comment_insert.json")
    old = int((NOW - dt.timedelta(minutes=10)).timestamp())
    with pytest.raises(WebhookRejected) as caught:
        make().verify_webhook(delivery(body, sign(body, SECRET, old)), secret=SECRET)
    assert "trop ancienne" in caught.value.message_fr


def test_without_a_client_secret_nothing_is_accepted() -> None:
    body = b"{}"
    with pytest.raises(WebhookRejected):
        make().verify_webhook(delivery(body, sign(body, "", int(NOW.timestamp()))), secret="")


def test_a_new_comment_event_is_read_from_the_api() -> None:
    router = Router().add("GET", f"{API}/comment/list/", json=load_fixture(__file__, "webhook_comment_lookup.json"))
    tt = make(router)
    items = tt.parse_webhook(delivery(fixture_bytes(__file__, "webhook_comment_insert.json"), None))
    assert [(i.external_id, i.text, i.kind, i.thread_external_id) for i in items] == [
        ("7375100000000000005", "Super initiative, merci !", "comment", "7375000000000000002")
    ]
    params = router.requests[0].url.params
    assert params["comment_ids"] == '["7375100000000000005"]' and params["video_id"] == "7375000000000000002"


def test_hidden_deleted_and_foreign_events_bring_nothing() -> None:
    router = Router()
    tt = make(router)
    assert tt.parse_webhook(delivery(fixture_bytes(__file__, "webhook_comment_hidden.json"), None)) == []
    other = json.loads(fixture_bytes(__file__, "webhook_comment_insert.json"))
    other["user_openid"] = "another-account"
    assert tt.parse_webhook(delivery(json.dumps(other).encode(), None)) == []
    assert tt.parse_webhook(delivery(b"not json", None)) == []
    assert tt.parse_webhook(delivery(b'{"event": "authorization.removed", "content": "{}"}', None)) == []
    assert router.requests == []


# ---------------------------------------------------------------------------------------------
# Through the webhook endpoint: a repeated delivery is acknowledged and nothing is stored twice


@pytest.mark.django_db
def test_endpoint_stores_once_acknowledges_replays_and_refuses_bad_signatures(client: Any, commune: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from beffroi.connectors import runtime
    from beffroi.workspace.models import Account, Item

    router = Router().add("GET", f"{API}/comment/list/", json=load_fixture(__file__, "webhook_comment_lookup.json"))
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.http(retries=0))
    account = Account.objects.create(commune=commune, platform="tiktok", external_id=BID, name="TikTok mairie")
    account.set_credentials({"access_token": "act.x", "client_secret": SECRET})
    account.save()
    body = fixture_bytes(__file__, "webhook_comment_insert.json")
    url = f"/hooks/tiktok/{account.pk}/"
    header = sign(body, SECRET, int(dt.datetime.now(tz=dt.UTC).timestamp()))

    response = client.post(url, body, content_type="application/json", HTTP_TIKTOK_SIGNATURE=header)
    assert response.status_code == 200, response.content
    assert Item.objects.filter(account=account, external_id="7375100000000000005").count() == 1

    # TikTok retrying after a lost 200: acknowledged (or it keeps retrying), nothing stored or read again.
    replay = client.post(url, body, content_type="application/json", HTTP_TIKTOK_SIGNATURE=header)
    assert replay.status_code == 200 and "déjà reçue" in replay.content.decode()
    bad = client.post(url, body, content_type="application/json", HTTP_TIKTOK_SIGNATURE=header.replace("s=", "s=0"))
    assert bad.status_code == 403
    assert Item.objects.filter(account=account).count() == 1
    assert len(router.requests) == 1
