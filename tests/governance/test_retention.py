"""Retention: expired items and evidence are purged, legal holds are kept, the chain stays verifiable
and the purge is audited (ranges, head)."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from beffroi.cli import workspace as cli
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.workspace.actions.evidence import PURGE_VERB, record_evidence, verify_chain
from beffroi.workspace.actions.retention import RetentionError, do_set_legal_hold, purge_commune
from beffroi.workspace.models import Author, EvidenceRecord, Item, LabelledExample

DAY = dt.timedelta(days=1)


def _old(commune: Any, make_item: Any, make_decision: Any, text: str, labels: tuple[str, ...], days_ago: int) -> Any:
    """An item first seen ``days_ago`` days ago and hidden the same day, with its evidence."""
    when = timezone.now() - days_ago * DAY
    item = make_item(commune, text, labels, "review", first_seen_at=when, author_name=f"auteur {text}")
    decision = make_decision(item, "hide")
    type(decision).objects.filter(pk=decision.pk).update(created_at=when)
    decision.refresh_from_db()
    return item, record_evidence(item, decision)


@pytest.mark.django_db
def test_purge_deletes_what_expired_keeps_holds_and_the_chain_still_verifies(
    commune: Any, make_item: Any, make_decision: Any, director: Any
) -> None:
    insult_old, ev1 = _old(commune, make_item, make_decision, "vieille insulte", ("insult",), 200)  # > 6 months: purged
    hate_mid, ev2 = _old(commune, make_item, make_decision, "haine de 10 mois", ("hate",), 300)  # < 15 months: kept
    held, ev3 = _old(commune, make_item, make_decision, "insulte sous plainte", ("insult",), 250)  # held: kept
    _threat_old, ev4 = _old(commune, make_item, make_decision, "vieille menace", ("threat",), 500)  # > 15 months: purged
    recent, ev5 = _old(commune, make_item, make_decision, "insulte récente", ("insult",), 10)  # kept
    LabelledExample.objects.create(commune=commune, item=insult_old, text=insult_old.text, labels=["insult"])
    do_set_legal_hold(held, held=True, actor=director, reason="Plainte déposée le 3 mars")

    preview = purge_commune(commune, dry_run=True)
    assert (preview.items, preview.evidence) == (2, 2)
    assert Item.objects.filter(commune=commune).count() == 5  # a dry run deletes nothing

    report = purge_commune(commune)
    assert (report.items, report.evidence, report.held_items) == (2, 2, 1)
    assert set(Item.objects.filter(commune=commune).values_list("pk", flat=True)) == {hate_mid.pk, held.pk, recent.pk}
    assert set(EvidenceRecord.objects.filter(commune=commune).values_list("seq", flat=True)) == {ev2.seq, ev3.seq, ev5.seq}
    assert not Author.objects.filter(display_name="auteur vieille insulte").exists()
    example = LabelledExample.objects.get(commune=commune)
    assert example.text == "" and not example.trainable  # the text went with the item

    audit = AuditRecord.objects.get(commune=commune, verb=PURGE_VERB)
    assert audit.data["items"] == 2 and audit.data["evidence"] == 2
    assert audit.data["evidence_ranges"] == [[1, 1, ev1.prev_hash, ev1.record_hash], [4, 4, ev4.prev_hash, ev4.record_hash]]
    assert audit.data["purged_up_to_seq"] == 4 and audit.data["head_hash"] == ev5.record_hash

    chain = verify_chain(commune)
    assert chain.ok and chain.checked == 3 and chain.purged == 2, chain.summary_fr()
    assert "supprimé(s) par la purge de conservation" in chain.summary_fr()
    # The chain goes on after the purge, and a second purge changes nothing.
    later_item = make_item(commune, "nouvelle insulte", ("insult",), "review")
    ev6 = record_evidence(later_item, make_decision(later_item, "hide"))
    assert ev6.seq == 6 and ev6.prev_hash == ev5.record_hash
    again = purge_commune(commune)
    assert (again.items, again.evidence) == (0, 0)
    assert AuditRecord.objects.filter(commune=commune, verb=PURGE_VERB).count() == 1
    assert verify_chain(commune).ok


@pytest.mark.django_db
def test_purging_the_whole_chain_keeps_it_verifiable_and_numbering_goes_on(commune: Any, make_item: Any, make_decision: Any) -> None:
    records = [_old(commune, make_item, make_decision, f"insulte {n}", ("insult",), 400)[1] for n in range(3)]
    purge_commune(commune)
    assert not EvidenceRecord.objects.filter(commune=commune).exists()
    report = verify_chain(commune)
    assert report.ok and report.purged == 3 and report.head_hash == records[-1].record_hash
    item = make_item(commune, "suite", ("insult",), "review")
    assert record_evidence(item, make_decision(item, "hide")).seq == 4
    assert verify_chain(commune).ok


@pytest.mark.django_db
def test_a_deletion_disguised_as_a_purge_of_other_records_is_still_detected(commune: Any, make_item: Any, make_decision: Any) -> None:
    from django.db import connection

    from beffroi.core.dbguard import purge_allowed

    for n in range(4):
        _old(commune, make_item, make_decision, f"insulte {n}", ("insult",), 5)
    with purge_allowed(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM workspace_evidencerecord WHERE commune_id = %s AND seq = 2", [commune.pk])
    purge_commune(commune)  # nothing expired: no attestation for n° 2
    report = verify_chain(commune)
    assert not report.ok and report.broken_seq == 2


@pytest.mark.django_db
def test_retention_durations_are_per_commune(commune: Any, make_item: Any, make_decision: Any) -> None:
    commune.retention_default_days = 30
    commune.save()
    _old(commune, make_item, make_decision, "insulte de 40 jours", ("insult",), 40)
    assert purge_commune(commune).items == 1


@pytest.mark.django_db
def test_legal_hold_needs_a_reason_and_is_audited(commune: Any, make_item: Any, director: Any) -> None:
    item = make_item(commune, "menace", ("threat",), "hide")
    user = director
    with pytest.raises(RetentionError, match="motif"):
        do_set_legal_hold(item, held=True, actor=user, reason="  ")
    do_set_legal_hold(item, held=True, actor=user, reason="PV n° 1234")
    do_set_legal_hold(item, held=False, actor=user)
    verbs = list(AuditRecord.objects.filter(commune=commune, target_id=str(item.pk)).order_by("id").values_list("verb", "data"))
    assert [v for v, _ in verbs if v.startswith("item.legal")] == ["item.legal_hold", "item.legal_hold_lifted"]
    assert ("item.legal_hold", {"reason": "PV n° 1234"}) in verbs


@pytest.mark.django_db
def test_purge_command(commune: Any, make_item: Any, make_decision: Any, capsys: Any) -> None:
    _old(commune, make_item, make_decision, "vieille insulte", ("insult",), 300)
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["purge", "--dry-run"])
    assert args.handler(args) == 0
    assert "1 élément(s) et 1 preuve(s) seraient supprimés" in capsys.readouterr().out
    args = parser.parse_args(["purge", "--commune", commune.slug])
    assert args.handler(args) == 0
    assert "1 élément(s) et 1 preuve(s) supprimés" in capsys.readouterr().out
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_retention_screen_saves_months_and_shows_the_next_purge(client_as: Any, commune: Any) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    url = reverse("workspace:retention", kwargs={"commune": commune.slug})
    page = client.get(url).content.decode()
    assert 'value="15"' in page and 'value="6"' in page and "Prochain effacement" in page
    bad = client.post(url, {"severe_months": "3", "default_months": "6"})
    assert "au moins aussi longtemps" in bad.content.decode()
    response = client.post(url, {"severe_months": "24", "default_months": "3"}, follow=True)
    commune.refresh_from_db()
    assert (commune.retention_severe_days, commune.retention_default_days) == (730, 91)
    assert "Durées de conservation enregistrées" in response.content.decode()
    assert AuditRecord.objects.filter(commune=commune, verb="retention.settings_changed").exists()


@pytest.mark.django_db
def test_purge_and_model_jobs_are_registered_and_periodic(commune: Any, make_item: Any, make_decision: Any) -> None:
    from beffroi.tasks.registry import PERIODIC, TASKS, autodiscover, enqueue

    autodiscover()
    assert {"governance.purge", "governance.update_model", "governance.update_models"} <= set(TASKS)
    assert PERIODIC["governance.purge"].every == DAY and PERIODIC["governance.update_models"].every == DAY
    _old(commune, make_item, make_decision, "vieille insulte", ("insult",), 300)
    enqueue("governance.purge")  # eager in tests: runs now, as the worker would
    assert not Item.objects.filter(commune=commune).exists()
    assert AuditRecord.objects.filter(commune=commune, verb=PURGE_VERB).count() == 1


@pytest.mark.django_db
def test_purge_takes_the_website_comments_personal_data_on_the_items_schedule(commune: Any, director: Any) -> None:
    """A website comment keeps the visitor's name, e-mail and keyed IP hash outside the item: they go
    with the item (and a comment that never became an item goes once as old)."""
    from beffroi.connectors.website import service
    from beffroi.connectors.website.models import WebsiteComment
    from beffroi.workspace.models import Account

    site = Account.objects.create(
        commune=commune, platform="website", external_id="https://www.saint-aubin.example", name="Site", owned=True
    )
    now = timezone.now()

    def comment(name: str, text: str, days_ago: int, *, ingest: bool = True, parent: Any = None) -> WebsiteComment:
        made = WebsiteComment.objects.create(
            commune=commune, account=site, page_url="https://www.saint-aubin.example/agenda", author_name=name,
            author_email=f"{name.lower()}@exemple.fr", text=text, ip_hash=hashlib.sha256(name.encode()).hexdigest(), parent=parent,
            from_commune=parent is not None,
        )
        when = now - days_ago * DAY
        WebsiteComment.objects.filter(pk=made.pk).update(created_at=when)
        made.refresh_from_db()
        if ingest:
            item = service.ingest(made)
            assert item is not None
            Item.objects.filter(pk=item.pk).update(first_seen_at=when)
        made.refresh_from_db()
        return made

    old = comment("Camille", "Merci pour le marché de nuit", 200)  # item expired: both go
    recent = comment("Dominique", "Super soirée", 10)  # kept
    held = comment("Eliott", "Le maire est un escroc", 250)  # item under legal hold: kept
    do_set_legal_hold(held.item, held=True, actor=director, reason="Plainte en diffamation")
    lost = comment("Farida", "Jamais ingéré", 200, ingest=False)  # never became an item, expired: goes
    waiting = comment("Gaspard", "Pas encore ingéré", 1, ingest=False)  # kept
    answered = comment("Hugo", "Quand ouvre la piscine ?", 200)  # expired, but the commune's reply is kept
    reply = comment("Mairie", "Lundi à 9 h !", 10, parent=answered)
    old_item = old.item_id

    preview = purge_commune(commune, dry_run=True)
    assert preview.related == {"commentaire(s) du site": 3}
    assert WebsiteComment.objects.filter(commune=commune).count() == 7  # a dry run deletes nothing

    report = purge_commune(commune)
    assert report.related == {"commentaire(s) du site": 3}
    assert "3 commentaire(s) du site" in report.summary_fr()
    assert not Item.objects.filter(pk=old_item).exists()
    remaining = set(WebsiteComment.objects.filter(commune=commune).values_list("pk", flat=True))
    assert remaining == {recent.pk, held.pk, waiting.pk, answered.pk, reply.pk}
    answered.refresh_from_db()
    assert (answered.author_name, answered.author_email, answered.ip_hash, answered.text) == ("", "", "", "")
    assert answered.item_id is None and answered.state == WebsiteComment.State.DELETED
    held.refresh_from_db()
    assert held.author_email == "eliott@exemple.fr" and held.item_id is not None
    for kept in (recent, reply):
        kept.refresh_from_db()
        assert kept.author_email and kept.item_id is not None
    assert not WebsiteComment.objects.filter(pk__in=[old.pk, lost.pk]).exists()
    assert not WebsiteComment.objects.filter(author_email__in=["camille@exemple.fr", "farida@exemple.fr"]).exists()
    audit = AuditRecord.objects.get(commune=commune, verb=PURGE_VERB)
    assert audit.data["related"] == {"commentaire(s) du site": 3}
    # Nothing more to purge the next time.
    assert purge_commune(commune).related == {"commentaire(s) du site": 0}
