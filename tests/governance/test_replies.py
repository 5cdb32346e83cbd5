"""Saved replies and municipal services: actions, suggestions and screens."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.workspace.actions import replies
from beffroi.workspace.models import SavedReply, Service


@pytest.mark.django_db
def test_services_keywords_and_suggestions(commune: Any, other_commune: Any, director: Any, make_member: Any) -> None:
    actor = director
    voirie = replies.do_save_service(commune, actor=actor, name=" Voirie ", email="voirie@mairie.fr", keywords="Trottoir, nid-de-poule ; éclairage\ntrottoir")
    assert voirie.name == "Voirie" and voirie.keywords == ["trottoir", "nid-de-poule", "éclairage"]
    replies.do_save_service(commune, actor=actor, name="Périscolaire", keywords="cantine, garderie")
    replies.do_save_service(other_commune, actor=make_member(other_commune, Role.DIRECTION_COM), name="Voirie", keywords="trottoir")
    with pytest.raises(replies.RepliesError, match="existe déjà"):
        replies.do_save_service(commune, actor=actor, name="Voirie")
    with pytest.raises(replies.RepliesError, match="nom du service"):
        replies.do_save_service(commune, actor=actor, name="  ")
    found = replies.services_for_text(commune, "L'ECLAIRAGE du trottoir rue Pasteur est en panne, et la cantine ?")
    assert [s.name for s in found] == ["Voirie", "Périscolaire"]
    assert replies.services_for_text(commune, "Merci pour la fête") == []
    assert AuditRecord.objects.filter(commune=commune, verb="service.created").count() == 2


@pytest.mark.django_db
def test_saved_replies_placeholders_and_validation(commune: Any, director: Any) -> None:
    actor = director
    service = replies.do_save_service(commune, actor=actor, name="État civil", email="etat-civil@mairie.fr")
    reply = replies.do_save_reply(
        commune, actor=actor, title="Orienter vers l'état civil",
        text="Bonjour, le service {service} de {commune} vous répond à {service_email}.", kind="answer", service=service,
    )
    assert replies.render_saved_reply(reply) == (
        "Bonjour, le service État civil de Saint-Aubin vous répond à etat-civil@mairie.fr."
    )
    with pytest.raises(replies.RepliesError, match=r"\{prenom\}"):
        replies.do_save_reply(commune, actor=actor, title="X", text="Bonjour {prenom}")
    with pytest.raises(replies.RepliesError, match="titre"):
        replies.do_save_reply(commune, actor=actor, title="", text="x")
    replies.count_use(reply)
    reply.refresh_from_db()
    assert reply.uses == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DIRECTION_COM, Role.COMMUNITY_MANAGER, Role.SECRETAIRE])
def test_screens_create_edit_delete(client_as: Any, commune: Any, role: Role) -> None:
    client = client_as(commune, role)
    slug = commune.slug
    client.post(reverse("workspace:service_new", kwargs={"commune": slug}), {"name": "Urbanisme", "email": "urba@mairie.fr", "keywords": "permis, clôture"})
    service = Service.objects.get(commune=commune, name="Urbanisme")
    response = client.post(
        reverse("workspace:saved_reply_new", kwargs={"commune": slug}),
        {"title": "Permis de construire", "kind": "answer", "service": service.pk, "text": "Le service {service} vous répond."},
        follow=True,
    )
    assert "Réponse enregistrée." in response.content.decode()
    reply = SavedReply.objects.get(commune=commune)
    listing = client.get(reverse("workspace:saved_replies", kwargs={"commune": slug})).content.decode()
    assert "Permis de construire" in listing and "Service : Urbanisme" in listing
    client.post(reverse("workspace:saved_reply_edit", kwargs={"commune": slug, "reply_id": reply.pk}),
                {"title": "Permis", "kind": "answer", "service": "", "text": "Texte modifié"})
    reply.refresh_from_db()
    assert (reply.title, reply.text, reply.service) == ("Permis", "Texte modifié", None)
    confirm = client.get(reverse("workspace:service_delete", kwargs={"commune": slug, "service_id": service.pk})).content.decode()
    assert "Cette action est définitive" in confirm
    client.post(reverse("workspace:service_delete", kwargs={"commune": slug, "service_id": service.pk}))
    client.post(reverse("workspace:saved_reply_delete", kwargs={"commune": slug, "reply_id": reply.pk}))
    assert not Service.objects.filter(commune=commune).exists() and not SavedReply.objects.filter(commune=commune).exists()
    bad = client.post(reverse("workspace:service_new", kwargs={"commune": slug}), {"name": "", "email": "x"}).content.decode()
    assert "Ce champ est obligatoire." in bad and "Adresse e-mail invalide" in bad


@pytest.mark.django_db
def test_a_service_of_another_commune_cannot_be_attached(client_as: Any, commune: Any, other_commune: Any, make_member: Any) -> None:
    foreign = replies.do_save_service(other_commune, actor=make_member(other_commune, Role.DIRECTION_COM), name="Voirie")
    client = client_as(commune, Role.SECRETAIRE)
    response = client.post(
        reverse("workspace:saved_reply_new", kwargs={"commune": commune.slug}),
        {"title": "T", "kind": "answer", "service": foreign.pk, "text": "x"},
    )
    assert response.status_code == 200 and "Choix invalide" in response.content.decode()
    assert not SavedReply.objects.exists()
