"""Mastodon's own actions from the item screen, end to end: « Filtrer pour le compte de la commune »
(filters v2) and « Mettre l'auteur en sourdine » (account_mute), offered only for Mastodon, with the
French explanation; a decision, an audit record and an outbox entry; applied on the fake instance
(``fakeserver.py``, the documented API) through Mastodon.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from beffroi.connectors.mastodon.connector import FILTER_EXPLANATION_FR, MUTE_EXPLANATION_FR
from beffroi.connectors.mastodon.tests.fakeserver import FakeMastodon
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role

pytestmark = pytest.mark.django_db

POST, INSULT = "112540000000000001", "112540000000000002"
TROLL = "109000000000000003"


def synced_account(commune: Any, fake: FakeMastodon) -> Any:
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Account

    account = Account(
        commune=commune,
        platform="mastodon",
        external_id="109000000000000001",
        name="Mairie (Mastodon)",
        options={"backfill_days": 20000, "active_days": 20000},  # the fixtures are dated June 2024
    )
    account.set_credentials({"instance_url": fake.url, "access_token": fake.token})
    account.save()
    assert sync_account(account).status == "ok"
    return account


def item_url(item: Any) -> str:
    return reverse("workspace:item", kwargs={"commune": item.commune.slug, "item_id": item.pk})


def act_url(item: Any, action: str) -> str:
    return reverse("workspace:item_action", kwargs={"commune": item.commune.slug, "item_id": item.pk, "action": action})


def deliver_all(item: Any) -> list[Any]:
    """Send the item's waiting outbox entries (after the commit, as the worker would)."""
    from beffroi.workspace.actions import outbox
    from beffroi.workspace.models import OutboxEntry, OutboxState

    done = []
    for entry in OutboxEntry.objects.filter(item=item, state=OutboxState.PENDING).order_by("id"):
        done.append(outbox.deliver(entry.pk))
    return done


def html(response: Any) -> str:
    return str(response.content.decode()).replace("&#x27;", "'").replace("&quot;", '"')


def test_filter_is_offered_with_its_explanation_and_applied_once(fake: FakeMastodon, commune: Any, client_as: Any) -> None:
    from beffroi.workspace.models import Decision, Item, ItemStatus, OutboxEntry

    synced_account(commune, fake)
    insult = Item.objects.get(commune=commune, platform="mastodon", external_id=INSULT)
    client = client_as(commune, Role.COMMUNITY_MANAGER)
    page = html(client.get(item_url(insult)))
    assert "Filtrer pour le compte de la commune" in page and FILTER_EXPLANATION_FR in page
    assert "Mettre l'auteur en sourdine" in page and MUTE_EXPLANATION_FR in page
    # The commune's own post: nothing to filter, its author is the commune.
    post = Item.objects.get(commune=commune, platform="mastodon", external_id=POST)
    own = html(client.get(item_url(post)))
    assert 'action="' + act_url(post, "filter_status") not in own and 'action="' + act_url(post, "mute_author") not in own

    response = client.post(act_url(insult, "filter_status"), {"note": "insulte, signalée aussi"})
    assert response.status_code == 302
    decision = Decision.objects.get(item=insult, kind="filter_status")
    assert decision.actor == client.user and decision.note == "insulte, signalée aussi"
    assert AuditRecord.objects.filter(verb="decision.filter_status", target_id=str(decision.pk)).exists()
    entry = OutboxEntry.objects.get(decision=decision)
    assert entry.action == "filter_status" and entry.state == "pending"
    insult.refresh_from_db()
    assert insult.status == ItemStatus.DONE

    (applied,) = deliver_all(insult)
    assert applied.state == "applied", applied.last_error
    (beffroi_filter,) = [f for f in fake.state.filters if f["title"] == "Beffroi"]
    assert [s["status_id"] for s in beffroi_filter["statuses"]] == [INSULT]
    assert fake.calls("POST", f"/api/v2/filters/{beffroi_filter['id']}/statuses")

    # Filtered already: not offered again, and refused if asked.
    assert 'action="' + act_url(insult, "filter_status") not in html(client.get(item_url(insult)))
    again = client.post(act_url(insult, "filter_status"), HTTP_ACCEPT="application/json")
    assert again.status_code == 400 and "déjà filtré" in again.json()["message"]
    assert Decision.objects.filter(item=insult, kind="filter_status").count() == 1


def test_mute_for_a_chosen_duration_then_undo_lifts_it(fake: FakeMastodon, commune: Any, client_as: Any) -> None:
    from beffroi.workspace.models import Decision, Item, OutboxEntry

    synced_account(commune, fake)
    insult = Item.objects.get(commune=commune, platform="mastodon", external_id=INSULT)
    client = client_as(commune, Role.COMMUNITY_MANAGER)
    response = client.post(act_url(insult, "mute_author"), {"duration_days": "7"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["ok"], response.content
    decision = Decision.objects.get(item=insult, kind="mute_author")
    assert decision.data["duration_days"] == 7
    assert AuditRecord.objects.filter(verb="decision.mute_author", target_id=str(decision.pk)).exists()
    (applied,) = deliver_all(insult)
    assert applied.state == "applied", applied.last_error
    mute = fake.calls("POST", f"/api/v1/accounts/{TROLL}/mute")
    assert len(mute) == 1 and mute[0].body.get("duration") == str(7 * 86400)
    assert fake.state.relationships[TROLL]["muting"] is True

    undo = client.post(
        reverse("workspace:undo", kwargs={"commune": commune.slug}), {"decisions": str(decision.pk)}, HTTP_ACCEPT="application/json"
    )
    assert undo.status_code == 200 and undo.json()["ok"], undo.content
    (lifted,) = deliver_all(insult)
    assert lifted.action == "unmute_author" and lifted.state == "applied", lifted.last_error
    assert fake.state.relationships[TROLL]["muting"] is False
    assert OutboxEntry.objects.filter(item=insult).count() == 2


def test_a_volunteer_without_moderation_rights_and_other_platforms_never_see_them(commune: Any, client_as: Any) -> None:
    """Facebook has no filter or mute: the item screen does not offer them (nor lists them as impossible)."""
    import datetime as dt

    from django.utils import timezone

    from beffroi.connectors.base import FetchedAuthor, FetchedItem
    from beffroi.workspace.actions.ingest import do_ingest_item
    from beffroi.workspace.models import Account

    account = Account(commune=commune, platform="facebook", external_id="104820123456789", name="Page")
    account.set_credentials({"access_token": "EAAPAGETOKEN", "app_secret": "s"})
    account.save()
    item, _ = do_ingest_item(
        commune=commune,
        account=account,
        fetched=FetchedItem(
            external_id="801_1",
            kind="comment",
            text="Bande d'incapables",
            published_at=timezone.now() - dt.timedelta(hours=1),
            author=FetchedAuthor(external_id="777", display_name="Quelqu'un"),
        ),
    )
    page = html(client_as(commune, Role.DIRECTION_COM).get(item_url(item)))
    assert "Filtrer pour le compte de la commune" not in page and "sourdine" not in page
    refused = client_as(commune, Role.DIRECTION_COM).post(act_url(item, "filter_status"), HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and "Facebook ne permet pas" in refused.json()["message"]
