"""Every new item is judged by the real engine at once and routed by the commune's charter: hidden
automatically only where the charter's per-label automatic flag allows it, else sent to review with a
working-hours deadline; on-call alerts, reminders and escalation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from beffroi.connectors.base import FetchedAuthor, FetchedItem
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.domain.deadlines import add_working_hours
from beffroi.workspace.actions.deadlines import schedule_for, sweep_deadlines, sweep_oncall
from beffroi.workspace.actions.ingest import do_ingest_item
from beffroi.workspace.actions.judging import forget_engines
from beffroi.workspace.models import (
    Charter,
    Decision,
    Item,
    ItemStatus,
    OnCallShift,
    OutboxEntry,
    PlatformState,
)
from tests.workspace.conftest import make_account

pytestmark = pytest.mark.django_db

counter = {"n": 0}


@pytest.fixture(autouse=True)
def _fresh_engines() -> Any:
    forget_engines()
    yield
    forget_engines()


def fetched(text: str, *, author: str = "u-1", parent: str = "post-1") -> FetchedItem:
    counter["n"] += 1
    return FetchedItem(
        external_id=f"c-ing-{counter['n']}",
        kind="comment",
        text=text,
        published_at=timezone.now(),
        author=FetchedAuthor(external_id=author, display_name="Max Martin"),
        parent_external_id=parent,
    )


def ingest(commune: Any, account: Any, platform: Any, text: str, **kw: Any) -> Item:
    item_in = fetched(text, **kw)
    platform.store.add_comment("post-1", text, comment_id=item_in.external_id, author={"id": kw.get("author", "u-1")})
    item, created = do_ingest_item(commune=commune, fetched=item_in, account=account)
    assert created
    item.refresh_from_db()
    return item


def use_charter(commune: Any, **automatic: bool) -> None:
    """Store a charter version where the given labels act automatically or not (the others never do:
    the workspace default)."""
    from beffroi.domain.moderation import charter as charter_module
    from beffroi.domain.moderation.types import Label
    from beffroi.workspace.actions.charter import workspace_default_charter

    base = workspace_default_charter()
    policies = dict(base.policies)
    for label, flag in automatic.items():
        policies[Label(label)] = dataclasses.replace(policies[Label(label)], automatic=flag)
    charter = dataclasses.replace(base, policies=policies)
    Charter.objects.create(commune=commune, version=1, content=charter_module.dumps(charter), digest=charter.version)
    forget_engines()


def test_new_item_is_judged_and_hidden_automatically_when_the_charter_allows(
    commune, account, platform, make_member, django_capture_on_commit_callbacks
) -> None:
    use_charter(commune, insult=True)  # the commune turned automatic hiding on for insults
    with django_capture_on_commit_callbacks(execute=True):
        item = ingest(commune, account, platform, "Espèce de connard, dégage")
    item.refresh_from_db()  # the hide was sent once the ingestion committed
    verdict = item.current_verdict
    assert verdict is not None and "insult" in verdict.labels and verdict.action == "hide"
    assert any(ev["text"].lower().startswith("connard") for r in verdict.reasons for ev in r["evidence"])
    decision = Decision.objects.get(item=item)
    assert decision.kind == "hide" and decision.automatic and decision.actor is None
    assert decision.article == verdict.article
    assert item.status == ItemStatus.DONE and item.platform_state == PlatformState.HIDDEN
    assert platform.store.objects[item.external_id]["hidden"] is True
    assert AuditRecord.objects.get(verb="decision.hide", target_id=str(decision.pk)).actor_label == "Beffroi (automatique)"
    # Undoing the automatic hide puts it back in review, with its deadline.
    from beffroi.workspace.actions.undo import do_undo

    do_undo(decision, make_member(commune, Role.COMMUNITY_MANAGER))
    item.refresh_from_db()
    assert item.status == ItemStatus.REVIEW and item.deadline_at is not None


def test_automatic_hiding_is_opt_in_a_commune_that_never_enabled_it_gets_review(
    commune, account, platform, django_capture_on_commit_callbacks
) -> None:
    """No charter saved: the workspace default, where no label hides without a person (the engine's
    own default.toml, made for ``beffroi classify``, would hide insults automatically)."""
    from beffroi.domain.moderation import default_charter
    from beffroi.domain.moderation.types import Label
    from beffroi.workspace.actions.charter import current_charter, ensure_published_default, form_values
    from beffroi.workspace.actions.verdicts import automatic_labels

    assert default_charter().policy(Label("insult")).automatic  # the CLI default acts alone …
    assert not Charter.objects.filter(commune=commune).exists()
    assert automatic_labels(commune) == set()  # … the commune's default does not
    assert not any(row["automatic"] for row in form_values(current_charter(commune))["labels"])
    with django_capture_on_commit_callbacks(execute=True):
        item = ingest(commune, account, platform, "Espèce de connard, dégage")
    item.refresh_from_db()
    assert "insult" in item.current_verdict.labels and item.current_verdict.action == "review"
    assert not Decision.objects.filter(item=item).exists() and not OutboxEntry.objects.filter(item=item).exists()
    assert item.status == ItemStatus.REVIEW and item.platform_state == PlatformState.VISIBLE
    assert platform.store.objects[item.external_id].get("hidden") is not True
    # The published default (new communes) is opt-in too, unless labels are named.
    row = ensure_published_default(commune)
    assert "automatic = true" not in row.content
    forget_engines()
    assert automatic_labels(commune) == set()


def test_without_the_automatic_flag_a_person_decides(commune, account, platform) -> None:
    use_charter(commune, insult=False)
    item = ingest(commune, account, platform, "Espèce de connard, dégage")
    assert item.current_verdict.action == "review"
    assert not Decision.objects.filter(item=item).exists()
    assert item.status == ItemStatus.REVIEW
    expected = add_working_hours(item.first_seen_at, commune.review_deadline_hours, schedule_for(commune))
    assert item.deadline_at == expected


def test_several_labels_hide_alone_only_if_each_one_may(commune, account, platform) -> None:
    use_charter(commune, insult=True, threat=False)
    item = ingest(commune, account, platform, "je vais te tuer sale con")
    assert {"insult", "threat"} <= set(item.current_verdict.labels)
    assert not Decision.objects.filter(item=item).exists()
    assert item.status == ItemStatus.REVIEW


def test_questions_and_praise_are_things_to_do_criticism_is_kept(commune, account, platform) -> None:
    question = ingest(commune, account, platform, "Bonjour, à quelle heure ouvre la piscine le dimanche ?")
    assert "question" in question.current_verdict.labels
    assert question.status == ItemStatus.TODO and question.deadline_at is not None
    praise = ingest(commune, account, platform, "Bravo et merci aux services techniques pour le déneigement rapide ce matin.")
    assert "praise" in praise.current_verdict.labels and praise.current_verdict.action == "keep"
    assert praise.status == ItemStatus.TODO and praise.deadline_at is not None  # to thank
    criticism = ingest(commune, account, platform, "Je trouve que ce projet de parking coûte bien trop cher à la commune.")
    assert "criticism" in criticism.current_verdict.labels and criticism.current_verdict.action == "keep"
    # Criticism is never hidden nor sent to review: nothing to do, no deadline, no decision.
    assert criticism.status == ItemStatus.DONE and criticism.deadline_at is None
    assert not Decision.objects.filter(item__in=[question, praise, criticism]).exists()


def test_part_time_commune_deadline_skips_days_off_and_a_public_holiday(commune, account, platform) -> None:
    """A secretary present Monday to Thursday, 9:00-17:00; a 4-working-hour deadline. Seen on Thursday
    17 April 2025 at 16:00: one hour left that day; Friday is not worked, then the weekend, then Easter
    Monday (21 April, a public holiday); the three remaining hours are on Tuesday 22 April, 9:00-12:00."""
    paris = ZoneInfo("Europe/Paris")
    commune.working_days = [0, 1, 2, 3]
    commune.work_start, commune.work_end = dt.time(9), dt.time(17)
    commune.review_deadline_hours = 4
    commune.save()
    seen = dt.datetime(2025, 4, 17, 16, 0, tzinfo=paris)
    expected = dt.datetime(2025, 4, 22, 12, 0, tzinfo=paris)
    for text, status in [
        ("Espèce de connard, dégage", ItemStatus.REVIEW),
        ("Bonjour, à quelle heure ouvre la piscine le dimanche ?", ItemStatus.TODO),
    ]:
        item_in = fetched(text)
        platform.store.add_comment("post-1", text, comment_id=item_in.external_id, author={"id": "u-1"})
        item, created = do_ingest_item(commune=commune, fetched=item_in, account=account, first_seen_at=seen)
        assert created
        item.refresh_from_db()
        assert item.status == status
        assert item.deadline_at == expected, (text, item.deadline_at.astimezone(paris))
        assert not item.oncall


def test_a_platform_that_cannot_hide_sends_the_item_to_review(commune, platform) -> None:
    use_charter(commune, insult=True)
    account = make_account(commune, platform, capabilities=["fetch", "reply"], label="Réseau sans masquage")
    item = ingest(commune, account, platform, "Espèce de connard, dégage")
    assert item.current_verdict.action == "hide"
    assert item.status == ItemStatus.REVIEW
    assert not OutboxEntry.objects.filter(item=item).exists()
    skipped = AuditRecord.objects.get(verb="decision.automatic_skipped")
    assert "Réseau sans masquage" in skipped.data["reason"]


def test_blocked_authors_new_messages_go_to_review(commune, account, platform) -> None:
    first = ingest(commune, account, platform, "Bonne journée à tous", author="u-77")
    first.author.is_blocked = True
    first.author.save()
    second = ingest(commune, account, platform, "Encore moi, bonne journée", author="u-77")
    assert second.status == ItemStatus.REVIEW


def test_an_edit_on_the_platform_is_judged_again(commune, account, platform) -> None:
    use_charter(commune, insult=False)
    item = ingest(commune, account, platform, "Bonne idée ce marché")
    assert item.status in (ItemStatus.DONE, ItemStatus.TODO)
    edited = FetchedItem(
        external_id=item.external_id, kind="comment", text="Bande de connards", published_at=item.published_at,
        author=FetchedAuthor(external_id="u-1"), parent_external_id="post-1",
    )
    same, created = do_ingest_item(commune=commune, fetched=edited, account=account)
    assert not created
    same.refresh_from_db()
    assert same.status == ItemStatus.REVIEW and same.verdicts.count() == 2
    assert AuditRecord.objects.filter(verb="item.edited_on_platform", target_id=str(item.pk)).exists()


def _team(commune: Any, make_member: Any) -> tuple[Any, Any, Any]:
    director = make_member(commune, Role.DIRECTION_COM)
    director.email = "direction@example.org"
    director.save()
    secretary = make_member(commune, Role.SECRETAIRE)
    secretary.email = "secretariat@example.org"
    secretary.save()
    mayor = make_member(commune, Role.ELU, in_crisis_circle=True)
    mayor.email = "maire@example.org"
    mayor.save()
    return director, secretary, mayor


def test_hate_outside_working_hours_alerts_on_call_and_crisis_circle(
    commune, account, platform, make_member, django_capture_on_commit_callbacks
) -> None:
    _director, secretary, _mayor = _team(commune, make_member)
    OnCallShift.objects.create(commune=commune, user=secretary, starts_at=timezone.now() - dt.timedelta(hours=1))
    # The team works only on a day that is not today: now is outside working hours.
    commune.working_days = [(timezone.localdate().weekday() + 3) % 7]
    commune.oncall_enabled = True
    commune.oncall_deadline_hours = 4
    commune.save()
    use_charter(commune, hate=False)
    with django_capture_on_commit_callbacks(execute=True):
        item = ingest(commune, account, platform, "Les arabes dehors, ce sont des parasites")
    assert "hate" in item.current_verdict.labels
    assert item.status == ItemStatus.REVIEW and item.oncall
    assert item.deadline_at == item.first_seen_at + dt.timedelta(hours=4)
    alerts = [m for m in mail.outbox if "Astreinte" in m.subject]
    assert len(alerts) == 1
    assert sorted(alerts[0].to) == ["maire@example.org", "secretariat@example.org"]
    assert "17" in alerts[0].body and f"/element/{item.pk}/" in alerts[0].body


def test_no_alert_during_working_hours(commune, account, platform, make_member, django_capture_on_commit_callbacks) -> None:
    _team(commune, make_member)
    commune.working_days = list(range(7))
    commune.work_start, commune.work_end = dt.time(0, 0), dt.time(23, 59, 59)
    commune.oncall_enabled = True
    commune.save()
    use_charter(commune, hate=False)
    with django_capture_on_commit_callbacks(execute=True):
        item = ingest(commune, account, platform, "Les arabes dehors, ce sont des parasites")
    assert item.oncall
    assert not [m for m in mail.outbox if "Astreinte" in m.subject]


def test_oncall_item_from_the_day_alerts_once_when_working_hours_end(
    commune, account, platform, make_member, django_capture_on_commit_callbacks
) -> None:
    """A threat that came in during working hours and is still waiting when the team leaves: the
    periodic sweep alerts the on-call members once, and not again on the next sweeps."""
    _team(commune, make_member)
    zone = ZoneInfo(commune.timezone)
    commune.working_days = [0, 1, 2, 3, 4]
    commune.work_start, commune.work_end = dt.time(9, 0), dt.time(17, 0)
    commune.oncall_enabled = True
    commune.oncall_deadline_hours = 12
    commune.save()
    use_charter(commune, hate=False)
    with django_capture_on_commit_callbacks(execute=True):
        item = ingest(commune, account, platform, "Les arabes dehors, ce sont des parasites")
    # pretend it arrived on Tuesday 14 October 2025 at 15:00 (a working day, during working hours)
    afternoon = dt.datetime(2025, 10, 14, 15, 0, tzinfo=zone)
    Item.objects.filter(pk=item.pk).update(first_seen_at=afternoon, oncall_alerted_at=None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_oncall(now=afternoon + dt.timedelta(hours=1)) == []  # 16:00: the team is there
    assert not [m for m in mail.outbox if "Astreinte" in m.subject]
    evening = dt.datetime(2025, 10, 14, 18, 30, tzinfo=zone)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_oncall(now=evening) == [item.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_oncall(now=evening + dt.timedelta(minutes=30)) == []  # once
    alerts = [m for m in mail.outbox if "Astreinte" in m.subject]
    assert len(alerts) == 1 and f"/element/{item.pk}/" in alerts[0].body
    item.refresh_from_db()
    assert item.oncall_alerted_at == evening


def test_reminder_before_the_deadline_then_escalation_after_it(commune, make_item, make_member) -> None:
    _director, _secretary, _ = _team(commune, make_member)
    now = timezone.now()
    commune.working_days = list(range(7))
    commune.work_start, commune.work_end = dt.time(0, 0), dt.time(23, 59, 59)
    commune.reminder_before_hours = 8
    commune.save()
    soon = make_item("Bouffon", labels=("insult",), action="review", deadline_at=now + dt.timedelta(hours=2))
    far = make_item("Minable", labels=("insult",), action="review", deadline_at=now + dt.timedelta(days=5))
    late = make_item("Nullard", labels=("insult",), action="review", deadline_at=now - dt.timedelta(minutes=5))
    result = sweep_deadlines(now=now)
    assert result.reminded == [soon.pk] and result.escalated == [late.pk]
    late.refresh_from_db()
    assert late.status == ItemStatus.ESCALATED and late.escalated_at is not None
    reminders = [m for m in mail.outbox if "à traiter bientôt" in m.subject]
    assert sorted(r.to[0] for r in reminders) == ["direction@example.org", "secretariat@example.org"]
    assert "Bouffon" not in reminders[0].body  # counts and links only
    escalations = [m for m in mail.outbox if "en retard" in m.subject]
    assert len(escalations) == 1 and escalations[0].to == ["direction@example.org"]
    # Nothing is sent twice.
    mail.outbox.clear()
    again = sweep_deadlines(now=now)
    assert again.reminded == [] and again.escalated == [] and mail.outbox == []
    far.refresh_from_db()
    assert far.reminder_sent_at is None
    assert AuditRecord.objects.filter(verb="deadline.escalated", target_id=str(late.pk)).count() == 1


def test_questions_waiting_for_an_answer_are_reminded_then_escalated(commune, make_item, make_member) -> None:
    """"À traiter" items with a question: a reminder before the deadline, escalation after it (a
    thank-you left without a reply is neither)."""
    _team(commune, make_member)
    now = timezone.now()
    commune.working_days = list(range(7))
    commune.work_start, commune.work_end = dt.time(0, 0), dt.time(23, 59, 59)
    commune.reminder_before_hours = 8
    commune.save()
    soon = make_item(
        "Quand ouvre la piscine ?", labels=("question",), status=ItemStatus.TODO, deadline_at=now + dt.timedelta(hours=2)
    )
    late = make_item(
        "Qui répare le lampadaire ?", labels=("question",), status=ItemStatus.TODO, deadline_at=now - dt.timedelta(hours=1)
    )
    thanks = make_item("Merci pour la fête !", labels=("praise",), status=ItemStatus.TODO, deadline_at=now - dt.timedelta(hours=1))
    result = sweep_deadlines(now=now)
    assert result.reminded == [soon.pk] and result.escalated == [late.pk]
    late.refresh_from_db()
    assert late.status == ItemStatus.ESCALATED and late.escalated_at is not None
    thanks.refresh_from_db()
    assert thanks.status == ItemStatus.TODO and thanks.reminder_sent_at is None
    audit = AuditRecord.objects.get(verb="deadline.escalated", target_id=str(late.pk))
    assert audit.data["previous_status"] == ItemStatus.TODO
    reminders = [m for m in mail.outbox if "à traiter bientôt" in m.subject]
    assert reminders and "1 question(s) qui attendent une réponse" in reminders[0].body
    assert f"/c/{commune.slug}/questions/" in reminders[0].body
    assert [m.to for m in mail.outbox if "en retard" in m.subject] == [["direction@example.org"]]
    mail.outbox.clear()
    assert sweep_deadlines(now=now).as_dict() == {"reminded": 0, "escalated": 0} and mail.outbox == []
