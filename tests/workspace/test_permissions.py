"""Permissions for EVERY role and EVERY action, through the actions layer and through the screens.

The expected table is written out here from the issue (not derived from the code under test):
volunteers moderate and answer public comments only — no private messages, no deletion, no
blocking; the mayor and readers read; the communication director, community managers and the
secretary do everything in the workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from beffroi.core.roles import Role
from beffroi.workspace.actions import blocking, checks, outbox
from beffroi.workspace.actions import decisions as do
from beffroi.workspace.actions.undo import do_undo
from beffroi.workspace.models import (
    BlockRequest,
    Decision,
    ItemKind,
    ItemStatus,
    OutboxEntry,
    OutboxState,
    PlatformState,
    Service,
)

pytestmark = pytest.mark.django_db

FULL = {Role.DIRECTION_COM, Role.COMMUNITY_MANAGER, Role.SECRETAIRE}
MODERATORS = FULL | {Role.MODERATEUR_BENEVOLE}
EXPECTED: dict[str, set[Role]] = {
    "hide": MODERATORS,
    "unhide": MODERATORS,
    "keep": MODERATORS,
    "escalate": MODERATORS,
    "report": MODERATORS,
    "delete": FULL,
    "reply": MODERATORS,
    "private_reply": FULL,
    "like": MODERATORS,
    "route": MODERATORS,
    "request_block": FULL,
    "approve_block": FULL,
    "lift_block": FULL,
    "undo_hide": MODERATORS,
    "undo_delete": FULL,
    "retry": MODERATORS,
    "bulk_hide": MODERATORS,
}


def _setup(action: str, make_item: Callable[..., Any], commune: Any, make_member: Any) -> Callable[[Any], Any]:
    """Prepare the item (or request) in the state the action needs; return how to run it as ``user``."""
    if action == "hide":
        item = make_item("Guignol", labels=("insult",), action="hide")
        return lambda user: do.do_hide_item(item, user)
    if action == "unhide":
        item = make_item("Guignol", labels=("insult",), action="hide", platform_state=PlatformState.HIDDEN, status=ItemStatus.DONE)
        return lambda user: do.do_unhide_item(item, user)
    if action == "keep":
        item = make_item("Pas d'accord avec la mairie", labels=("criticism",), action="review")
        return lambda user: do.do_keep_item(item, user)
    if action == "escalate":
        item = make_item("Je connais ton adresse", labels=("threat",), action="review")
        return lambda user: do.do_escalate(item, user, note="Menace")
    if action == "report":
        item = make_item("Achetez des cryptos", labels=("spam",), action="review")
        return lambda user: do.do_report(item, user)
    if action == "delete":
        item = make_item("Arnaque", labels=("spam",), action="hide")
        return lambda user: do.do_delete_item(item, user, confirm=True)
    if action == "reply":
        item = make_item("Quand passent les encombrants ?", labels=("question",), status=ItemStatus.TODO)
        return lambda user: do.do_reply(item, user, "Le premier lundi du mois.")
    if action == "private_reply":
        item = make_item("Quand passent les encombrants ?", labels=("question",), status=ItemStatus.TODO)
        return lambda user: do.do_private_reply(item, user, "Le premier lundi du mois.")
    if action == "like":
        item = make_item("Bravo pour la fête !", labels=("praise",), status=ItemStatus.TODO)
        return lambda user: do.do_like(item, user)
    if action == "route":
        item = make_item("Trou dans la chaussée", labels=("question",), status=ItemStatus.TODO)
        service = Service.objects.create(commune=commune, name="Voirie", email="voirie@example.org")
        return lambda user: do.do_route_to_service(item, user, service)
    if action == "request_block":
        item = make_item("Tu vas voir", labels=("threat",), action="review")
        return lambda user: blocking.do_request_block(item.author, user, reason="Menaces répétées", duration_days=30, item=item)
    if action == "approve_block":
        item = make_item("Tu vas voir", labels=("threat",), action="review")
        requester = make_member(commune, Role.DIRECTION_COM)
        request = blocking.do_request_block(item.author, requester, reason="Menaces répétées", duration_days=30, item=item)
        return lambda user: blocking.do_approve_block(request, user)
    if action == "lift_block":
        item = make_item("Tu vas voir", labels=("threat",), action="review")
        first, second = make_member(commune, Role.DIRECTION_COM), make_member(commune, Role.SECRETAIRE)
        request = blocking.do_request_block(item.author, first, reason="Menaces répétées", duration_days=30, item=item)
        blocking.do_approve_block(request, second)
        return lambda user: blocking.do_lift_block(request, user)
    if action in ("undo_hide", "undo_delete"):
        item = make_item("Arnaque", labels=("spam",), action="hide")
        director = make_member(commune, Role.DIRECTION_COM)
        decision = (do.do_hide_item(item, director)[0] if action == "undo_hide" else do.do_delete_item(item, director, confirm=True))
        return lambda user: do_undo(decision, user)
    if action == "retry":
        item = make_item("Minable", labels=("insult",), action="hide")
        director = make_member(commune, Role.DIRECTION_COM)
        entry = OutboxEntry.objects.get(decision=do.do_hide_item(item, director)[0])
        OutboxEntry.objects.filter(pk=entry.pk).update(state=OutboxState.FAILED, error_kind=outbox.TRANSIENT)
        return lambda user: outbox.retry(entry, user)
    if action == "bulk_hide":
        items = [make_item("Minable", labels=("insult",), action="hide") for _ in range(2)]
        from beffroi.workspace.actions.bulk import do_bulk

        return lambda user: do_bulk("hide", items, user)
    raise AssertionError(action)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_every_role_and_every_action(role, action, commune, make_member, make_item) -> None:
    run = _setup(action, make_item, commune, make_member)
    user = make_member(commune, role)
    if role in EXPECTED[action]:
        result = run(user)
        assert result is not None
        if action == "bulk_hide":
            assert len(result.done) == 2
    else:
        with pytest.raises(checks.ActionForbidden) as caught:
            run(user)
        assert caught.value.message.startswith("Votre rôle ne permet pas")
        assert caught.value.status == 403


@pytest.mark.parametrize("role", list(Role))
def test_private_messages_are_unreachable_without_view_private(role, commune, make_member, make_item) -> None:
    item = make_item("Je vais vous faire la peau", labels=("threat",), action="hide", kind=ItemKind.PRIVATE_MESSAGE)
    user = make_member(commune, role)
    allowed = role in FULL
    for run in (
        lambda: do.do_hide_item(item, user),
        lambda: do.do_escalate(item, user),
        lambda: do.do_reply(item, user, "Bonjour"),
        lambda: do.do_keep_item(item, user),
    ):
        if allowed:
            run()
            break
        with pytest.raises(checks.ActionNotFound):
            run()


def test_a_block_needs_a_second_person(commune, make_member, make_item) -> None:
    item = make_item("Je sais où tu habites", labels=("threat",), action="review")
    requester = make_member(commune, Role.SECRETAIRE)
    with pytest.raises(checks.ActionError, match="motif"):
        blocking.do_request_block(item.author, requester, reason=" ", duration_days=30, item=item)
    with pytest.raises(checks.ActionError, match="durée"):
        blocking.do_request_block(item.author, requester, reason="Menaces", duration_days=0, item=item)
    request = blocking.do_request_block(item.author, requester, reason="Menaces", duration_days=30, item=item)
    with pytest.raises(checks.ActionError, match="autre personne"):
        blocking.do_approve_block(request, requester)
    other = make_member(commune, Role.COMMUNITY_MANAGER)
    with pytest.raises(checks.ActionError, match="pourquoi"):
        blocking.do_reject_block(request, other, note="")
    decision = blocking.do_approve_block(request, other)
    request.refresh_from_db()
    item.author.refresh_from_db()
    assert request.state == BlockRequest.State.APPROVED and request.approved_by == other
    assert item.author.is_blocked and item.author.blocked_until == request.expires_at
    assert decision.kind == "block_author"
    assert OutboxEntry.objects.get(decision=decision).action == "block_author"
    with pytest.raises(checks.ActionError, match="déjà été traitée"):
        blocking.do_approve_block(request, other)


def test_member_of_another_commune_cannot_act(commune, other_commune, make_member, make_item) -> None:
    item = make_item("Guignol", labels=("insult",), action="hide")
    outsider = make_member(other_commune, Role.DIRECTION_COM)
    with pytest.raises(checks.ActionNotFound):
        do.do_hide_item(item, outsider)
    with pytest.raises(checks.ActionNotFound):
        do_undo(Decision.objects.create(commune=commune, item=item, kind="keep"), outsider)


HTTP_ACTIONS = ["hide", "keep", "escalate", "delete", "reply", "private_reply", "like", "report"]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", HTTP_ACTIONS)
def test_every_role_through_the_screens(role, action, client_as, commune, make_item) -> None:
    """The same rules through the item screen's buttons: 403 for a role that may not, never a
    button for it, and the action done for one that may."""
    item = make_item("Bande de nuls, merci quand même ?", labels=("insult",), action="review")
    client = client_as(commune, role)
    page = client.get(f"/c/{commune.slug}/element/{item.pk}/").content.decode()
    data = {"confirm": "1", "text": "Bonjour", "reason": "Spam"}
    response = client.post(f"/c/{commune.slug}/element/{item.pk}/agir/{action}/", data)
    if role in EXPECTED[action]:
        assert response.status_code == 302, response.content[:300]
        assert Decision.objects.filter(item=item, kind=action, actor=client.user).exists()
    else:
        assert response.status_code == 403
        assert f"/agir/{action}/" not in page
        assert not Decision.objects.filter(item=item).exists()
