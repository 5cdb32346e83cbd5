"""The outbox: a decision is recorded before it is sent, applied at least once, never twice, retried
with backoff, Retry-After honoured, its state shown — checked against the real test platform (a
local HTTP service) with crashes simulated at the two dangerous points."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from beffroi.connectors.testplatform import Fault
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.workspace.actions import outbox
from beffroi.workspace.actions.decisions import do_hide_item, do_reply
from beffroi.workspace.models import AccountStatus, Item, OutboxEntry, OutboxState, PlatformState
from tests.workspace.conftest import make_account

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


class Crash(BaseException):
    """A process dying at this exact point (not an Exception: nothing catches it)."""


def expire(entry: OutboxEntry) -> None:
    """Time passes: the entry's lease or its backoff is over."""
    past = timezone.now() - dt.timedelta(seconds=1)
    OutboxEntry.objects.filter(pk=entry.pk).update(locked_until=past, next_attempt_at=past)


def test_decision_is_recorded_before_it_is_sent_and_applied_after_commit(
    commune, make_member, make_item, platform, django_capture_on_commit_callbacks
) -> None:
    moderator = make_member(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Espèce de guignol", labels=("insult",), action="hide")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decisions = do_hide_item(item, moderator)
        entry = OutboxEntry.objects.get(decision=decisions[0])
        # Recorded, not sent: the platform has not seen anything yet.
        assert entry.state == OutboxState.PENDING
        assert entry.idempotency_key.startswith(f"beffroi-{commune.pk}-")
        assert platform.store.requests == []
    assert len(callbacks) == 1
    callbacks[0]()  # the transaction committed: delivery starts
    entry.refresh_from_db()
    item.refresh_from_db()
    assert entry.state == OutboxState.APPLIED and entry.state_label == "appliquée"
    assert entry.attempts == 1
    assert platform.store.objects[item.external_id]["hidden"] is True
    assert platform.store.applied[("hide", item.external_id)] == 1
    assert item.platform_state == PlatformState.HIDDEN
    assert AuditRecord.objects.filter(verb="outbox.applied", target_id=str(entry.pk)).exists()


def test_crash_between_record_and_send_is_recovered_by_the_sweeper(commune, make_member, make_item, platform) -> None:
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Encore un message de spam", labels=("spam",), action="hide")
    # The process dies right after the commit: the on-commit delivery never runs (a plain test
    # transaction never runs on-commit callbacks), only the recorded entry remains.
    decisions = do_hide_item(item, moderator)
    entry = OutboxEntry.objects.get(decision=decisions[0])
    assert entry.state == OutboxState.PENDING
    assert platform.store.requests == []
    result = outbox.sweep()
    assert result.due == 1
    entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED
    assert platform.store.applied[("hide", item.external_id)] == 1
    # A second sweep finds nothing to do.
    assert outbox.sweep().due == 0
    assert platform.store.applied[("hide", item.external_id)] == 1


def test_crash_after_send_before_success_is_recorded_never_replies_twice(
    commune, make_member, make_item, platform, monkeypatch
) -> None:
    platform.store.honour_idempotency_keys = False  # like real networks: the same reply twice = two replies
    moderator = make_member(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Quand ouvre la déchetterie ?", labels=("question",), status="todo")
    decision = do_reply(item, moderator, "Bonjour, la déchetterie ouvre à 9 h.")
    entry = OutboxEntry.objects.get(decision=decision)

    real_mark_applied = outbox._mark_applied

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise Crash()

    monkeypatch.setattr(outbox, "_mark_applied", crash)
    with pytest.raises(Crash):
        outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.SENDING  # the worker died holding it
    assert len(platform.store.replies_of(item.external_id)) == 1  # the platform DID apply it

    monkeypatch.setattr(outbox, "_mark_applied", real_mark_applied)
    assert outbox.sweep().stale == 0  # lease not over yet: nobody steals it
    expire(entry)
    assert outbox.sweep().stale == 1
    entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED
    assert entry.result["reconciled"] is True
    replies = platform.store.replies_of(item.external_id)
    assert len(replies) == 1, "the reply was posted twice"
    assert platform.store.applied[("reply", item.external_id)] == 1
    assert entry.result["remote_id"] == replies[0]["id"]
    decision.refresh_from_db()
    assert decision.data["remote_id"] == replies[0]["id"]


@pytest.mark.parametrize("fault", ["apply_then_500", "apply_then_drop"])
def test_lost_response_after_apply_is_reconciled_not_reposted(commune, make_member, make_item, platform, fault) -> None:
    platform.store.honour_idempotency_keys = False
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Merci pour la fête de la musique !", labels=("praise",), status="todo")
    decision = do_reply(item, moderator, "Merci à vous !")
    entry = OutboxEntry.objects.get(decision=decision)
    platform.store.inject(Fault(fault, action="reply"))
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.PENDING and entry.error_kind == outbox.TRANSIENT
    assert entry.state_label == "en attente"
    assert len(platform.store.replies_of(item.external_id)) == 1
    expire(entry)
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED and entry.result.get("reconciled") is True
    assert len(platform.store.replies_of(item.external_id)) == 1
    assert platform.store.applied[("reply", item.external_id)] == 1


def test_reconciliation_that_cannot_tell_stops_for_a_person(commune, make_member, make_item, platform, monkeypatch) -> None:
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Où trouver le formulaire ?", labels=("question",), status="todo")
    entry = OutboxEntry.objects.get(decision=do_reply(item, moderator, "Sur le site de la mairie."))
    platform.store.inject(Fault("apply_then_500", action="reply"))
    outbox.deliver(entry.pk)
    expire(entry)
    from beffroi.connectors.replay.connector import ReplayConnector

    monkeypatch.setattr(ReplayConnector, "reconcile", lambda self, request: None)  # a platform that cannot tell
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.FAILED and entry.error_kind == outbox.UNCERTAIN
    assert "Vérifiez sur la plateforme" in entry.last_error
    assert len(platform.store.replies_of(item.external_id)) == 1  # not reposted blindly
    # A person checked: "Réessayer" sends it again without reconciliation.
    outbox.retry(entry, moderator)
    entry.refresh_from_db()
    assert entry.state == OutboxState.PENDING and entry.attempts == 0


def test_idempotent_action_is_simply_sent_again_after_a_crash(commune, make_member, make_item, platform, monkeypatch) -> None:
    moderator = make_member(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Sale type", labels=("insult",), action="hide")
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    monkeypatch.setattr(outbox, "_mark_applied", lambda *a, **k: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        outbox.deliver(entry.pk)
    monkeypatch.undo()
    expire(entry)
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED and entry.attempts == 2
    assert platform.store.requests.count(("hide", item.external_id)) == 2  # sent twice …
    assert platform.store.applied[("hide", item.external_id)] == 1  # … applied once (idempotency key)


def test_transient_failures_back_off_exponentially_then_fail(commune, make_member, make_item, platform, settings) -> None:
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Bande de nuls", labels=("insult",), action="hide")
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    platform.store.inject(Fault("503", action="hide", times=100))
    delays = []
    for attempt in range(1, entry.max_attempts + 1):
        before = timezone.now()
        outbox.deliver(entry.pk)
        entry.refresh_from_db()
        assert entry.attempts == attempt
        if entry.state == OutboxState.PENDING:
            delays.append((entry.next_attempt_at - before).total_seconds())
            expire(entry)
    assert entry.state == OutboxState.FAILED
    assert entry.state_label == "échouée — réessayer"
    assert "nouvel essai plus tard" in entry.last_error
    # 30 s, 60 s, 120 s … (plus up to 20 % spread), capped at one hour.
    for n, delay in enumerate(delays, start=1):
        expected = min(3600, 30 * 2 ** (n - 1))
        assert expected - 1 <= delay <= expected * 1.2 + 1, (n, delay)
    assert AuditRecord.objects.filter(verb="outbox.failed", target_id=str(entry.pk)).count() == 1
    # The platform never hid it; "Réessayer" sends it again once the platform is back.
    platform.store.faults.clear()
    outbox.retry(entry, moderator)
    entry.refresh_from_db()
    assert entry.state == OutboxState.PENDING
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED


def test_retry_after_is_honoured(commune, make_member, make_item, platform) -> None:
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Idiot", labels=("insult",), action="hide")
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    platform.store.inject(Fault("429", action="hide", retry_after=900))
    before = timezone.now()
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.PENDING and entry.error_kind == outbox.RATE_LIMITED
    assert entry.next_attempt_at >= before + dt.timedelta(seconds=900)
    requests = len(platform.store.requests)
    # Before Retry-After is over, neither a worker nor the sweeper touches the platform.
    assert outbox.deliver(entry.pk) is None
    assert outbox.sweep().due == 0
    assert len(platform.store.requests) == requests
    # The limit concerns the whole account: the sync and the other actions wait too.
    from beffroi.connectors.ratestate import blocked_until

    account = item.account
    account.refresh_from_db()
    assert blocked_until(account) >= before + dt.timedelta(seconds=900)
    other = make_item("Abruti", labels=("insult",), action="hide")
    other_entry = OutboxEntry.objects.get(decision=do_hide_item(other, moderator)[0])
    outbox.deliver(other_entry.pk)
    other_entry.refresh_from_db()
    assert other_entry.state == OutboxState.PENDING and other_entry.attempts == 0
    assert len(platform.store.requests) == requests
    # Time passes for the entry and the account.
    account.rate_state = {**account.rate_state, "blocked_until": (timezone.now() - dt.timedelta(seconds=1)).isoformat()}
    account.save(update_fields=["rate_state"])
    expire(entry)
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED
    assert platform.store.applied[("hide", item.external_id)] == 1


def test_rate_limits_wait_without_spending_attempts_and_usage_is_counted_per_account(
    commune, make_member, make_item, platform
) -> None:
    from beffroi.connectors.ratestate import blocked_until

    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Idiot", labels=("insult",), action="hide")
    account = item.account
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    limited = entry.max_attempts + 2  # more "too many requests" than the entry has attempts
    fault = Fault("429", action="hide", retry_after=900, times=limited)
    platform.store.inject(fault)
    for n in range(limited):
        before = timezone.now()
        outbox.deliver(entry.pk)
        assert fault.times == limited - n - 1  # it did ask the platform, which said "too many"
        entry.refresh_from_db()
        account.refresh_from_db()
        assert entry.state == OutboxState.PENDING and entry.error_kind == outbox.RATE_LIMITED
        assert entry.attempts == 0  # waiting for the platform is not a failed attempt
        assert entry.next_attempt_at >= before + dt.timedelta(seconds=900)
        assert blocked_until(account) >= before + dt.timedelta(seconds=900)
        # Retry-After is over for the entry and the account.
        past = (timezone.now() - dt.timedelta(seconds=1)).isoformat()
        type(account).objects.filter(pk=account.pk).update(rate_state={**account.rate_state, "blocked_until": past})
        expire(entry)
    account.refresh_from_db()
    assert account.rate_state["rate_limited_count"] == limited
    calls = account.rate_state["calls_today"]
    assert calls >= limited  # every call the outbox made is counted on the account
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    account.refresh_from_db()
    assert entry.state == OutboxState.APPLIED and entry.attempts == 1
    assert platform.store.applied[("hide", item.external_id)] == 1
    assert account.rate_state["calls_today"] > calls


def test_expired_token_breaks_the_account_and_the_action_resumes_after_reconnection(
    commune, make_member, make_item, platform
) -> None:
    director = make_member(commune, Role.DIRECTION_COM)
    director.email = "direction@saint-aubin.example"
    director.save()
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Crétin", labels=("insult",), action="hide")
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    platform.store.inject(Fault("401", action="hide"))
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    account = item.account
    account.refresh_from_db()
    assert entry.state == OutboxState.FAILED and entry.error_kind == outbox.AUTH
    assert entry.attempts == 0  # waits for the reconnection without spending an attempt
    assert account.status == AccountStatus.BROKEN and "Connexion cassée" in account.status_detail
    assert len(mail.outbox) == 1 and "connexion" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["direction@saint-aubin.example"]
    assert AuditRecord.objects.filter(verb="account.broken", target_id=str(account.pk)).count() == 1
    # While broken, nothing is sent with the refused token (no second e-mail either) …
    second = make_item("Bouffon", labels=("insult",), action="hide")
    second_entry = OutboxEntry.objects.get(decision=do_hide_item(second, moderator)[0])
    requests = len(platform.store.requests)
    outbox.deliver(second_entry.pk)
    second_entry.refresh_from_db()
    assert second_entry.state == OutboxState.FAILED and second_entry.error_kind == outbox.AUTH
    assert len(platform.store.requests) == requests and len(mail.outbox) == 1
    # … the sweeper leaves them alone and "Réessayer" explains why.
    assert outbox.sweep().reconnected == 0
    from beffroi.workspace.actions.checks import ActionError

    with pytest.raises(ActionError, match="reconnectez"):
        outbox.retry(entry, moderator)
    from beffroi.connectors.notify import connection_restored

    connection_restored(account)
    assert outbox.sweep().reconnected == 2
    entry.refresh_from_db()
    second_entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED and second_entry.state == OutboxState.APPLIED
    assert platform.store.objects[item.external_id]["hidden"] is True
    assert platform.store.objects[second.external_id]["hidden"] is True


def test_platform_refusal_fails_with_its_french_reason(commune, make_member, make_item, platform) -> None:
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Nul", labels=("insult",), action="hide")
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    platform.store.objects[item.external_id]["from_page"] = True  # the platform refuses to hide it
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.FAILED and entry.error_kind == outbox.REFUSED
    assert entry.attempts == 1
    assert entry.last_error == "La plateforme ne permet pas cette action sur cet élément."


def test_deleted_on_the_platform_meanwhile(commune, make_member, make_item, platform) -> None:
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Dégage", labels=("insult",), action="hide")
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    platform.store.objects[item.external_id]["deleted"] = True
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    item.refresh_from_db()
    assert entry.state == OutboxState.FAILED
    assert item.platform_state == PlatformState.DELETED


def test_two_workers_never_send_the_same_entry(commune, make_member, make_item, platform) -> None:
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Abruti", labels=("insult",), action="hide")
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    first = outbox.claim(entry.pk)
    assert first is not None
    assert outbox.claim(entry.pk) is None  # the other worker gets nothing
    assert outbox.deliver(entry.pk) is None


def test_entries_of_one_item_are_applied_in_order(commune, make_member, make_item, platform) -> None:
    moderator = make_member(commune, Role.SECRETAIRE)
    item = make_item("Guignol", labels=("insult",), action="hide")
    hide = OutboxEntry.objects.get(decision=do_hide_item(item, moderator)[0])
    platform.store.inject(Fault("503", action="hide"))
    outbox.deliver(hide.pk)  # fails once, will retry later
    from beffroi.workspace.actions.undo import do_undo

    do_undo(hide.decision, moderator)  # in doubt (an attempt was made): an "unhide" is recorded
    unhide = OutboxEntry.objects.exclude(pk=hide.pk).get(item=item)
    assert unhide.action == "unhide"
    assert outbox.deliver(unhide.pk) is None  # waits for the hide before it
    expire(hide)
    outbox.deliver(hide.pk)
    expire(unhide)
    outbox.deliver(unhide.pk)
    assert [a for a, t in platform.store.requests if t == item.external_id][-2:] == ["hide", "unhide"]
    assert platform.store.objects[item.external_id]["hidden"] is False


def test_states_are_shown_on_the_item_screen(client_as, commune, make_item, platform) -> None:
    client = client_as(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Imbécile", labels=("insult",), action="hide")
    do_hide_item(item, client.user)
    page = client.get(f"/c/{commune.slug}/element/{item.pk}/").content.decode()
    assert "en attente" in page
    entry = OutboxEntry.objects.get(item=item)
    platform.store.inject(Fault("500", action="hide", times=50))
    OutboxEntry.objects.filter(pk=entry.pk).update(max_attempts=1)
    outbox.deliver(entry.pk)
    page = client.get(f"/c/{commune.slug}/element/{item.pk}/").content.decode()
    assert "échouée — réessayer" in page and "Réessayer" in page
    platform.store.faults.clear()
    response = client.post(f"/c/{commune.slug}/envois/{entry.pk}/reessayer/")
    assert response.status_code == 302
    outbox.deliver(entry.pk)
    page = client.get(f"/c/{commune.slug}/element/{item.pk}/").content.decode()
    assert "appliquée" in page


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_sending_never_makes_the_platform_apply_twice(commune, make_member, platform, monkeypatch) -> None:
    """A real process, killed (os._exit) right after the platform answered, before recording it."""
    from beffroi.tasks.models import Job
    from beffroi.workspace.models import Author, Verdict

    monkeypatch.setenv("BEFFROI_TASKS_EAGER", "0")  # the delivery job is queued for a worker

    platform.store.honour_idempotency_keys = False
    account = make_account(commune, platform)
    moderator = make_member(commune, Role.COMMUNITY_MANAGER)
    obj = platform.store.add_comment("post-1", "Bonjour, à quelle heure ouvre la mairie ?", author={"id": "u-9", "name": "Lou"})
    author = Author.objects.create(commune=commune, platform="replay", external_id="u-9", display_name="Lou")
    item = Item.objects.create(
        commune=commune, account=account, platform="replay", external_id=obj["id"], author=author, text=obj["text"],
        published_at=timezone.now(), first_seen_at=timezone.now(), status="todo",
    )
    item.current_verdict = Verdict.objects.create(item=item, labels=["question"], action="keep")
    item.save()
    decision = do_reply(item, moderator, "À 8 h 30.")
    entry = OutboxEntry.objects.get(decision=decision)
    job = Job.objects.get(name="workspace.outbox_deliver")  # what the killed worker runs below
    assert job.kwargs == {"entry_id": entry.pk}
    code = textwrap.dedent(
        f"""
        import os, django
        django.setup()
        from beffroi.workspace.actions import outbox
        outbox._mark_applied = lambda *a, **k: os._exit(137)
        from beffroi.tasks import run_task
        run_task("workspace.outbox_deliver", {{"entry_id": {entry.pk}}})
        """
    )
    s = connection.settings_dict
    db_url = f"sqlite:///{s['NAME']}" if s["ENGINE"].endswith("sqlite3") else (
        f"postgresql://{s.get('USER') or 'postgres'}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
    )
    env = {**os.environ, "BEFFROI_DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "beffroi.web.settings",
           "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, timeout=60)
    assert done.returncode == 137, done.stderr.decode()[-2000:]
    entry.refresh_from_db()
    assert entry.state == OutboxState.SENDING
    assert len(platform.store.replies_of(item.external_id)) == 1
    expire(entry)
    monkeypatch.setenv("BEFFROI_TASKS_EAGER", "1")
    outbox.sweep()
    entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED and entry.result["reconciled"] is True
    assert len(platform.store.replies_of(item.external_id)) == 1


@pytest.mark.django_db(transaction=True)
def test_several_worker_processes_apply_every_reply_exactly_once(commune, make_member, platform, monkeypatch) -> None:
    """Three processes send the same queue at once while the platform fails at random (some
    answers lost after applying): every reply ends up applied, none twice."""
    from beffroi.workspace.models import Author, Verdict

    monkeypatch.setenv("BEFFROI_TASKS_EAGER", "0")
    platform.store.honour_idempotency_keys = False
    account = make_account(commune, platform)
    moderator = make_member(commune, Role.COMMUNITY_MANAGER)
    author = Author.objects.create(commune=commune, platform="replay", external_id="u-1", display_name="Lou")
    targets = []
    for n in range(16):
        obj = platform.store.add_comment("post-1", f"Question {n} ?", author={"id": "u-1"})
        item = Item.objects.create(
            commune=commune, account=account, platform="replay", external_id=obj["id"], author=author, text=obj["text"],
            published_at=timezone.now(), first_seen_at=timezone.now(), status="todo",
        )
        item.current_verdict = Verdict.objects.create(item=item, labels=["question"], action="keep")
        item.save()
        do_reply(item, moderator, f"Réponse {n}")
        targets.append(obj["id"])
    platform.store.inject(Fault("apply_then_500", action="reply", times=4))
    platform.store.inject(Fault("503", action="reply", times=4))
    platform.store.inject(Fault("apply_then_drop", action="reply", times=2))
    code = textwrap.dedent(
        """
        import time, django
        django.setup()
        from django.db import OperationalError
        from django.utils import timezone
        from beffroi.workspace.actions import outbox
        from beffroi.workspace.models import OutboxEntry
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                left = OutboxEntry.objects.exclude(state__in=["applied", "failed", "cancelled"]).count()
                if not left:
                    break
                due = list(OutboxEntry.objects.filter(state__in=["pending", "sending"]).values_list("id", flat=True))
                for entry_id in due:
                    outbox.deliver(entry_id)
            except OperationalError:
                pass  # SQLite busy: try again
            time.sleep(0.1)
        """
    )
    s = connection.settings_dict
    db_url = f"sqlite:///{s['NAME']}" if s["ENGINE"].endswith("sqlite3") else (
        f"postgresql://{s.get('USER') or 'postgres'}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
    )
    env = {**os.environ, "BEFFROI_DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "beffroi.web.settings",
           "PYTHONPATH": str(REPO / "src"), "BEFFROI_OUTBOX_BACKOFF_SECONDS": "1", "BEFFROI_OUTBOX_BACKOFF_MAX_SECONDS": "2",
           "BEFFROI_OUTBOX_LEASE_SECONDS": "3"}
    workers = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=REPO) for _ in range(3)]
    for worker in workers:
        assert worker.wait(timeout=150) == 0
    states = list(OutboxEntry.objects.values_list("state", flat=True))
    assert states == ["applied"] * 16, states
    for target in targets:
        assert len(platform.store.replies_of(target)) == 1, target
        assert platform.store.applied[("reply", target)] == 1
    assert sum(1 for e in OutboxEntry.objects.all() if e.result.get("reconciled")) >= 4  # lost answers found back
