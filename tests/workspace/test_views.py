"""The moderation screens: inbox filters and search, the queue ordered by deadline, the item screen
(thread, highlighted evidence, reasons, history), actions answered as JSON with an undo, the undo
notice without JavaScript, and what each role sees."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.workspace.models import Decision, Item, ItemKind, ItemStatus, OutboxEntry, SavedReply, Service

pytestmark = pytest.mark.django_db


def url(commune, path: str) -> str:
    return f"/c/{commune.slug}/{path}"


def test_inbox_lists_every_platform_and_filters(client_as, commune, make_item, platform) -> None:
    client = client_as(commune, Role.COMMUNITY_MANAGER)
    from beffroi.workspace.models import Account

    other = Account.objects.create(commune=commune, platform="mastodon", external_id="masto-1", name="Mastodon de la ville")
    a = make_item("Bravo pour le marché de Noël", labels=("praise",), status=ItemStatus.TODO)
    b = make_item("Vous êtes des incapables", labels=("insult",), action="review", evidence="incapables")
    c = make_item("Quand ferme la piscine municipale ?", labels=("question",), status=ItemStatus.TODO, on=other)
    page = client.get(url(commune, "boite/"))
    assert page.status_code == 200
    body = page.content.decode()
    for item in (a, b, c):
        assert f'id="item-{item.pk}"' in body
    assert '<mark class="evidence"' in body and ">incapables</mark>" in body

    def ids(query: str) -> set[int]:
        html = client.get(url(commune, f"boite/?{query}")).content.decode()
        return {i.pk for i in (a, b, c) if f'id="item-{i.pk}"' in html}

    assert ids("platform=mastodon") == {c.pk}
    assert ids(f"account={other.pk}") == {c.pk}
    assert ids("label=insult") == {b.pk}
    assert ids("status=todo") == {a.pk, c.pk}
    assert ids("q=piscine") == {c.pk}
    assert ids("q=noel") == {a.pk}  # accents and case do not matter
    assert ids("q=incap") == {b.pk}  # word beginnings
    assert ids('q="marché de noël"') == {a.pk}
    assert ids("q=-piscine") == {a.pk, b.pk}
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert ids(f"since={tomorrow}") == set()
    # A wrong period is explained, not ignored.
    bad = client.get(url(commune, f"boite/?since={tomorrow}&until=2020-01-01")).content.decode()
    assert "La date de fin doit être après la date de début." in bad


def test_queue_is_ordered_by_deadline_and_shows_what_is_left(client_as, commune, make_item) -> None:
    client = client_as(commune, Role.SECRETAIRE)
    now = timezone.now()
    later = make_item("Bouffon", labels=("insult",), action="review", deadline_at=now + dt.timedelta(hours=30))
    sooner = make_item("Minable", labels=("insult",), action="review", deadline_at=now + dt.timedelta(hours=2))
    late = make_item("Nullard", labels=("insult",), action="review", deadline_at=now - dt.timedelta(hours=3))
    make_item("Merci !", labels=("praise",), status=ItemStatus.TODO)
    body = client.get(url(commune, "a-revoir/")).content.decode()
    positions = [body.index(f'id="item-{i.pk}"') for i in (late, sooner, later)]
    assert positions == sorted(positions)
    assert "Merci !" not in body
    assert "en retard de 3 h" in body


def test_item_screen_shows_thread_evidence_reasons_and_history(client_as, commune, make_item, platform) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    parent = make_item("Les travaux commencent lundi.", status=ItemStatus.DONE)
    item = make_item("Espèce de guignol, démissionne", labels=("insult",), action="hide", evidence="guignol", parent=parent)
    reply = make_item("Restez courtois svp", status=ItemStatus.DONE, parent=item)
    body = client.get(url(commune, f"element/{item.pk}/")).content.decode()
    assert "Les travaux commencent lundi." in body and "Restez courtois svp" in body
    assert '<mark class="evidence" title="Insulte">guignol</mark>' in body
    assert "règle « insulte »" in body  # the rule that fired, in words
    assert "Masquer" in body and "Message à l'auteur" in body
    assert "Journal d'audit" in body  # the director may read the audit
    from beffroi.workspace.actions.decisions import do_hide_item

    do_hide_item(item, client.user, message="Merci de rester courtois.", message_via="reply")
    body = client.get(url(commune, f"element/{item.pk}/")).content.decode()
    assert "Masquer" in body and "Merci de rester courtois." in body
    assert "en attente" in body
    assert reply.pk  # the reply stays visible in the thread


def test_action_as_json_gives_an_undo_that_works(client_as, commune, make_item, platform) -> None:
    client = client_as(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Abruti", labels=("insult",), action="hide")
    response = client.post(url(commune, f"element/{item.pk}/agir/hide/"), HTTP_ACCEPT="application/json")
    data = response.json()
    assert data["ok"] is True and data["message"] == "Élément masqué."
    decision = Decision.objects.get(item=item, kind="hide")
    assert data["undo"]["decisions"] == [decision.pk]
    undone = client.post(data["undo"]["url"], {"decisions": ",".join(map(str, data["undo"]["decisions"]))}, HTTP_ACCEPT="application/json")
    assert undone.json()["ok"] is True
    item.refresh_from_db()
    assert item.status == ItemStatus.REVIEW
    assert OutboxEntry.objects.get(decision=decision).state == "cancelled"
    assert platform.store.requests == []  # the platform never saw the hide


def test_refused_action_is_explained_in_french(client_as, commune, make_item) -> None:
    client = client_as(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Bof", labels=(), status=ItemStatus.DONE)
    response = client.post(url(commune, f"element/{item.pk}/agir/delete/"), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "définitive" in response.json()["message"]
    response = client.post(url(commune, f"element/{item.pk}/agir/keep/"), HTTP_ACCEPT="application/json")
    assert response.json()["message"] == "Cet élément est déjà traité."


def test_undo_notice_without_javascript(client_as, commune, make_item) -> None:
    client = client_as(commune, Role.SECRETAIRE)
    item = make_item("Pauvre type", labels=("insult",), action="review")
    response = client.post(url(commune, f"element/{item.pk}/agir/keep/"), {"next": url(commune, "a-revoir/")})
    assert response.status_code == 302 and response["Location"] == url(commune, "a-revoir/")
    body = client.get(response["Location"]).content.decode()
    assert "Élément conservé." in body and "data-undo-banner" in body and "Annuler" in body
    # Shown once.
    assert "data-undo-banner" not in client.get(url(commune, "a-revoir/")).content.decode()


def test_bulk_actions_report_what_was_skipped(client_as, commune, make_item, platform) -> None:
    client = client_as(commune, Role.COMMUNITY_MANAGER)
    one = make_item("Idiot", labels=("insult",), action="review")
    two = make_item("Crétin", labels=("insult",), action="review")
    done = make_item("Merci", status=ItemStatus.DONE)
    response = client.post(
        url(commune, "actions-groupees/"), {"action": "keep", "items": [one.pk, two.pk, done.pk]}, HTTP_ACCEPT="application/json"
    )
    data = response.json()
    assert sorted(data["done"]) == sorted([one.pk, two.pk]) and data["skipped"] == [done.pk]
    assert "1 ignoré(s)" in data["message"] and "déjà traité" in data["message"]
    assert len(data["undo"]["decisions"]) == 2
    client.post(data["undo"]["url"], {"decisions": ",".join(map(str, data["undo"]["decisions"]))})
    assert set(Item.objects.filter(pk__in=[one.pk, two.pk]).values_list("status", flat=True)) == {ItemStatus.REVIEW}


def test_reply_with_a_saved_reply_and_route_to_a_service(
    client_as, commune, make_item, platform, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client = client_as(commune, Role.SECRETAIRE)
    service = Service.objects.create(commune=commune, name="Voirie", email="voirie@saint-aubin.example")
    saved = SavedReply.objects.create(commune=commune, title="Voirie", text="Bonjour, le service voirie a été prévenu.", kind="answer")
    item = make_item("Un nid-de-poule rue Pasteur, qui s'en occupe ?", labels=("question",), status=ItemStatus.TODO)
    body = client.get(url(commune, f"element/{item.pk}/")).content.decode()
    assert 'data-text="Bonjour, le service voirie a été prévenu."' in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(commune, f"element/{item.pk}/agir/route/"), {"service": service.pk, "note": "Photo jointe sur Facebook"})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["voirie@saint-aubin.example"] and "nid-de-poule" in mailoutbox[0].body
    client.post(url(commune, f"element/{item.pk}/agir/reply/"), {"saved_reply": saved.pk, "text": ""})
    decision = Decision.objects.get(item=item, kind="reply")
    assert decision.message == saved.text
    saved.refresh_from_db()
    assert saved.uses == 1


def test_message_preview_follows_the_label(client_as, commune, make_item) -> None:
    """The proposed message is the charter's template for the chosen label, filled with the article
    that label cites (id and title) and the commune."""
    from beffroi.domain.moderation.charter import LABEL_NAMES_FR
    from beffroi.domain.moderation.types import Label
    from beffroi.workspace.actions.charter import current_charter

    client = client_as(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Tocard", labels=("insult",), action="review")
    charter = current_charter(commune)
    spam = charter.policy(Label.SPAM)
    article = charter.article(spam.article)
    assert article is not None and (article.id, article.title) == ("art-8", "Publicité et messages indésirables")
    text = client.get(url(commune, f"element/{item.pk}/message/?label=spam")).content.decode()
    # No template of its own for spam: the charter's general "hide" template, filled in.
    template = charter.messages["hide"]
    assert "spam" not in charter.messages
    assert text == template.format(
        article="art-8", article_title="Publicité et messages indésirables", label=LABEL_NAMES_FR[Label.SPAM], commune="Saint-Aubin"
    )
    assert "l'article art-8 (« Publicité et messages indésirables ») de la charte de modération de Saint-Aubin" in text
    assert "vos questions et vos critiques restent les bienvenues" in text  # the template's own words
    # A label with its own template: that one, with its own article.
    private = client.get(url(commune, f"element/{item.pk}/message/?label=personal_data")).content.decode()
    assert "Pour protéger la vie privée de chacun" in private and "article art-6, « Vie privée et données personnelles »" in private
    assert private != text


def test_the_message_edited_before_sending_is_the_one_sent(
    client_as, commune, make_item, platform, django_capture_on_commit_callbacks
) -> None:
    client = client_as(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Tocard", labels=("insult",), action="review")
    proposed = client.get(url(commune, f"element/{item.pk}/message/?label=insult")).content.decode()
    edited = "Bonjour Jean, votre message a été masqué : merci de rester courtois (article art-2 de notre charte)."
    assert edited != proposed
    page = client.get(url(commune, f"element/{item.pk}/")).content.decode()
    assert 'name="message"' in page and 'value="reply"' in page  # the hide form lets the message be edited
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(commune, f"element/{item.pk}/agir/hide/"),
            {"label": "insult", "message": edited, "send_message": "on", "message_via": "reply"},
        )
    assert response.status_code == 302
    reply = Decision.objects.get(item=item, kind="reply")
    assert reply.message == edited and reply.data["to_author"] is True
    entry = OutboxEntry.objects.get(decision=reply)
    assert entry.action == "reply" and entry.payload == {"text": edited}
    sent = [o for o in platform.store.objects.values() if o["kind"] == "reply" and o["parent_id"] == item.external_id]
    assert [o["text"] for o in sent] == [edited]  # the platform got the edited text, not the template
    assert proposed not in [o["text"] for o in platform.store.objects.values()]


def test_private_messages_never_render_for_volunteers(client_as, commune, make_item) -> None:
    secret = make_item("Je vais vous retrouver", labels=("threat",), action="hide", kind=ItemKind.PRIVATE_MESSAGE)
    public = make_item("Commentaire public", labels=("insult",), action="review")
    volunteer = client_as(commune, Role.MODERATEUR_BENEVOLE)
    for page in ("boite/", "a-revoir/", "", "boite/?kind=private_message", "boite/?q=retrouver"):
        body = volunteer.get(url(commune, page)).content.decode()
        assert "Je vais vous retrouver" not in body
    assert f'id="item-{public.pk}"' in volunteer.get(url(commune, "boite/")).content.decode()
    assert volunteer.get(url(commune, f"element/{secret.pk}/")).status_code == 404
    assert volunteer.get(url(commune, f"element/{secret.pk}/etat/")).status_code == 404
    assert volunteer.post(url(commune, f"element/{secret.pk}/agir/hide/")).status_code == 404
    counts = json.loads(volunteer.get(url(commune, "api/compteurs/")).content)["counts"]
    assert counts["review"] == 1
    # The secretary sees it.
    secretary = client_as(commune, Role.SECRETAIRE)
    assert "Je vais vous retrouver" in secretary.get(url(commune, "boite/")).content.decode()


def test_mayor_reads_the_dashboard_but_no_moderation_buttons(client_as, commune, make_item) -> None:
    item = make_item("Honte à vous", labels=("insult",), action="review")
    mayor = client_as(commune, Role.ELU)
    assert mayor.get(url(commune, "")).status_code == 200
    body = mayor.get(url(commune, f"element/{item.pk}/")).content.decode()
    assert "agir/hide/" not in body and "agir/keep/" not in body
    assert mayor.get(url(commune, "a-revoir/")).status_code == 403


def test_duty_settings_recompute_deadlines_and_validate(client_as, commune, make_item) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    item = make_item("Ordure", labels=("insult",), action="review")
    page = client.get(url(commune, "astreinte/")).content.decode()
    assert "Lundi de Pentecôte" in page or "Lundi de Pâques" in page or "Noël" in page
    bad = client.post(url(commune, "astreinte/"), {"working_days": [], "work_start": "17:00", "work_end": "09:00"})
    body = bad.content.decode()
    assert "Cochez au moins un jour de travail." in body and "La fin de journée doit être après son début." in body
    # Seen on Monday 10 March 2025 at 10:00 (no public holiday in the following week).
    seen = dt.datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    Item.objects.filter(pk=item.pk).update(first_seen_at=seen, deadline_at=seen + dt.timedelta(days=2))
    response = client.post(
        url(commune, "astreinte/"),
        {
            "working_days": ["0", "1", "3", "4"],
            "work_start": "08:30",
            "work_end": "12:30",
            "review_deadline_hours": "16",
            "reminder_before_hours": "2",
            "oncall_deadline_hours": "4",
            "oncall_labels": ["hate", "threat"],
            "recompute": "on",
        },
    )
    assert response.status_code == 302
    commune.refresh_from_db()
    assert commune.working_days == [0, 1, 3, 4] and commune.review_deadline_hours == 16
    item.refresh_from_db()
    # 16 working hours of 8:30-12:30, Wednesdays off: Monday 10:00-12:30 (2.5 h), Tuesday (4 h),
    # Thursday (4 h), Friday (4 h), then 1.5 h on Monday 17 March: 10:00.
    assert item.deadline_at == dt.datetime(2025, 3, 17, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    audit = AuditRecord.objects.get(verb="commune.duty_settings")
    assert audit.actor == client.user and audit.data["recomputed"] == 1


def test_sending_queue_blocks_and_block_request_screens(client_as, commune, make_member, make_item, platform) -> None:
    from beffroi.connectors.testplatform import Fault
    from beffroi.workspace.actions import outbox
    from beffroi.workspace.actions.decisions import do_hide_item
    from beffroi.workspace.models import BlockRequest

    client = client_as(commune, Role.SECRETAIRE)
    item = make_item("Je sais où tu habites", labels=("threat",), action="review")
    entry = OutboxEntry.objects.get(decision=do_hide_item(item, client.user)[0])
    platform.store.inject(Fault("401", action="hide"))
    outbox.deliver(entry.pk)
    page = client.get(url(commune, "envois/")).content.decode()
    assert "Échoués (1)" in page and "La plateforme refuse le jeton" in page and "Réessayer" in page

    form = client.get(url(commune, f"element/{item.pk}/bloquer/")).content.decode()
    assert "Motif du blocage" in form and "appliqué sur" in form
    refused = client.post(url(commune, f"element/{item.pk}/bloquer/"), {"reason": "", "duration_days": "30"}).content.decode()
    assert "Indiquez le motif du blocage." in refused
    response = client.post(url(commune, f"element/{item.pk}/bloquer/"), {"reason": "Menaces répétées", "duration_days": "30"})
    assert response.status_code == 302
    request = BlockRequest.objects.get(author=item.author)
    blocks = client.get(url(commune, "blocages/")).content.decode()
    assert "Menaces répétées" in blocks and "une autre personne doit l'approuver" in blocks
    # The requester cannot approve through the screen either.
    client.post(url(commune, f"blocages/{request.pk}/approuver/"))
    request.refresh_from_db()
    assert request.state == BlockRequest.State.PENDING
    other = client_as(commune, Role.COMMUNITY_MANAGER)
    other.post(url(commune, f"blocages/{request.pk}/approuver/"), {"note": "D'accord"})
    request.refresh_from_db()
    assert request.state == BlockRequest.State.APPROVED and request.approved_by == other.user


def test_on_call_roster(client_as, commune, make_member) -> None:
    from beffroi.workspace.models import OnCallShift

    client = client_as(commune, Role.DIRECTION_COM)
    secretary = make_member(commune, Role.SECRETAIRE)
    outsider = make_member(commune.__class__.objects.create(slug="ailleurs", name="Ailleurs"), Role.SECRETAIRE)
    refused = client.post(url(commune, "astreinte/ajouter/"), {"user": outsider.pk})
    assert refused.status_code == 302 and not OnCallShift.objects.exists()  # not a member of this commune
    client.post(url(commune, "astreinte/ajouter/"), {"user": secretary.pk, "note": "week-end"})
    shift = OnCallShift.objects.get(commune=commune)
    assert shift.user == secretary and shift.starts_at is None
    page = client.get(url(commune, "astreinte/")).content.decode()
    assert "week-end" in page
    client.post(url(commune, f"astreinte/{shift.pk}/retirer/"))
    assert not OnCallShift.objects.exists()


@pytest.mark.parametrize(
    ("next_url", "safe"),
    [
        ("/c/saint-aubin/a-revoir/?status=review", True),
        ("https://evil.example/phish", False),
        ("//evil.example/phish", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("http://testserver/c/saint-aubin/a-revoir/", False),  # same host, but not a relative path
        ("a-revoir/", False),
    ],
)
def test_back_link_only_follows_relative_paths_of_this_site(client_as, commune, make_item, next_url, safe) -> None:
    from django.utils.html import escape
    from django.utils.http import urlencode

    client = client_as(commune, Role.SECRETAIRE)
    item = make_item("Pauvre type", labels=("insult",), action="review")
    response = client.get(url(commune, f"element/{item.pk}/") + "?" + urlencode({"next": next_url}))
    back = response.context["back_url"]
    assert back == (next_url if safe else url(commune, "boite/"))
    body = response.content.decode()
    link = body.split("← Retour")[0].rsplit("<a ", 1)[1]
    assert link == f'href="{escape(back)}">'
    assert "evil.example" not in link and "javascript:" not in link


def test_sending_queue_hides_author_blocks_from_roles_that_may_not_block(
    client_as, commune, make_member, make_item, platform
) -> None:
    from beffroi.connectors.testplatform import Fault
    from beffroi.workspace.actions import outbox
    from beffroi.workspace.actions.blocking import do_approve_block, do_request_block
    from beffroi.workspace.actions.checks import ActionForbidden
    from beffroi.workspace.actions.decisions import do_hide_item

    secretary = make_member(commune, Role.SECRETAIRE)
    manager = make_member(commune, Role.COMMUNITY_MANAGER)
    item = make_item("Je sais où tu habites", labels=("threat",), action="review")
    hide = OutboxEntry.objects.get(decision=do_hide_item(item, secretary)[0])
    request = do_request_block(item.author, secretary, reason="Menaces répétées", duration_days=30, item=item)
    do_approve_block(request, manager)
    block = OutboxEntry.objects.get(action="block_author")
    platform.store.inject(Fault("401", action="*"))
    outbox.deliver(hide.pk)
    outbox.deliver(block.pk)
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {"failed"}

    def listed(client) -> set[str]:
        context = client.get(url(commune, "envois/")).context
        return {entry.action for entry in [*context["failed"], *context["waiting"], *context["applied"]]}

    assert listed(client_as(commune, Role.SECRETAIRE)) == {"hide", "block_author"}
    volunteer_client = client_as(commune, Role.MODERATEUR_BENEVOLE)
    assert listed(volunteer_client) == {"hide"}  # may moderate, may not block: the block is not shown
    assert volunteer_client.post(url(commune, f"envois/{block.pk}/reessayer/")).status_code == 404
    with pytest.raises(ActionForbidden):
        outbox.retry(block, volunteer_client.user)
    block.refresh_from_db()
    assert block.state == "failed"


def test_item_screen_points_to_a_complaint_or_pharos(client_as, commune, make_item, make_member) -> None:
    from beffroi.workspace.actions.decisions import do_hide_item

    insult = make_item("Le maire est un guignol", labels=("insult",), action="review")
    threat = make_item("Je vais te retrouver", labels=("threat",), action="review")
    hate = make_item("Propos haineux", labels=("hate",), action="review")
    criticism = make_item("Ce parking coûte trop cher", labels=("criticism",))
    director = client_as(commune, Role.DIRECTION_COM)

    def page(client, item) -> str:
        return client.get(url(commune, f"element/{item.pk}/")).content.decode()

    body = page(director, insult)
    assert "Voie conseillée : plainte</strong> (Injure ou diffamation envers une personne)" in body
    assert "TROIS MOIS" in body and "Signalement PHAROS" not in body
    body = page(director, threat)
    assert "Voie conseillée : plainte</strong> (Menaces)" in body and "Signalement PHAROS" in body
    body = page(director, hate)
    assert "Voie conseillée : plainte" not in body
    assert "Signalement PHAROS</strong> (<a href=\"https://www.internet-signalement.gouv.fr\"" in body
    assert "Propos haineux (racisme" in body
    body = page(director, criticism)
    assert "Voie conseillée" not in body and "Signalement PHAROS" not in body
    # No decision yet: no evidence, so no pack to build.
    assert "evidence-pack-form" not in page(director, insult) and "pourra être créé après une décision" in page(director, insult)
    do_hide_item(insult, make_member(commune, Role.DIRECTION_COM))
    body = page(director, insult)
    seq = insult.evidence.get().seq
    assert 'class="evidence-pack-form"' in body and f'name="seqs" value="{seq}"' in body and 'name="purpose" value="plainte"' in body
    pack = director.post(url(commune, "preuves/export/"), {"seqs": [str(seq)], "purpose": "plainte", "fmt": "zip"})
    assert pack.status_code == 200 and pack["Content-Type"] == "application/zip"
    # The hint is shown to every reader; only roles that may export evidence get the pack.
    volunteer_body = page(client_as(commune, Role.MODERATEUR_BENEVOLE), insult)
    assert "Voie conseillée : plainte" in volunteer_body and "evidence-pack-form" not in volunteer_body
    assert "preuves/export/" not in volunteer_body
