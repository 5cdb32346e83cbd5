"""X Account Activity API webhooks: CRC, signatures (valid, invalid, replayed), delivery time (stale
deliveries refused), events."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest

from beffroi.connectors.base import AccountConfig, WebhookRejected, WebhookRequest
from beffroi.connectors.models import WebhookReceipt
from beffroi.connectors.testing import Router, fixture_bytes, load_fixture
from beffroi.connectors.x.connector import XConnector
from beffroi.connectors.x.webhooks import crc_response_token, delivery_time, parse_v1_time, sign_body

ME = "1500000000000000001"
SECRET = "consumer-secret-456"
CREDS = {"api_key": "k", "api_secret": SECRET, "access_token": f"{ME}-t", "access_token_secret": "s"}
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)


def make(router: Router | None = None) -> XConnector:
    return XConnector(AccountConfig(platform="x", external_id=ME, credentials=CREDS), http=(router or Router()).client())


def request(method: str, body: bytes = b"", headers: dict[str, str] | None = None, query: dict[str, str] | None = None) -> WebhookRequest:
    return WebhookRequest(method=method, headers=headers or {}, query=query or {}, body=body, received_at=NOW)


def test_crc_challenge_is_answered_with_the_hmac_of_the_consumer_secret() -> None:
    x = make()
    answer = x.verify_webhook(request("GET", query={"crc_token": "9b4507b3-9040-4669-9ca3-6b94edb50553"}), secret=x.webhook_secret())
    assert answer is not None and answer.status == 200 and answer.content_type == "application/json"
    expected = "sha256=" + base64.b64encode(hmac.new(SECRET.encode(), b"9b4507b3-9040-4669-9ca3-6b94edb50553", hashlib.sha256).digest()).decode()
    assert json.loads(answer.body) == {"response_token": expected}
    assert crc_response_token("9b4507b3-9040-4669-9ca3-6b94edb50553", SECRET) == expected


def test_a_crc_request_without_token_is_rejected() -> None:
    with pytest.raises(WebhookRejected):
        make().verify_webhook(request("GET"), secret=SECRET)


def test_signed_deliveries_are_accepted_and_others_rejected() -> None:
    body = fixture_bytes(__file__, "webhook_tweet_create.json")
    x = make()
    assert x.verify_webhook(request("POST", body, {"x-twitter-webhooks-signature": sign_body(body, SECRET)}), secret=SECRET) is None
    for headers in ({}, {"x-twitter-webhooks-signature": "sha256=AAAA"}, {"x-twitter-webhooks-signature": sign_body(body, "other")}):
        with pytest.raises(WebhookRejected):
            x.verify_webhook(request("POST", body, headers), secret=SECRET)
    with pytest.raises(WebhookRejected):
        x.verify_webhook(request("POST", body + b"\n", {"x-twitter-webhooks-signature": sign_body(body, SECRET)}), secret=SECRET)
    with pytest.raises(WebhookRejected):
        x.verify_webhook(request("POST", body, {"x-twitter-webhooks-signature": sign_body(body, "")}), secret="")


def test_tweet_create_events_are_looked_up_and_classified() -> None:
    router = Router().add("GET", "/2/tweets", json=load_fixture(__file__, "webhook_lookup.json"))
    router.routes[("GET", "/2/tweets")].responses.append(__import__("httpx").Response(200, json=load_fixture(__file__, "webhook_roots.json")))
    router.routes[("GET", "/2/tweets")].repeat_last = False
    items = make(router).parse_webhook(request("POST", fixture_bytes(__file__, "webhook_tweet_create.json")))
    (reply,) = items  # the retweet brings no new text
    assert reply.external_id == "1796980000000000500"
    assert reply.kind == "comment" and reply.moderated is None and reply.thread_external_id == "1796900000000000100"
    assert reply.author is not None and reply.author.handle == "@habitante_sa"
    assert router.requests[0].url.params["ids"] == "1796980000000000500"
    assert router.requests[1].url.params["ids"] == "1796900000000000100"


def test_a_delivery_for_another_account_or_without_tweets_brings_nothing() -> None:
    router = Router()
    x = make(router)
    other = json.loads(fixture_bytes(__file__, "webhook_tweet_create.json"))
    other["for_user_id"] = "999"
    assert x.parse_webhook(request("POST", json.dumps(other).encode())) == []
    assert x.parse_webhook(request("POST", b'{"for_user_id": "%s", "favorite_events": []}' % ME.encode())) == []
    assert x.parse_webhook(request("POST", b"garbage")) == []
    assert router.requests == []


def fresh_body(at: dt.datetime) -> bytes:
    """The recorded delivery, its events dated ``at`` (as X dates them: epoch milliseconds)."""
    payload = json.loads(fixture_bytes(__file__, "webhook_tweet_create.json"))
    for event in payload["tweet_create_events"]:
        event["timestamp_ms"] = str(int(at.timestamp() * 1000))
    return json.dumps(payload).encode()


def test_the_delivery_time_is_the_newest_event_time() -> None:
    x = make()
    recorded = request("POST", fixture_bytes(__file__, "webhook_tweet_create.json"))
    assert x.webhook_timestamp(recorded) == dt.datetime(2024, 6, 2, 9, 31, tzinfo=dt.UTC)  # the retweet, a minute later
    follow = {
        "for_user_id": ME,
        "follow_events": [{"type": "follow", "created_timestamp": "1517588749178", "target": {}, "source": {}}],
    }
    assert delivery_time(json.dumps(follow).encode()) == dt.datetime.fromtimestamp(1517588749.178, tz=dt.UTC)
    only_v1_date = {"for_user_id": ME, "tweet_create_events": [{"id_str": "1", "created_at": "Sun Jun 02 09:30:00 +0000 2024"}]}
    assert delivery_time(json.dumps(only_v1_date).encode()) == dt.datetime(2024, 6, 2, 9, 30, tzinfo=dt.UTC)
    # No time at all: the delivery relies on its receipt alone (the endpoint cannot call it stale).
    assert x.webhook_timestamp(request("POST", json.dumps({"for_user_id": ME, "tweet_create_events": [{"id_str": "1"}]}).encode())) is None
    assert delivery_time(b"garbage") is None and delivery_time(b"[]") is None


def test_v1_dates() -> None:
    assert parse_v1_time("Sun Jun 02 09:30:00 +0000 2024") == dt.datetime(2024, 6, 2, 9, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_the_endpoint_answers_crc_and_acknowledges_replays_once(client: Any, commune: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from beffroi.connectors import runtime
    from beffroi.workspace.models import Account, Item

    router = Router().add("GET", "/2/tweets", json=load_fixture(__file__, "webhook_lookup.json"))
    router.routes[("GET", "/2/tweets")].responses.append(__import__("httpx").Response(200, json=load_fixture(__file__, "webhook_roots.json")))
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.client())
    account = Account.objects.create(commune=commune, platform="x", external_id=ME, name="X mairie")
    account.set_credentials(CREDS)
    account.save()
    url = f"/hooks/x/{account.pk}/"

    crc = client.get(url, {"crc_token": "abc"})
    assert crc.status_code == 200 and json.loads(crc.content) == {"response_token": crc_response_token("abc", SECRET)}

    body = fresh_body(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    signature = sign_body(body, SECRET)
    first = client.post(url, body, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=signature)
    assert first.status_code == 200
    assert Item.objects.filter(account=account, external_id="1796980000000000500").count() == 1
    # X retrying after a lost answer: acknowledged, nothing stored again.
    replay = client.post(url, body, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=signature)
    assert replay.status_code == 200 and "déjà reçue" in replay.content.decode()
    forged = client.post(url, body, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=sign_body(body, "nope"))
    assert forged.status_code == 403
    assert Item.objects.filter(account=account).count() == 1
    assert WebhookReceipt.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_the_endpoint_refuses_a_stale_x_delivery(client: Any, commune: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from beffroi.connectors import runtime
    from beffroi.workspace.models import Account, Item

    router = Router()
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.client())
    account = Account.objects.create(commune=commune, platform="x", external_id=ME, name="X mairie")
    account.set_credentials(CREDS)
    account.save()
    body = fresh_body(dt.datetime.now(dt.UTC) - dt.timedelta(days=3))  # older than WEBHOOK_MAX_AGE_HOURS (48)
    stale = client.post(
        f"/hooks/x/{account.pk}/", body, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=sign_body(body, SECRET)
    )
    assert stale.status_code == 403 and "trop ancienne" in stale.content.decode()
    assert Item.objects.count() == 0 and WebhookReceipt.objects.count() == 0 and router.requests == []
