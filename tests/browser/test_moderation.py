"""The moderation workflow in a real browser (Debian's chromium): log in, work the review queue with
the keyboard, hide with a message to the author, undo — on a desktop screen and on a phone.
Screenshots of the inbox, the queue, the item screen and the phone view go to docs/screenshots/ with
BEFFROI_UPDATE_SCREENSHOTS=1 (see ``conftest.screenshot_dir``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from beffroi.core.roles import Role
from beffroi.workspace.models import (
    Decision,
    Item,
    ItemKind,
    ItemStatus,
    OutboxEntry,
    PlatformState,
    SavedReply,
    Service,
)
from tests.browser.conftest import screenshot
from tests.workspace.conftest import REASONS, make_account

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def test_platform() -> Any:
    from beffroi.connectors.testplatform import PlatformStore, TestPlatformServer

    server = TestPlatformServer(PlatformStore(page_id="page-1", page_name="Ville de Saint-Aubin")).start()
    server.store.add_post("Les travaux de la rue des Écoles commencent lundi 7 h.", post_id="post-1")
    yield server
    server.stop()


def seed(commune: Any, platform: Any) -> dict[str, Item]:
    """A realistic little queue: insults, a threat, a question, thanks, on two accounts."""
    from beffroi.workspace.models import Author, Verdict

    account = make_account(commune, platform, name="Ville de Saint-Aubin (Facebook)")
    now = timezone.now()
    post = Item.objects.create(
        commune=commune, account=account, platform="replay", external_id="post-1", kind=ItemKind.POST,
        text="Les travaux de la rue des Écoles commencent lundi 7 h.", published_at=now - dt.timedelta(hours=30),
        first_seen_at=now - dt.timedelta(hours=30), is_from_commune=True, status=ItemStatus.DONE,
    )
    rows = [
        ("insult", "Bande d'incapables, vous n'êtes bons qu'à bloquer la circulation", "incapables", "Gérard P.", 3),
        ("threat", "Si je croise le maire il va le regretter", "il va le regretter", "Anonyme 62", 26),
        ("insult", "Espèce de guignol, démissionne !", "guignol", "Lucie R.", 40),
        ("question", "Bonjour, la rue sera-t-elle fermée le samedi aussi ?", "", "Samia B.", None),
        ("praise", "Merci pour l'info, enfin des trottoirs refaits !", "", "Paul T.", None),
    ]
    items = {}
    for n, (label, text, evidence, author_name, hours_left) in enumerate(rows):
        obj = platform.store.add_comment("post-1", text, author={"id": f"u-{n}", "name": author_name})
        author = Author.objects.create(commune=commune, platform="replay", external_id=f"u-{n}", display_name=author_name)
        status = ItemStatus.REVIEW if hours_left is not None else ItemStatus.TODO
        item = Item.objects.create(
            commune=commune, account=account, platform="replay", external_id=obj["id"], kind=ItemKind.COMMENT,
            author=author, parent=post, parent_external_id="post-1", text=text,
            published_at=now - dt.timedelta(minutes=20 * (n + 1)), first_seen_at=now - dt.timedelta(minutes=20 * (n + 1)),
            status=status, deadline_at=now + dt.timedelta(hours=hours_left) if hours_left is not None else now + dt.timedelta(hours=40),
            oncall=label == "threat",
        )
        reasons = []
        for reason in REASONS.get(label, [{"label": label, "source": "model:linear", "score": 0.9, "evidence": [], "article": "", "detail": ""}]):
            reason = dict(reason)
            if evidence:
                start = text.index(evidence)
                reason["evidence"] = [{"start": start, "end": start + len(evidence), "text": evidence}]
            reasons.append(reason)
        verdict = Verdict.objects.create(
            item=item, labels=[label], scores={label: 0.93}, action="review" if hours_left is not None else "keep",
            reasons=reasons, article=reasons[0]["article"],
        )
        item.current_verdict = verdict
        item.save()
        items[label if label not in items else f"{label}2"] = item
    Service.objects.create(commune=commune, name="Voirie", email="voirie@saint-aubin.example")
    SavedReply.objects.create(commune=commune, title="Travaux : fermeture", text="Bonjour, la rue reste ouverte le samedi.", kind="answer")
    return items


def test_work_the_queue_with_the_keyboard_hide_with_a_message_and_undo(
    page: Any, live_server: Any, login: Any, commune: Any, make_member: Any, test_platform: Any
) -> None:
    items = seed(commune, test_platform)
    user = make_member(commune, Role.SECRETAIRE, username="martine")
    login(page, user)
    page.goto(f"{live_server.url}/c/{commune.slug}/a-revoir/")
    assert page.get_by_role("heading", name=re.compile("À revoir")).is_visible()
    cards = page.locator(".item-card")
    assert cards.count() == 3
    # Most urgent first: the insult due in 3 h.
    assert "incapables" in cards.first.inner_text()
    assert page.locator("mark.evidence", has_text="incapables").is_visible()
    screenshot(page, "file-a-revoir")

    # j → first item; c → keep it; the toast offers "Annuler".
    page.keyboard.press("j")
    assert "is-current" in (cards.first.get_attribute("class") or "")
    page.keyboard.press("c")
    toast = page.locator("#toast")
    toast.get_by_text("Élément conservé.").wait_for()
    expect(page.locator(".item-card")).to_have_count(2)
    assert Item.objects.get(pk=items["insult"].pk).status == ItemStatus.DONE
    # u → undo: the item is back in the queue.
    page.keyboard.press("u")
    toast.get_by_text(re.compile("Décision annulée")).wait_for()
    expect(page.locator(".item-card")).to_have_count(3)
    assert Item.objects.get(pk=items["insult"].pk).status == ItemStatus.REVIEW

    # k/j move; m opens "hide with a message" on the current item, prefilled from the charter.
    page.keyboard.press("j")
    page.keyboard.press("j")
    current = page.locator(".item-card.is-current")
    assert "guignol" in current.inner_text() or "regretter" in current.inner_text()
    page.keyboard.press("k")
    page.keyboard.press("k")
    current = page.locator(".item-card.is-current")
    assert "incapables" in current.inner_text()
    page.keyboard.press("m")
    message = current.locator("textarea[data-message]")
    message.wait_for()
    assert message.input_value().startswith("Bonjour")
    message.fill("Bonjour Gérard, votre message a été masqué : il ne respecte pas l'article 3 de notre charte. Vos critiques restent les bienvenues.")
    assert current.locator("input[name=message_via][value=private_reply]").is_checked()
    screenshot(page, "file-masquer-avec-message")
    current.get_by_role("button", name="Confirmer le masquage").click()
    toast.get_by_text(re.compile("Élément masqué.")).wait_for()
    expect(page.locator(".item-card")).to_have_count(2)
    insult = Item.objects.get(pk=items["insult"].pk)
    assert insult.platform_state == PlatformState.HIDDEN
    assert test_platform.store.objects[insult.external_id]["hidden"] is True
    assert test_platform.store.messages[0]["text"].startswith("Bonjour Gérard")

    # "Annuler" in the toast: the comment is shown again (the private message had already left).
    toast.get_by_role("button", name="Annuler").click()
    toast.get_by_text(re.compile("Décision annulée")).wait_for()
    expect(page.locator(".item-card")).to_have_count(3)
    assert test_platform.store.objects[insult.external_id]["hidden"] is False
    assert Decision.objects.filter(item=insult, kind="unhide", actor=user).exists()
    assert set(OutboxEntry.objects.filter(item=insult).values_list("state", flat=True)) == {"applied"}

    # ? shows the keyboard help.
    page.keyboard.press("?")
    assert page.locator("#keyboard-help[open]").is_visible()


def test_inbox_and_item_screen(page: Any, live_server: Any, login: Any, commune: Any, make_member: Any, test_platform: Any) -> None:
    items = seed(commune, test_platform)
    user = make_member(commune, Role.COMMUNITY_MANAGER, username="yanis")
    login(page, user)
    page.goto(f"{live_server.url}/c/{commune.slug}/boite/")
    assert page.locator(".item-card").count() == 6
    page.get_by_text("Filtrer et rechercher").click()
    page.get_by_label("Rechercher").fill("trottoirs")
    page.get_by_role("button", name="Appliquer", exact=True).click()
    page.wait_for_url(re.compile("q=trottoirs"))
    assert page.locator(".item-card").count() == 1
    page.goto(f"{live_server.url}/c/{commune.slug}/boite/")
    screenshot(page, "boite-de-reception")

    page.goto(f"{live_server.url}/c/{commune.slug}/element/{items['threat'].pk}/")
    assert page.get_by_role("heading", name=re.compile("Anonyme 62 · commentaire")).is_visible()
    assert page.locator("mark.evidence", has_text="il va le regretter").first.is_visible()
    assert page.get_by_text("Les travaux de la rue des Écoles").first.is_visible()  # the thread around it
    assert page.get_by_text("règle « menace »").is_visible()
    screenshot(page, "element")
    # Escalate with a note, from the item screen (works without the list's script too).
    page.get_by_text("Transmettre à la direction").first.click()
    page.get_by_label("Pourquoi ? (la direction reçoit un e-mail)").fill("Menace envers le maire : plainte ?")
    page.get_by_role("button", name="Transmettre", exact=True).click()
    page.get_by_text("Élément transmis à la direction.").first.wait_for()
    assert Item.objects.get(pk=items["threat"].pk).status == ItemStatus.ESCALATED
    assert page.locator("[data-undo-banner]").is_visible()

    # A question: answer with a saved reply.
    page.goto(f"{live_server.url}/c/{commune.slug}/element/{items['question'].pk}/")
    page.get_by_label("Réponse enregistrée").select_option(label="Travaux : fermeture")
    assert page.get_by_label("Texte de la réponse").input_value() == "Bonjour, la rue reste ouverte le samedi."
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.get_by_text("Réponse envoyée.").first.wait_for()
    replies = test_platform.store.replies_of(items["question"].external_id)
    assert [r["text"] for r in replies] == ["Bonjour, la rue reste ouverte le samedi."]


def test_phone_view(phone_page: Any, live_server: Any, login: Any, commune: Any, make_member: Any, test_platform: Any) -> None:
    items = seed(commune, test_platform)
    user = make_member(commune, Role.SECRETAIRE, username="martine")
    login(phone_page, user)
    phone_page.goto(f"{live_server.url}/c/{commune.slug}/a-revoir/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    first = phone_page.locator(".item-card").first
    box = first.get_by_role("button", name=re.compile("Masquer")).bounding_box()
    assert box is not None and box["height"] >= 40  # big enough for a thumb
    screenshot(phone_page, "telephone-file-a-revoir")
    first.get_by_role("button", name=re.compile("Conserver")).tap()
    phone_page.locator("#toast").get_by_text("Élément conservé.").wait_for()
    assert Item.objects.get(pk=items["insult"].pk).status == ItemStatus.DONE
    phone_page.goto(f"{live_server.url}/c/{commune.slug}/element/{items['guignol' if 'guignol' in items else 'insult2'].pk}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "telephone-element")
