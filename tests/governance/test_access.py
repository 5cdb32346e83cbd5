"""Every governance view, for every role: non-members get 404 (the commune is not revealed), members
without the permission get 403, members with it get the page. The URL patterns are iterated, so a
new view is covered automatically."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, reverse

from beffroi.core.models import Membership
from beffroi.core.roles import Role, has_perm
from beffroi.workspace import urls_governance

PATTERNS: list[URLPattern] = [p for p in urls_governance.urlpatterns if isinstance(p, URLPattern)]


def test_every_governance_view_declares_its_permission() -> None:
    assert len(PATTERNS) >= 25
    for pattern in PATTERNS:
        assert hasattr(pattern.callback, "required_perm"), f"{pattern.name} is not wrapped by commune_view"


@pytest.fixture
def objects(commune: Any, make_member: Any, make_item: Any, make_decision: Any, director: Any) -> dict[str, Any]:
    from beffroi.workspace.actions.charter import ensure_published_default
    from beffroi.workspace.actions.evidence import record_evidence
    from beffroi.workspace.actions.replies import do_save_reply, do_save_service

    actor = director
    member = Membership.objects.get(user=make_member(commune, Role.LECTEUR), commune=commune)
    service = do_save_service(commune, actor=actor, name="Voirie")
    reply = do_save_reply(commune, actor=actor, title="Merci", text="Merci !")
    item = make_item(commune, "Espèce d'idiot", ("insult",), "review")
    evidence = record_evidence(item, make_decision(item, "hide"))
    ensure_published_default(commune)
    return {
        "member_id": member.pk,
        "service_id": service.pk,
        "reply_id": reply.pk,
        "seq": evidence.seq,
        "item_id": item.pk,
        "version": 1,
    }


def _url(pattern: URLPattern, slug: str, objects: dict[str, Any]) -> str:
    kwargs = {"commune": slug}
    for name in pattern.pattern.converters:
        kwargs[name] = objects[name]
    return reverse(f"workspace:{pattern.name}", kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_permissions_per_role_on_every_view(client_as: Any, commune: Any, objects: dict[str, Any], role: Role) -> None:
    client = client_as(commune, role)
    for pattern in PATTERNS:
        url = _url(pattern, commune.slug, objects)
        status = client.get(url).status_code
        if has_perm(role, pattern.callback.required_perm):  # type: ignore[attr-defined]
            assert status in (200, 302, 405), f"{role} {pattern.name} {url}: {status}"
        else:
            assert status == 403, f"{role} should not reach {pattern.name}: {status}"


@pytest.mark.django_db
def test_non_members_get_404_everywhere(client_as: Any, commune: Any, other_commune: Any, objects: dict[str, Any]) -> None:
    outsider = client_as(other_commune, Role.DIRECTION_COM)  # all permissions, but in another commune
    for pattern in PATTERNS:
        url = _url(pattern, commune.slug, objects)
        assert outsider.get(url).status_code == 404, pattern.name
        assert outsider.post(url, {}).status_code == 404, pattern.name


@pytest.mark.django_db
def test_ids_of_another_commune_are_404_inside_ones_own(client_as: Any, commune: Any, other_commune: Any, objects: dict[str, Any]) -> None:
    """A director of the other commune, using the other commune's slug with this commune's ids."""
    client = client_as(other_commune, Role.DIRECTION_COM)
    for pattern in PATTERNS:
        if not pattern.pattern.converters.keys() - {"commune"}:
            continue
        url = _url(pattern, other_commune.slug, objects)
        assert client.get(url).status_code in (404, 405), pattern.name
        assert client.post(url, {"held": "1", "reason": "x", "role": "lecteur"}).status_code == 404, pattern.name


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client: Any, commune: Any, objects: dict[str, Any]) -> None:
    for pattern in PATTERNS:
        response = client.get(_url(pattern, commune.slug, objects))
        assert response.status_code == 302 and "/connexion/" in response["Location"], pattern.name
