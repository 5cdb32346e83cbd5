"""Facebook and Instagram allow ONE private reply per comment. A second one must be refused when the
moderator decides, not only when the outbox sends it: an entry still waiting in the outbox counts
(``outbox.action_target`` tells the connector about pending actions), while the entry being delivered
never counts against itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from beffroi.connectors.base import FetchedAuthor, FetchedItem
from beffroi.connectors.runtime import connector_for
from beffroi.connectors.testing import Router, load_fixture
from beffroi.core.roles import Role
from beffroi.workspace.actions import checks, outbox
from beffroi.workspace.actions.decisions import do_private_reply
from beffroi.workspace.actions.ingest import do_ingest_item
from beffroi.workspace.actions.undo import do_undo
from beffroi.workspace.models import Account, Item, OutboxEntry, OutboxState

pytestmark = pytest.mark.django_db

FB_FIXTURES = "src/beffroi/connectors/facebook/tests/x.py"  # load_fixture looks in the folder's fixtures/
PAGE = "104820123456789"
COMMENT = "801000000000002_900000000000077"


@pytest.fixture
def item(commune: Any) -> Item:
    account = Account(commune=commune, platform="facebook", external_id=PAGE, name="Page de la mairie")
    account.set_credentials({"access_token": "EAAPAGETOKEN", "app_secret": "app-secret"})
    account.save()
    fetched = FetchedItem(
        external_id=COMMENT,
        kind="comment",
        text="Quand le marché rouvre-t-il ? Je vous écris aussi en privé.",
        published_at=timezone.now() - dt.timedelta(hours=2),
        author=FetchedAuthor(external_id="7770001", display_name="Habitante Exemple"),
        parent_external_id=f"{PAGE}_801000000000002",
        thread_external_id=f"{PAGE}_801000000000002",
    )
    stored, _ = do_ingest_item(commune=commune, fetched=fetched, account=account)
    return stored


def deliver(entry: OutboxEntry, router: Router) -> OutboxEntry:
    account = entry.account
    assert account is not None
    delivered = outbox.deliver(entry.pk, connector=connector_for(account, http=router.http(retries=0)))
    assert delivered is not None
    return delivered


def test_a_second_private_reply_is_refused_while_the_first_waits(item: Item, make_member: Any) -> None:
    manager = make_member(item.commune, Role.COMMUNITY_MANAGER)
    first = do_private_reply(item, manager, "Bonjour, le marché rouvre samedi.")
    entry = OutboxEntry.objects.get(decision=first)
    assert entry.state == OutboxState.PENDING  # not sent yet (the delivery runs after the commit)

    with pytest.raises(checks.ActionError) as refused:
        do_private_reply(item, manager, "Bonjour, une autre réponse.")
    assert "déjà en cours d'envoi" in refused.value.message and "Facebook n'en permet qu'une" in refused.value.message
    assert OutboxEntry.objects.filter(item=item, action="private_reply").count() == 1

    # The waiting entry itself is delivered: it does not count against itself.
    router = Router().add("POST", f"/v21.0/{PAGE}/messages", json=load_fixture(FB_FIXTURES, "private_reply.json"))
    assert deliver(entry, router).state == OutboxState.APPLIED
    assert len(router.calls("POST", f"/v21.0/{PAGE}/messages")) == 1

    with pytest.raises(checks.ActionError) as again:
        do_private_reply(item, manager, "Bonjour, encore.")
    assert "déjà été envoyée" in again.value.message


def test_a_cancelled_private_reply_no_longer_counts(item: Item, make_member: Any) -> None:
    manager = make_member(item.commune, Role.COMMUNITY_MANAGER)
    first = do_private_reply(item, manager, "Bonjour, le marché rouvre samedi.")
    do_undo(first, manager)  # nothing reached Facebook: the entry is cancelled
    assert OutboxEntry.objects.get(decision=first).state == OutboxState.CANCELLED
    second = do_private_reply(item, manager, "Bonjour, le marché rouvre samedi matin.")
    assert OutboxEntry.objects.get(decision=second).state == OutboxState.PENDING


def test_the_item_screen_explains_why_the_private_reply_is_unavailable(item: Item, client_as: Any) -> None:
    client = client_as(item.commune, Role.COMMUNITY_MANAGER)
    do_private_reply(item, client.user, "Bonjour, le marché rouvre samedi.")
    page = client.get(reverse("workspace:item", kwargs={"commune": item.commune.slug, "item_id": item.pk}))
    assert page.status_code == 200
    html = page.content.decode().replace("&#x27;", "'")
    assert "Message privé impossible" in html and "déjà en cours d'envoi" in html
