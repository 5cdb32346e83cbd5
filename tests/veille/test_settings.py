"""Watch settings: terms, facts, sources, crisis circle, webhooks — saved through audited actions,
bad input refused with clear French errors."""

from __future__ import annotations

from typing import Any

import pytest

from beffroi.core.models import AuditRecord, Membership
from beffroi.core.roles import Role
from beffroi.veille.models import AlertWebhook, Fact, VeilleSettings, WatchTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(commune: Any, client: Any, make_member: Any) -> Any:
    user = make_member(commune, Role.DIRECTION_COM, username="direction")
    client.force_login(user)
    return user


def base(commune: Any) -> str:
    return f"/c/{commune.slug}/veille/reglages/"


def test_terms_added_matched_and_removed(client, commune, director, django_capture_on_commit_callbacks) -> None:
    r = client.post(base(commune) + "termes/", {"terms": "Claire Vasseur\n#FêteDuPain, Saint-Aubin", "kind": "person"})
    assert r.status_code == 302
    assert set(WatchTerm.objects.values_list("text", flat=True)) == {"Claire Vasseur", "#FêteDuPain", "Saint-Aubin"}
    assert AuditRecord.objects.filter(verb="veille.term_added", actor=director).count() == 3
    from django.utils import timezone

    from tests.veille.conftest import ingest

    with django_capture_on_commit_callbacks(execute=True):
        item = ingest(commune, {"id": "m1", "platform": "x", "text": "Bravo à claire vasseur pour la #fetedupain !",
                                "author": {"id": "x:1", "name": "Paul"}}, timezone.now())
        other = ingest(commune, {"id": "m2", "platform": "x", "text": "Rien à voir", "author": {"id": "x:2"}}, timezone.now())
    assert sorted(item.mention.matched_terms) == ["#FêteDuPain", "Claire Vasseur"]
    assert item.mention.sentiment == "positive"
    from beffroi.veille.models import Mention

    assert not Mention.objects.filter(item=other).exists()
    term = WatchTerm.objects.get(text="Saint-Aubin")
    assert client.post(base(commune) + f"termes/{term.pk}/retirer/").status_code == 302
    assert not WatchTerm.objects.filter(pk=term.pk).exists()
    assert AuditRecord.objects.filter(verb="veille.term_removed").exists()


def test_term_form_errors(client, commune, director) -> None:
    empty = client.post(base(commune) + "termes/", {"terms": "", "kind": "place"})
    assert empty.status_code == 400 and "Ce champ est obligatoire." in empty.content.decode()
    punct = client.post(base(commune) + "termes/", {"terms": "!!!", "kind": "place"})
    assert punct.status_code == 400 and "ne contient aucun mot reconnaissable" in punct.content.decode()
    long = client.post(base(commune) + "termes/", {"terms": "x" * 130, "kind": "place"})
    assert long.status_code == 400 and "est trop long" in long.content.decode()
    kind = client.post(base(commune) + "termes/", {"terms": "Piscine", "kind": "planete"})
    assert kind.status_code == 400 and "Sélectionnez un choix valide" in kind.content.decode()
    assert not WatchTerm.objects.exists()


def test_facts_added_edited_retired(client, commune, director) -> None:
    r = client.post(base(commune) + "faits/", {"text": "La piscine municipale est ouverte à toutes et à tous.",
                                               "source_url": "https://saint-aubin.example/piscine"})
    assert r.status_code == 302
    fact = Fact.objects.get()
    short = client.post(base(commune) + "faits/", {"text": "Piscine ok"})
    assert short.status_code == 400 and "Le fait est trop court" in short.content.decode()
    dup = client.post(base(commune) + "faits/", {"text": fact.text})
    assert dup.status_code == 400 and "Ce fait est déjà dans la liste." in dup.content.decode()
    bad_url = client.post(base(commune) + "faits/", {"text": "Le marché est maintenu place du Marché.", "source_url": "pas une adresse"})
    assert bad_url.status_code == 400 and "Saisissez une adresse web complète" in bad_url.content.decode()
    client.post(base(commune) + f"faits/{fact.pk}/", {"text": "La piscine est ouverte à toutes et à tous, aux horaires habituels.", "active": "on"})
    fact.refresh_from_db()
    assert fact.text.startswith("La piscine est ouverte")
    client.post(base(commune) + f"faits/{fact.pk}/basculer/")
    fact.refresh_from_db()
    assert not fact.active
    verbs = set(AuditRecord.objects.filter(verb__startswith="veille.fact").values_list("verb", flat=True))
    assert verbs == {"veille.fact_added", "veille.fact_changed", "veille.fact_retired"}


