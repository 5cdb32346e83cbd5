"""Alert delivery to the crisis circle: by SMTP to a real local server (aiosmtpd) and by signed webhook
to a real local HTTP server, at once on detection (well within a minute), retried with backoff."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.veille.actions import config
from beffroi.veille.actions import delivery as delivery_actions
from beffroi.veille.models import Alert, AlertDelivery, AlertWebhook, DeliveryState
from tests.veille.conftest import demo_rows
from tests.veille.servers import smtp_server, webhook_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle(watch: Any, make_member: Any) -> dict[str, Any]:
    users = {}
    for username, role, in_circle in (("maire", Role.ELU, True), ("cm", Role.COMMUNITY_MANAGER, True),
                                      ("secretaire", Role.SECRETAIRE, False)):
        user = make_member(watch, role, username=username, in_crisis_circle=in_circle)
        user.email = f"{username}@saint-aubin.example"
        user.save()
        users[username] = user
    return users


@pytest.fixture
def private_webhooks(monkeypatch: Any) -> None:
    monkeypatch.setenv("BEFFROI_VEILLE_WEBHOOK_ALLOW_PRIVATE", "1")


def test_rumour_reaches_the_crisis_circle_by_smtp_within_a_minute(watch, circle, feed, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    with smtp_server() as (inbox, port):
        settings.EMAIL_PORT = port
        feed(watch, demo_rows())
        alert = Alert.objects.get(commune=watch, kind="rumour")
        # Delivered during the ingestion that triggered the detection: nothing waits for a sweep.
        recipients = sorted(r for rcpt, _ in inbox.messages for r in rcpt)
    assert recipients == ["cm@saint-aubin.example", "maire@saint-aubin.example"]  # the circle only
    deliveries = AlertDelivery.objects.filter(alert=alert)
    assert {d.state for d in deliveries} == {DeliveryState.SENT}
    for d in deliveries:
        assert d.delay_seconds is not None and d.delay_seconds < 60
        assert d.sent_at - alert.detected_at < dt.timedelta(minutes=1)
    message = inbox.messages[0][1]
    assert message["Subject"] == "[Beffroi] Alerte rumeur — Saint-Aubin"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert alert.claim in text  # the claim
    assert "message(s) dans la dernière heure" in text  # the velocity
    assert f"/c/saint-aubin/veille/crise/{alert.crisis_id}/" in text and "Ouvrir la cellule de crise" in html  # the link
    first = alert.post_ids[0]
    from beffroi.workspace.models import Item

    assert Item.objects.get(pk=int(first)).url in text  # the first posts
    assert AuditRecord.objects.filter(verb="veille.delivered", commune=watch).count() == 2


def test_delivery_job_is_run_on_detection(watch, circle, feed, mailoutbox, monkeypatch) -> None:
    from beffroi.tasks import registry

    calls: list[tuple[str, dict[str, Any]]] = []
    original = registry.run_task

    def spy(name: str, kwargs: dict[str, Any]) -> Any:
        calls.append((name, dict(kwargs)))
        return original(name, kwargs)

    monkeypatch.setattr(registry, "run_task", spy)
    feed(watch, demo_rows())
    names = [n for n, _ in calls]
    assert "veille.observe" in names and "veille.deliver" in names
    alert = Alert.objects.get(commune=watch, kind="rumour")
    delivered = [kw["delivery_id"] for n, kw in calls if n == "veille.deliver"]
    assert sorted(delivered) == sorted(AlertDelivery.objects.filter(alert=alert).values_list("pk", flat=True))
    assert len(mailoutbox) == 2 and all("rumeur" in m.subject for m in mailoutbox)


def test_signed_webhook_reaches_a_local_server(watch, circle, feed, private_webhooks, mailoutbox) -> None:
    with webhook_server() as receiver:
        _hook, secret = config.save_webhook(watch, circle["maire"], name="SMS astreinte", url=receiver.url, fmt="json")
        _slack, slack_secret = config.save_webhook(watch, None, name="Slack", url=receiver.url + "/slack", fmt="slack")
        feed(watch, demo_rows())
        alert = Alert.objects.get(commune=watch, kind="rumour")
        calls = {c["path"]: c for c in receiver.calls}
    assert set(calls) == {"/hook", "/hook/slack"}
    generic = calls["/hook"]
    headers = generic["headers"]
    assert delivery_actions.verify(secret, headers["X-Beffroi-Timestamp"], generic["body"], headers["X-Beffroi-Signature"])
    assert not delivery_actions.verify("whsec_wrong", headers["X-Beffroi-Timestamp"], generic["body"], headers["X-Beffroi-Signature"])
    tampered = generic["body"].replace(b"rumour", b"spike")
    assert not delivery_actions.verify(secret, headers["X-Beffroi-Timestamp"], tampered, headers["X-Beffroi-Signature"])
    payload = generic["json"]
    assert payload["alert"]["kind"] == "rumour" and payload["alert"]["claim"] == alert.claim
    assert payload["velocity"] == round(alert.velocity, 2)
    assert payload["first_posts"] and payload["first_posts"][0]["url"].startswith("https://")
    assert payload["crisis_url"].endswith(f"/c/saint-aubin/veille/crise/{alert.crisis_id}/")
    s = calls["/hook/slack"]
    assert delivery_actions.verify(slack_secret, s["headers"]["X-Beffroi-Timestamp"], s["body"], s["headers"]["X-Beffroi-Signature"])
    assert "Une rumeur se propage" in s["json"]["text"] and "Cellule de crise" in s["json"]["text"]
    assert AlertDelivery.objects.filter(alert=alert, channel="webhook", state=DeliveryState.SENT).count() == 2


def test_failed_webhook_is_retried_with_backoff(watch, circle, feed, private_webhooks, mailoutbox) -> None:
    with webhook_server() as receiver:
        config.save_webhook(watch, None, name="Passerelle SMS", url=receiver.url, fmt="json")
        receiver.statuses = [503, 502]
        feed(watch, demo_rows())
        d = AlertDelivery.objects.get(channel="webhook")
        assert d.state == DeliveryState.PENDING and d.attempts == 1
        assert "503" in d.last_error
        first_wait = d.next_attempt_at - timezone.now()
        assert dt.timedelta(seconds=5) < first_wait <= dt.timedelta(seconds=13)  # 10 s, spread up to +20 %
        assert delivery_actions.deliver_due() == 0  # not due yet
        delivery_actions.deliver_due(now=d.next_attempt_at + dt.timedelta(seconds=1))
        d.refresh_from_db()
        assert d.state == DeliveryState.PENDING and d.attempts == 2 and "502" in d.last_error
        second_wait = d.next_attempt_at - timezone.now()
        assert second_wait > first_wait  # the wait doubles
        delivery_actions.deliver_due(now=d.next_attempt_at + dt.timedelta(seconds=1))
        d.refresh_from_db()
    assert d.state == DeliveryState.SENT and d.attempts == 3 and d.last_error == ""
    assert len(receiver.calls) == 3
    ids = {c["headers"]["X-Beffroi-Delivery"] for c in receiver.calls}
    assert ids == {f"beffroi-alert-{d.pk}"}  # the same id on every retry: the receiver can deduplicate


def test_refused_webhook_fails_at_once_and_can_be_retried_from_the_screen(watch, circle, feed, private_webhooks, mailoutbox, client) -> None:
    with webhook_server() as receiver:
        config.save_webhook(watch, None, name="Mauvais jeton", url=receiver.url, fmt="json")
        receiver.statuses = [401]
        feed(watch, demo_rows())
        d = AlertDelivery.objects.get(channel="webhook")
        assert d.state == DeliveryState.FAILED and d.attempts == 1
        assert "refusé" in d.last_error
        assert AuditRecord.objects.filter(verb="veille.delivery_failed").exists()
        director = circle["cm"]
        from beffroi.core.models import Membership

        Membership.objects.filter(user=director).update(role=Role.DIRECTION_COM)
        client.force_login(director)
        page = client.get(f"/c/{watch.slug}/veille/reglages/alertes/")
        assert "Mauvais jeton" in page.content.decode() and "refusé" in page.content.decode()
        response = client.post(f"/c/{watch.slug}/veille/reglages/envois/{d.pk}/reessayer/")
        assert response.status_code == 302
        d.refresh_from_db()
    assert d.state == DeliveryState.SENT
    assert AuditRecord.objects.filter(verb="veille.delivery_retry", actor=director).exists()


def test_smtp_down_is_retried_then_marked_failed(watch, circle, feed, settings, monkeypatch) -> None:
    from tests.veille.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens
    settings.EMAIL_USE_TLS = False
    monkeypatch.setenv("BEFFROI_VEILLE_DELIVERY_MAX_ATTEMPTS", "2")
    feed(watch, demo_rows())
    d = AlertDelivery.objects.filter(channel="email").first()
    assert d.state == DeliveryState.PENDING and d.attempts == 1 and "e-mail impossible" in d.last_error
    delivery_actions.deliver_due(now=timezone.now() + dt.timedelta(hours=2))
    d.refresh_from_db()
    assert d.state == DeliveryState.FAILED and d.attempts == 2


def test_webhook_to_the_internal_network_is_refused_by_default(watch) -> None:
    hook, _ = config.save_webhook(watch, None, name="Interne", url="http://127.0.0.1:9/hook", fmt="json")
    with pytest.raises(delivery_actions.DeliveryError) as exc:
        delivery_actions.check_url(hook.url)
    assert "réseau interne" in exc.value.message
    assert AlertWebhook.objects.filter(commune=watch).count() == 1
    assert json.dumps(hook.get_secrets())  # stored encrypted, readable back
    assert hook.signing_secret.startswith("whsec_") and hook.signing_secret not in hook.secrets_encrypted


def test_matrix_webhook_puts_a_room_message_with_the_token(watch, circle, feed, private_webhooks, mailoutbox) -> None:
    with webhook_server() as receiver:
        room_url = receiver.url.replace("/hook", "/_matrix/client/v3/rooms/!cabinet:example.org/send/m.room.message")
        config.save_webhook(watch, None, name="Salon du cabinet", url=room_url, fmt="matrix", matrix_token="syt_jeton")
        feed(watch, demo_rows())
        (call,) = receiver.calls
    d = AlertDelivery.objects.get(channel="webhook")
    assert call["method"] == "PUT" and call["path"].endswith(f"/send/m.room.message/beffroi-alert-{d.pk}")
    assert call["headers"]["Authorization"] == "Bearer syt_jeton"
    assert call["json"]["msgtype"] == "m.text" and "Une rumeur se propage" in call["json"]["body"]
    assert d.state == DeliveryState.SENT
