"""Decisions: who, when, the charter article; audit for every action; evidence and learning hooks;
the message to the author; undo in every case; prefer hiding to deleting; confirmation of
irreversible actions; bulk actions."""

from __future__ import annotations

import pytest
from django.core import mail

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.workspace.actions import checks, outbox
from beffroi.workspace.actions import decisions as do
from beffroi.workspace.actions.bulk import do_bulk, do_bulk_undo
from beffroi.workspace.actions.undo import do_undo
from beffroi.workspace.models import (
    Decision,
    EvidenceRecord,
    ItemStatus,
    LabelledExample,
    OutboxEntry,
    OutboxState,
    PlatformState,
)
from tests.workspace.conftest import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def cm(commune, make_member):
    user = make_member(commune, Role.COMMUNITY_MANAGER)
    user.first_name, user.last_name = "Yanis", "Berger"
    user.save()
    return user


def deliver_all() -> None:
    for entry in OutboxEntry.objects.filter(state=OutboxState.PENDING).order_by("id"):
        outbox.deliver(entry.pk)


def test_hide_records_who_when_article_audit_evidence_and_learning(commune, cm, make_item, platform) -> None:
    item = make_item("Espèce de guignol", labels=("insult",), action="hide", evidence="guignol")
    [decision] = do.do_hide_item(item, cm, note="Insulte au maire")
    assert decision.actor == cm and decision.kind == "hide" and not decision.automatic
    assert decision.article == "3" and decision.label == "insult" and decision.created_at is not None
    assert decision.actor_label == "Yanis Berger"
    audit = AuditRecord.objects.get(verb="decision.hide", target_id=str(decision.pk))
    assert audit.actor == cm and audit.data["item"] == item.pk and audit.data["article"] == "3"
    evidence = EvidenceRecord.objects.get(decision=decision)
    assert evidence.item == item and evidence.decision_kind == "hide" and evidence.rendered_text == item.text
    example = LabelledExample.objects.get(item=item)
    assert example.agrees and example.human_action == "hide"
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE


def test_keep_of_a_flagged_item_is_a_disagreement_for_the_learning_loop(commune, cm, make_item) -> None:
    item = make_item("Ce projet est une honte pour la commune", labels=("insult",), action="review")
    do.do_keep_item(item, cm)
    example = LabelledExample.objects.get(item=item)
    assert not example.agrees and example.human_action == "keep"
    assert EvidenceRecord.objects.filter(item=item, decision_kind="keep").exists()


def test_hide_with_a_message_to_the_author_sends_it_after_the_hide(commune, cm, make_item, platform) -> None:
    item = make_item("Bande d'incapables", labels=("insult",), action="hide")
    hide, message = do.do_hide_item(
        item, cm, message="Bonjour, votre message a été masqué (article 3 de la charte).", message_via="private_reply"
    )
    assert message.kind == "private_reply" and message.data["with_decision"] == hide.pk
    deliver_all()
    store = platform.store
    assert store.objects[item.external_id]["hidden"] is True
    assert store.messages[0]["text"].startswith("Bonjour, votre message a été masqué")
    actions = [a for a, t in store.requests if t == item.external_id]
    assert actions == ["hide", "private_reply"]


def test_an_empty_message_is_refused_with_the_hide(commune, cm, make_item) -> None:
    item = make_item("Minable", labels=("insult",), action="hide")
    with pytest.raises(checks.ActionError, match="Écrivez le texte"):
        do.do_hide_item(item, cm, message="  ", message_via="reply")
    assert not Decision.objects.filter(item=item).exists()  # nothing half-done


def test_undo_before_sending_cancels_everything(commune, cm, make_item, platform) -> None:
    item = make_item("Bouffon", labels=("insult",), action="review")
    hide, _message = do.do_hide_item(item, cm, message="Merci de rester courtois.", message_via="reply")
    result = do_undo(hide, cm)
    assert "rien n'avait encore été envoyé" in result.message
    assert {e.state for e in OutboxEntry.objects.filter(item=item)} == {OutboxState.CANCELLED}
    item.refresh_from_db()
    assert item.status == ItemStatus.REVIEW
    deliver_all()
    assert platform.store.requests == []
    assert AuditRecord.objects.filter(verb="decision.undo", target_id=str(hide.pk)).exists()
    with pytest.raises(checks.ActionError, match="déjà été annulée"):
        do_undo(hide, cm)


def test_undo_after_the_hide_was_applied_unhides(commune, cm, make_item, platform) -> None:
    item = make_item("Bouffon", labels=("insult",), action="review")
    [hide] = do.do_hide_item(item, cm)
    deliver_all()
    result = do_undo(hide, cm)
    [unhide] = result.decisions
    assert unhide.kind == "unhide" and unhide.undoes == hide
    deliver_all()
    item.refresh_from_db()
    assert item.platform_state == PlatformState.VISIBLE and item.status == ItemStatus.REVIEW
    assert platform.store.objects[item.external_id]["hidden"] is False
    assert not LabelledExample.objects.filter(item=item, decision=hide).exists()  # taken back, forgotten


def test_undo_of_a_public_reply_deletes_it_on_the_platform(commune, cm, make_item, platform) -> None:
    item = make_item("Quand est le conseil municipal ?", labels=("question",), status=ItemStatus.TODO)
    reply = do.do_reply(item, cm, "Jeudi à 19 h.")
    deliver_all()
    reply.refresh_from_db()
    remote = reply.data["remote_id"]
    assert platform.store.objects[remote]["text"] == "Jeudi à 19 h."
    do_undo(reply, cm)
    deliver_all()
    assert platform.store.objects[remote]["deleted"] is True
    assert platform.store.objects[item.external_id]["deleted"] is False  # the question itself stays
    item.refresh_from_db()
    assert item.status == ItemStatus.TODO and item.platform_state == PlatformState.VISIBLE