def test_sources_and_alerting(client, commune, director, make_member) -> None:
    r = client.post(base(commune) + "sources/", {"official": "Préfecture\nLe Courrier", "places": "Saint-Aubin", "posts_per_day": "25"})
    assert r.status_code == 302
    s = VeilleSettings.for_commune(commune)
    assert s.official_accounts == ["Préfecture", "Le Courrier"] and s.posts_per_day == 25
    zero = client.post(base(commune) + "sources/", {"posts_per_day": "0"})
    assert zero.status_code == 400 and "Au moins 1." in zero.content.decode()
    maire = make_member(commune, Role.ELU, username="maire")
    m = Membership.objects.get(user=maire)
    bad = client.post(base(commune) + "alertes/", {"circle": [str(m.pk)], "extra_emails": "cabinet@mairie.fr\npas-une-adresse"})
    assert bad.status_code == 400 and "« pas-une-adresse » n&#x27;est pas une adresse e-mail valide." in bad.content.decode()
    ok = client.post(base(commune) + "alertes/", {"circle": [str(m.pk)], "extra_emails": "cabinet@mairie.fr", "notify_spike": "on"})
    assert ok.status_code == 302
    m.refresh_from_db()
    assert m.in_crisis_circle
    s.refresh_from_db()
    assert s.extra_emails == ["cabinet@mairie.fr"] and s.notify_kinds == ["rumour", "spike"]
    assert AuditRecord.objects.filter(verb="veille.alerting_saved", actor=director).exists()


def test_webhooks(client, commune, director) -> None:
    bad = client.post(base(commune) + "webhooks/nouveau/", {"name": "SMS", "format": "json", "url": "ftp://x", "active": "on"})
    assert bad.status_code == 400 and "Saisissez une adresse web complète" in bad.content.decode()
    matrix = client.post(base(commune) + "webhooks/nouveau/", {"name": "Salon", "format": "matrix", "url": "https://matrix.example.org/hook", "active": "on"})
    assert matrix.status_code == 400 and "indiquez l&#x27;adresse d&#x27;envoi du salon" in matrix.content.decode()
    ok = client.post(base(commune) + "webhooks/nouveau/", {"name": "SMS astreinte", "format": "json", "url": "https://sms.example.org/hook", "active": "on"}, follow=True)
    hook = AlertWebhook.objects.get()
    assert hook.signing_secret in ok.content.decode()  # shown once
    assert hook.signing_secret not in client.get(base(commune) + "alertes/").content.decode()
    old = hook.signing_secret
    client.post(base(commune) + f"webhooks/{hook.pk}/secret/")
    hook.refresh_from_db()
    assert hook.signing_secret != old
    refused = client.post(base(commune) + f"webhooks/{hook.pk}/supprimer/", {}, follow=True)
    assert "Cochez la case pour confirmer la suppression." in refused.content.decode()
    client.post(base(commune) + f"webhooks/{hook.pk}/supprimer/", {"confirm": "1"})
    assert not AlertWebhook.objects.exists()
    verbs = set(AuditRecord.objects.filter(verb__startswith="veille.webhook").values_list("verb", flat=True))
    assert verbs == {"veille.webhook_added", "veille.webhook_secret_rotated", "veille.webhook_removed"}
