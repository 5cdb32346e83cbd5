"""Team management: add with a temporary password or an invitation link, change role, crisis circle
and phone, remove; the last "direction de la communication" stays; every change is audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from beffroi.core.models import AuditRecord, Membership
from beffroi.core.roles import Role
from beffroi.workspace.actions import team


def audits(commune: Any, verb: str) -> list[dict[str, Any]]:
    return list(AuditRecord.objects.filter(commune=commune, verb=verb).order_by("id").values_list("data", flat=True))


@pytest.mark.django_db
def test_add_with_temporary_password(commune: Any, director: Any) -> None:
    new = team.do_add_member(
        commune, actor=director, username="martine.lefort", role=Role.SECRETAIRE, first_name="Martine",
        last_name="Lefort", phone="06 12 34 56 78", in_crisis_circle=True, method="password",
    )
    assert re.fullmatch(r"[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}", new.temporary_password)
    user = new.membership.user
    assert user.check_password(new.temporary_password) and user.get_full_name() == "Martine Lefort"
    assert new.membership.phone == "+33612345678" and new.membership.in_crisis_circle
    data = audits(commune, "team.member_added")[0]
    assert data["username"] == "martine.lefort" and data["role"] == "secretaire" and data["access"] == "password"
    assert new.temporary_password not in str(data)


@pytest.mark.django_db
def test_invitation_link_sets_the_password_once(client: Any, commune: Any, director: Any) -> None:
    new = team.do_add_member(
        commune, actor=director, username="hugo", role=Role.MODERATEUR_BENEVOLE, email="Hugo@Example.org", method="invitation"
    )
    user = new.membership.user
    assert not user.has_usable_password() and user.email == "hugo@example.org"
    page = client.get(new.invitation_path)
    assert page.status_code == 200 and "Bienvenue sur Beffroi" in page.content.decode() and "Saint-Aubin" in page.content.decode()
    short = client.post(new.invitation_path, {"new_password1": "abc", "new_password2": "abc"})
    assert short.status_code == 200 and "errorlist" in short.content.decode()
    response = client.post(new.invitation_path, {"new_password1": "une phrase très solide", "new_password2": "une phrase très solide"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.check_password("une phrase très solide")
    assert client.get(new.invitation_path).status_code == 400  # used once
    assert audits(commune, "team.invitation_accepted")


@pytest.mark.django_db
def test_invitation_needs_an_email_and_usernames_are_unique(
    commune: Any, other_commune: Any, director: Any, make_member: Any
) -> None:
    actor = director
    with pytest.raises(team.TeamError, match="adresse e-mail"):
        team.do_add_member(commune, actor=actor, username="sans.mail", role=Role.LECTEUR, method="invitation")
    with pytest.raises(team.TeamError, match="Identifiant invalide"):
        team.do_add_member(commune, actor=actor, username="a b", role=Role.LECTEUR, method="password")
    with pytest.raises(team.TeamError, match="Numéro de téléphone"):
        team.do_add_member(commune, actor=actor, username="tel", role=Role.LECTEUR, phone="12", method="password")
    existing = team.do_add_member(other_commune, actor=make_member(other_commune, Role.DIRECTION_COM), username="ines", role=Role.LECTEUR, email="ines@ex.fr", method="password")
    with pytest.raises(team.TeamError, match="déjà utilisé"):
        team.do_add_member(commune, actor=actor, username="INES", role=Role.LECTEUR, method="password")
    # Same identifier AND e-mail: the existing account joins this commune too, keeping its password.
    joined = team.do_add_member(commune, actor=actor, username="ines", role=Role.ELU, email="ines@ex.fr", method="invitation")
    assert not joined.created_user and joined.membership.user == existing.membership.user and not joined.invitation_path
    with pytest.raises(team.TeamError, match="fait déjà partie"):
        team.do_add_member(commune, actor=actor, username="ines", role=Role.ELU, email="ines@ex.fr", method="password")


@pytest.mark.django_db
def test_the_last_director_can_be_neither_removed_nor_demoted(commune: Any, make_member: Any) -> None:
    director = make_member(commune, Role.DIRECTION_COM)
    membership = Membership.objects.get(user=director, commune=commune)
    with pytest.raises(team.TeamError, match="dernière personne"):
        team.do_remove_member(membership, actor=director)
    with pytest.raises(team.TeamError, match="dernière personne"):
        team.do_change_role(membership, role=Role.SECRETAIRE, actor=director)
    second = Membership.objects.get(user=make_member(commune, Role.COMMUNITY_MANAGER), commune=commune)
    team.do_change_role(second, role=Role.DIRECTION_COM, actor=director)
    team.do_change_role(membership, role=Role.ELU, actor=director)  # now allowed: someone else directs
    new_director = second.user  # the former director is an elected official now: the team is no longer theirs
    assert audits(commune, "team.role_changed") == [
        {"username": second.user.username, "old_role": "community_manager", "new_role": "direction_com"},
        {"username": director.username, "old_role": "direction_com", "new_role": "elu"},
    ]
    team.do_remove_member(membership, actor=new_director)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert audits(commune, "team.member_removed")[0] == {"username": director.username, "role": "elu"}
    with pytest.raises(team.TeamError):
        team.do_remove_member(second, actor=new_director)


@pytest.mark.django_db
def test_crisis_circle_and_phone_changes_are_audited_without_the_number(commune: Any, make_member: Any, director: Any) -> None:
    user = make_member(commune, Role.ELU)
    membership = Membership.objects.get(user=user, commune=commune)
    team.do_update_member(membership, actor=director, in_crisis_circle=True, phone="+32 470 12 34 56")
    membership.refresh_from_db()
    assert membership.in_crisis_circle and membership.phone == "+32470123456"
    data = audits(commune, "team.member_updated")[0]
    assert data["in_crisis_circle"] == [False, True] and data["phone"] == "modifié" and "470" not in str(data)
    team.do_update_member(membership, actor=director, in_crisis_circle=True, phone="+32 470 12 34 56")
    assert len(audits(commune, "team.member_updated")) == 1  # nothing changed, nothing written


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("06 12 34 56 78", "+33612345678"), ("06.12.34.56.78", "+33612345678"), ("+33 (0)6", None), ("0033 6 12 34 56 78", "+33612345678"), ("", "")],
)
def test_phone_numbers(raw: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(team.TeamError):
            team.normalise_phone(raw)
    else:
        assert team.normalise_phone(raw) == expected


@pytest.mark.django_db
def test_team_screens(client_as: Any, commune: Any, make_member: Any) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    slug = commune.slug
    page = client.get(reverse("workspace:team", kwargs={"commune": slug})).content.decode()
    assert "seule personne à pouvoir gérer l'équipe" in page and "Qui peut faire quoi" in page
    # Add with an invitation: e-mail sent, link shown.
    response = client.post(
        reverse("workspace:team_add", kwargs={"commune": slug}),
        {"first_name": "Yanis", "last_name": "Berger", "username": "yanis", "email": "yanis@mairie.fr", "role": "community_manager",
         "access": "invitation", "phone": "", "in_crisis_circle": "on"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Yanis Berger fait partie de l'équipe" in body and "/invitation/" in body
    assert len(mail.outbox) == 1 and "/invitation/" in mail.outbox[0].body and mail.outbox[0].to == ["yanis@mairie.fr"]
    # Errors are French and on the form.
    bad = client.post(
        reverse("workspace:team_add", kwargs={"commune": slug}),
        {"first_name": "", "last_name": "X", "username": "x", "email": "pas-un-mail", "role": "community_manager", "access": "invitation"},
    ).content.decode()
    assert "Ce champ est obligatoire." in bad and "Adresse e-mail invalide" in bad
    # Change role and remove, through the screens.
    yanis = Membership.objects.get(user__username="yanis", commune=commune)
    client.post(reverse("workspace:team_member", kwargs={"commune": slug, "member_id": yanis.pk}),
                {"role": "secretaire", "phone": "06 00 00 00 01"})
    yanis.refresh_from_db()
    assert yanis.role == "secretaire" and yanis.phone == "+33600000001" and not yanis.in_crisis_circle
    confirm = client.get(reverse("workspace:team_remove", kwargs={"commune": slug, "member_id": yanis.pk})).content.decode()
    assert "Oui, retirer de l'équipe" in confirm
    client.post(reverse("workspace:team_remove", kwargs={"commune": slug, "member_id": yanis.pk}))
    assert not Membership.objects.filter(pk=yanis.pk).exists()
    me = Membership.objects.get(user=client.user, commune=commune)
    refused = client.post(reverse("workspace:team_remove", kwargs={"commune": slug, "member_id": me.pk}))
    assert refused.status_code == 400 and "dernière personne" in refused.content.decode()


@pytest.mark.django_db
def test_temporary_password_is_shown_once_and_never_stored_in_clear(client_as: Any, commune: Any) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    response = client.post(
        reverse("workspace:team_add", kwargs={"commune": commune.slug}),
        {"first_name": "Inès", "last_name": "Garnier", "username": "ines", "email": "", "role": "lecteur", "access": "password"},
    )
    password = re.search(r"<code>([A-Za-z2-9-]{19})</code>", response.content.decode()).group(1)  # type: ignore[union-attr]
    user = get_user_model().objects.get(username="ines")
    assert user.check_password(password) and password not in user.password
    assert password not in str(list(AuditRecord.objects.values_list("data", flat=True)))


@pytest.mark.django_db
def test_members_of_another_commune_cannot_be_reached(client_as: Any, commune: Any, other_commune: Any, make_member: Any) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    stranger = Membership.objects.get(user=make_member(other_commune, Role.SECRETAIRE), commune=other_commune)
    for name in ("team_member", "team_remove"):
        url = reverse(f"workspace:{name}", kwargs={"commune": commune.slug, "member_id": stranger.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"role": "lecteur"}).status_code == 404
    assert Membership.objects.filter(pk=stranger.pk, role="secretaire").exists()