def test_what_cannot_be_undone_is_said_plainly(commune, cm, make_item, platform) -> None:
    item = make_item("Arnaque crypto", labels=("spam",), action="hide")
    delete = do.do_delete_item(item, cm, confirm=True)
    deliver_all()
    with pytest.raises(checks.ActionError, match="définitive"):
        do_undo(delete, cm)
    other = make_item("Bonjour", labels=("question",), status=ItemStatus.TODO)
    private = do.do_private_reply(other, cm, "Bonjour !")
    deliver_all()
    with pytest.raises(checks.ActionError, match="ne peut pas être retiré"):
        do_undo(private, cm)


def test_deleting_needs_confirmation_and_hiding_is_preferred(commune, cm, make_item, platform) -> None:
    item = make_item("Arnaque", labels=("spam",), action="hide")
    with pytest.raises(checks.ActionError, match="préférez « Masquer »"):
        do.do_delete_item(item, cm)
    decision = do.do_delete_item(item, cm, confirm=True)
    deliver_all()
    item.refresh_from_db()
    assert item.platform_state == PlatformState.DELETED
    assert OutboxEntry.objects.get(decision=decision).state == OutboxState.APPLIED


def test_irreversible_hide_asks_for_confirmation_and_is_never_automatic(commune, cm, make_item, platform) -> None:
    youtube_like = make_account(commune, platform, external_id="chaine-1", confirm=["hide"], label="Vidéos")
    item = make_item("Insulte", labels=("insult",), action="hide", on=youtube_like)
    with pytest.raises(checks.ActionError, match="irréversible"):
        do.do_hide_item(item, cm)
    assert do.do_automatic_hide(item) is None
    assert AuditRecord.objects.filter(verb="decision.automatic_skipped").exists()
    [decision] = do.do_hide_item(item, cm, confirm=True)
    assert decision.kind == "hide"


def test_capability_refusals_explain_why(commune, cm, make_item, platform) -> None:
    limited = make_account(commune, platform, external_id="masto", capabilities=["fetch", "reply", "report"], label="Mastodon (test)")
    item = make_item("Idiot", labels=("insult",), action="review", on=limited)
    with pytest.raises(checks.ActionError) as refused:
        do.do_hide_item(item, cm)
    assert "Mastodon (test)" in refused.value.message
    decision = do.do_report(item, cm)
    assert decision.kind == "report"


def test_items_outside_the_communes_accounts_cannot_be_acted_on_the_platform(commune, cm, make_item) -> None:
    item = make_item("Mention ailleurs", labels=("insult",), action="review", moderated=False)
    with pytest.raises(checks.ActionError, match="pas publié sur un compte de la commune"):
        do.do_hide_item(item, cm)
    do.do_escalate(item, cm, note="À suivre")  # still possible


def test_two_people_acting_at_once_do_not_both_hide(commune, cm, make_member, make_item, platform) -> None:
    other = make_member(commune, Role.SECRETAIRE)
    item = make_item("Crétin", labels=("insult",), action="hide")
    stale = type(item).objects.get(pk=item.pk)
    do.do_hide_item(item, cm)
    with pytest.raises(checks.ActionError, match="déjà en cours"):
        do.do_hide_item(stale, other)  # the screen was stale: the second person learns it
    assert OutboxEntry.objects.filter(item=item, action="hide").count() == 1


def test_escalation_emails_the_direction(commune, cm, make_member, make_item, django_capture_on_commit_callbacks) -> None:
    director = make_member(commune, Role.DIRECTION_COM)
    director.email = "direction@example.org"
    director.save()
    item = make_item("Je connais ton adresse", labels=("threat",), action="review")
    with django_capture_on_commit_callbacks(execute=True):
        do.do_escalate(item, cm, note="Menace, peut-être plainte")
    item.refresh_from_db()
    assert item.status == ItemStatus.ESCALATED and item.escalated_at is not None
    [message] = mail.outbox
    assert message.to == ["direction@example.org"] and "Menace, peut-être plainte" in message.body
    assert "Yanis Berger" in message.subject


def test_thanks_and_answers_close_things_to_do(commune, cm, make_item, platform) -> None:
    praise = make_item("Merci pour les illuminations !", labels=("praise",), status=ItemStatus.TODO)
    do.do_like(praise, cm)
    praise.refresh_from_db()
    assert praise.status == ItemStatus.DONE
    with pytest.raises(checks.ActionError, match="déjà remercié"):
        do.do_like(praise, cm)
    deliver_all()
    assert platform.store.objects[praise.external_id]["liked_by_page"] is True


def test_bulk_hide_and_bulk_undo(commune, cm, make_item, platform) -> None:
    items = [make_item(f"Insulte {n}", labels=("insult",), action="review") for n in range(3)]
    hidden = make_item("Déjà masqué", labels=("insult",), action="hide", platform_state=PlatformState.HIDDEN)
    result = do_bulk("hide", [*items, hidden], cm)
    assert sorted(result.done) == sorted(i.pk for i in items)
    assert result.skipped == [(hidden.pk, "Cet élément est déjà masqué.")]
    undone, problems = do_bulk_undo(result.decisions, cm)
    assert undone == 3 and problems == []
    assert set(OutboxEntry.objects.filter(item__in=items).values_list("state", flat=True)) == {OutboxState.CANCELLED}


def test_bulk_refuses_a_role_that_may_not(commune, make_member, make_item) -> None:
    reader = make_member(commune, Role.LECTEUR)
    item = make_item("Idiot", labels=("insult",), action="review")
    with pytest.raises(checks.ActionForbidden):
        do_bulk("hide", [item], reader)
