"""Charter editor: the form round-trips the engine's charter, the engine's validation shows in French
on the form, the preview re-judges the last items with the draft (counts and changed items), a save
creates a version and the cached engine follows, the public page."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.domain.moderation import Engine
from beffroi.domain.moderation.charter import dumps, to_dict
from beffroi.workspace.actions import charter as actions
from beffroi.workspace.actions.judging import engine_for
from beffroi.workspace.models import Charter

INSULTS = ["Espèce de connard de maire", "Bande d'abrutis à la mairie", "T'es qu'une ordure"]
CIVIL = ["Merci pour le feu d'artifice, c'était magnifique", "Quand rouvre la piscine ?", "Je trouve cette décision injuste."]


def form_data(charter: Any, **changes: str) -> dict[str, str]:
    """The POST the editor sends for ``charter`` (as a browser would), with ``changes`` applied."""
    values = actions.form_values(charter)
    data: dict[str, str] = {
        "name": values["name"],
        "article-count": str(len(values["articles"])),
        "block-count": str(len(values["blocks"])),
        "allow": values["allow"],
        "note": "",
        "publish": "on",
    }
    for n, article in enumerate(values["articles"]):
        for key in ("id", "title", "text"):
            data[f"article-{n}-{key}"] = article[key]
    for label in values["labels"]:
        key = label["key"]
        data[f"label-{key}-action"] = label["action"]
        data[f"label-{key}-threshold"] = str(label["threshold"])
        data[f"label-{key}-confident"] = str(label["confident"])
        data[f"label-{key}-article"] = label.get("article") or ""
        if label["automatic"]:
            data[f"label-{key}-automatic"] = "on"
    for n, block in enumerate(values["blocks"]):
        data[f"block-{n}-expression"] = block["expression"]
        data[f"block-{n}-label"] = block["label"]
    for key, text in values["messages"].items():
        data[f"message-{key}"] = text
    data.update(changes)
    return data


def as_post(data: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query[key] = value
    return query


@pytest.mark.django_db
def test_the_form_round_trips_the_charter(commune: Any) -> None:
    current = actions.current_charter(commune)
    draft, errors, _ = actions.draft_from_form(as_post(form_data(current)), commune)
    assert not errors and draft is not None
    assert to_dict(draft) == to_dict(current) and dumps(draft) == dumps(current)
    assert draft.commune == "Saint-Aubin"


@pytest.mark.django_db
def test_engine_validation_errors_show_in_french_on_the_right_rows(commune: Any) -> None:
    current = actions.current_charter(commune)
    data = form_data(
        current,
        **{
            "label-criticism-action": "hide",
            "label-spam-threshold": "beaucoup",
            "label-insult-article": "",
            "label-threat-confident": "0,2",
            "article-0-title": "",
        },
    )
    draft, errors, values = actions.draft_from_form(as_post(data), commune)
    assert draft is None
    assert any("ne peut jamais entraîner le masquage" in e for e in errors.labels["criticism"])
    assert "seuil de détection : indiquez un nombre entre 0 et 1 (par exemple 0,5)." in errors.labels["spam"]
    assert any("doit citer un article" in e for e in errors.labels["insult"])
    assert any("seuil d'action" in e and "au moins égal" in e for e in errors.labels["threat"])
    assert any("donnez-lui un titre et un texte" in e for e in errors.articles[0])
    assert "[labels." not in " ".join(errors.all())  # no TOML jargon for the mayor
    assert values["labels"][0]["key"] == "hate"  # the form is shown again with what was typed
    # A French decimal comma is accepted.
    ok, errs, _ = actions.draft_from_form(as_post(form_data(current, **{"label-spam-threshold": "0,6"})), commune)
    assert ok is not None and not errs and ok.policies[__import__("beffroi.domain.moderation.types", fromlist=["Label"]).Label.SPAM].threshold == 0.6


@pytest.mark.django_db
def test_preview_rejudges_the_last_items_with_the_draft(commune: Any, make_item: Any) -> None:
    for text in INSULTS + CIVIL:
        make_item(commune, text)
    # Automatic hiding is opt-in: the commune first turned it on for insults in the editor.
    default = actions.current_charter(commune)
    opted_in, errors, _ = actions.draft_from_form(as_post(form_data(default, **{"label-insult-automatic": "on"})), commune)
    assert opted_in is not None and not errors
    opt_in_preview = actions.preview(commune, opted_in)
    assert opt_in_preview.before_actions["hide"] == 0 and opt_in_preview.after_actions["hide"] >= 2
    assert all(c.before == "review" and c.after == "hide" for c in opt_in_preview.changed)
    actions.save_charter(commune, opted_in, actor=None)
    current = actions.current_charter(commune)
    draft, errors, _ = actions.draft_from_form(as_post(form_data(current, **{"label-insult-action": "review"})), commune)
    assert draft is not None and not errors
    result = actions.preview(commune, draft)
    # Recount independently with two engines.
    before_engine, after_engine = Engine(charter=current), Engine(charter=draft)
    before = Counter(before_engine.judge(t).action.value for t in INSULTS + CIVIL)
    after = Counter(after_engine.judge(t).action.value for t in INSULTS + CIVIL)
    assert result.total == 6
    assert result.before_actions == before and result.after_actions == after
    assert before["hide"] >= 2 and after["hide"] == 0  # insults now wait for a person
    changed_texts = {c.item.text for c in result.changed}
    assert changed_texts == {t for t in INSULTS if before_engine.judge(t).action.value == "hide"}
    assert all(c.before == "hide" and c.after == "review" for c in result.changed)
    rows = {r["key"]: r for r in result.action_rows()}
    assert rows["hide"]["delta"] == -before["hide"] and rows["review"]["delta"] == before["hide"]
    assert any(r["key"] == "insult" for r in result.label_rows())


@pytest.mark.django_db
def test_preview_is_limited_to_the_last_items(commune: Any, make_item: Any) -> None:
    for n in range(7):
        make_item(commune, f"Commentaire numéro {n}")
    result = actions.preview(commune, actions.current_charter(commune), limit=5)
    assert result.total == 5 and not result.changed


@pytest.mark.django_db
def test_saving_creates_versions_and_the_engine_follows(commune: Any, director: Any) -> None:
    actor = director
    first = actions.ensure_published_default(commune, actor=actor)
    assert first.version == 1 and first.published and first.digest == actions.digest_of(first.content)
    # Automatic hiding is opt-in: the default charter sends insults to a person …
    assert engine_for(commune).judge(INSULTS[0]).action.value == "review"
    automatic, _, _ = actions.draft_from_form(
        as_post(form_data(actions.current_charter(commune), **{"label-insult-automatic": "on"})), commune
    )
    assert automatic is not None
    second = actions.save_charter(commune, automatic, actor=actor, note="Conseil du 5 mars")
    assert second is not None and second.version == 2
    # … until the commune turns it on for the label.
    assert engine_for(commune).judge(INSULTS[0]).action.value == "hide"
    audit = AuditRecord.objects.filter(commune=commune, verb="charter.saved").order_by("-id").first()
    assert audit is not None and audit.data["changes"] == ["Insultes : automatique"]
    draft, _, _ = actions.draft_from_form(as_post(form_data(actions.current_charter(commune), **{"label-insult-action": "keep"})), commune)
    assert draft is not None
    third = actions.save_charter(commune, draft, actor=actor, note="Conseil du 12 mars", publish=False)
    assert third is not None and third.version == 3 and not third.published
    assert engine_for(commune).judge(INSULTS[0]).action.value == "keep"  # the cached engine was replaced
    assert actions.save_charter(commune, draft, actor=actor, publish=False) is None  # nothing changed
    audit = AuditRecord.objects.filter(commune=commune, verb="charter.saved").order_by("-id").first()
    assert audit is not None and audit.data["version"] == 3 and audit.data["changes"] == ["Insultes : masquer → laisser en ligne"]
    assert actions.labels_for_article(commune, "art-2") == ["insult"]


@pytest.mark.django_db
def test_editor_screen_previews_then_saves(client_as: Any, commune: Any, make_item: Any) -> None:
    for text in INSULTS + CIVIL:
        make_item(commune, text)
    client = client_as(commune, Role.DIRECTION_COM)
    url = reverse("workspace:charter", kwargs={"commune": commune.slug})
    page = client.get(url).content.decode()
    assert "Que faire de chaque type de message ?" in page and "Voir l'effet sur les 500 derniers messages" in page
    data = form_data(actions.current_charter(commune), **{"label-insult-action": "review", "note": "Plus de prudence"})
    # Saving without a preview shows the preview first.
    response = client.post(url, {**data, "_action": "save"})
    body = response.content.decode()
    assert response.status_code == 200 and "Aperçu : ce qui changerait" in body and not Charter.objects.exists()
    digest = body.split('name="preview_digest" value="')[1].split('"')[0]
    assert "changeraient de traitement" in body or "changerait de traitement" in body
    # Changing the draft after the preview: the preview is shown again, nothing saved.
    stale = client.post(url, {**data, "label-spam-action": "review", "_action": "save", "preview_digest": digest})
    assert "La charte a changé depuis l'aperçu" in stale.content.decode() and not Charter.objects.exists()
    saved = client.post(url, {**data, "_action": "save", "preview_digest": digest}, follow=True)
    assert "Version 1 de la charte enregistrée et publiée" in saved.content.decode()
    row = Charter.objects.get(commune=commune)
    assert row.note == "Plus de prudence" and row.published and 'action = "review"' in row.content
    invalid = client.post(url, {**data, "label-criticism-action": "hide", "_action": "preview"})
    assert invalid.status_code == 400 and "ne peut jamais entraîner le masquage" in invalid.content.decode()


@pytest.mark.django_db
def test_versions_publish_and_public_page(client: Any, client_as: Any, commune: Any, director: Any) -> None:
    public = reverse("public_charter", kwargs={"commune": commune.slug})
    assert client.get(public).status_code == 404  # nothing published yet
    actor = director
    actions.ensure_published_default(commune, actor=actor)
    draft, _, _ = actions.draft_from_form(
        as_post(form_data(actions.current_charter(commune), **{"article-0-title": "Un espace de dialogue"})), commune
    )
    assert draft is not None
    actions.save_charter(commune, draft, actor=actor, publish=False)
    page = client.get(public).content.decode()  # anonymous visitor, version 1 still public
    assert "Charte de modération — Saint-Aubin" in page and "Un espace d&#x27;échange ouvert à tous" in page
    assert "Haine et discriminations" in page and "masqués" in page and "Contester une décision" in page
    director = client_as(commune, Role.DIRECTION_COM)
    director.post(reverse("workspace:charter_publish", kwargs={"commune": commune.slug, "version": 2}))
    assert "Un espace de dialogue" in client.get(public).content.decode()
    refused = director.post(reverse("workspace:charter_publish", kwargs={"commune": commune.slug, "version": 1}), follow=True)
    assert "Seule la version en vigueur peut être publiée" in refused.content.decode()
    listing = director.get(reverse("workspace:charter_versions", kwargs={"commune": commune.slug})).content.decode()
    assert "Version 2" in listing and "Repartir de cette version" in listing
    restore = director.get(reverse("workspace:charter", kwargs={"commune": commune.slug}) + "?depuis=1").content.decode()
    assert "Un espace d&#x27;échange ouvert à tous" in restore and "La version 1 est chargée" in restore


@pytest.mark.django_db
def test_block_and_allow_lists_saved_in_the_editor_change_the_engines_verdict(client_as: Any, commune: Any) -> None:
    """A nickname the commune wants flagged ("tartempion") and a local band whose name looks like an
    insult ("Les Bouffons"), entered in the editor: after the save, the engine follows them."""
    blocked = "Tartempion était encore au marché ce matin."
    allowed = "Concert des Bouffons samedi soir, venez nombreux"

    def verdict(text: str) -> Any:
        return engine_for(commune).judge(text)

    def flagged(text: str) -> bool:
        result = verdict(text)
        return "insult" in {label.value for label in result.labels} and result.action.value != "keep"

    actions.ensure_published_default(commune)  # version 1, without lists
    # Before: the nickname means nothing to the engine, the band's name reads as an insult.
    assert not verdict(blocked).labels and verdict(blocked).action.value == "keep"
    assert flagged(allowed)
    client = client_as(commune, Role.DIRECTION_COM)
    url = reverse("workspace:charter", kwargs={"commune": commune.slug})
    data = form_data(
        actions.current_charter(commune),
        **{"block-0-expression": "tartempion", "block-0-label": "insult", "allow": "Bouffons", "note": "Listes"},
    )
    preview = client.post(url, {**data, "_action": "preview"}).content.decode()
    digest = preview.split('name="preview_digest" value="')[1].split('"')[0]
    saved = client.post(url, {**data, "_action": "save", "preview_digest": digest}, follow=True).content.decode()
    assert "Version 2 de la charte enregistrée et publiée" in saved
    # Reloaded: the stored charter and the editor show both lists.
    stored = to_dict(actions.current_charter(commune))["lists"]
    assert stored == {"block": [{"expression": "tartempion", "label": "insult"}], "allow": ["Bouffons"]}
    editor = client.get(url).content.decode()
    assert 'name="block-0-expression" value="tartempion"' in editor and ">Bouffons</textarea>" in editor
    audit = AuditRecord.objects.filter(commune=commune, verb="charter.saved").latest("id")
    assert audit.data["version"] == 2
    assert "liste des expressions interdites : 0 → 1" in audit.data["changes"]
    assert "liste des expressions autorisées : 0 → 1" in audit.data["changes"]
    # After: the block word is flagged, the allowed name is not.
    after = verdict(blocked)
    assert flagged(blocked) and any(r.source.endswith("charter_block") for r in after.reasons)
    assert not verdict(allowed).labels and verdict(allowed).action.value == "keep"
