"""The learning loop: human decisions compared with the engine, labelled examples, agreement per week
and per label, and the commune's model updated deterministically and used by the engine."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.domain.moderation.types import Label
from beffroi.workspace.actions.judging import engine_for
from beffroi.workspace.actions.learning import (
    agreement_stats,
    judge_agreement,
    record_human_decision,
    removal_label_choices,
    update_commune_model,
)
from beffroi.workspace.models import CommuneModel, LabelledExample


@pytest.mark.parametrize(
    ("engine_labels", "engine_action", "human", "chosen", "labels", "agrees", "trainable"),
    [
        (["insult"], "hide", "hide", None, ["insult"], True, True),  # agreement
        (["insult", "question"], "review", "delete", None, ["insult", "question"], True, True),
        ([], "keep", "hide", "harassment", ["harassment"], False, True),  # engine missed it, label chosen
        (["question"], "keep", "hide", "insult", ["insult", "question"], False, True),
        ([], "keep", "hide", None, [], False, False),  # missed, label unknown: counted, not learnt
        (["insult"], "hide", "hide", "hate", ["hate"], False, True),  # wrong label
        (["insult", "criticism"], "review", "keep", None, ["criticism"], False, True),  # false alarm
        (["insult"], "hide", "unhide", None, [], False, True),
        (["praise"], "keep", "keep", None, ["praise"], True, True),
        (["insult"], "keep", "keep", None, [], True, True),  # the charter kept it: engine did not flag
        (["insult"], "hide", "escalate", None, None, None, None),  # says nothing about the content
    ],
)
def test_judge_agreement(
    engine_labels: list[str], engine_action: str, human: str, chosen: str | None, labels: Any, agrees: Any, trainable: Any
) -> None:
    result = judge_agreement(engine_labels, engine_action, human, chosen)
    if labels is None:
        assert result is None
    else:
        assert result is not None and (result.labels, result.agrees, result.trainable) == (labels, agrees, trainable)


def test_label_choices_for_the_hide_form() -> None:
    keys = [key for key, _ in removal_label_choices()]
    assert keys[0] == "insult" and set(keys) == {label.value for label in Label if label.value not in ("criticism", "question", "praise", "shouting")}


@pytest.mark.django_db
def test_record_human_decision_stores_one_example_per_item(commune: Any, make_item: Any, make_decision: Any, user_factory: Any) -> None:
    moderator = user_factory()
    item = make_item(commune, "Texte que le moteur a laissé passer", (), "keep")
    hide = make_decision(item, "hide", actor=moderator, label="harassment")
    example = record_human_decision(item, hide)
    assert example is not None and example.labels == ["harassment"] and not example.agrees and example.trainable
    assert example.engine_action == "keep" and example.human_action == "hide" and example.created_by == moderator
    # The moderator changes their mind: the example is replaced, not duplicated.
    unhide = make_decision(item, "unhide", actor=moderator)
    record_human_decision(item, unhide)
    example.refresh_from_db()
    assert LabelledExample.objects.filter(item=item).count() == 1 and example.human_action == "keep" and example.agrees
    # Undoing that decision removes what it taught.
    undo = make_decision(item, "undo", actor=moderator, undoes=unhide)
    assert record_human_decision(item, undo) is None
    assert not LabelledExample.objects.filter(item=item).exists()
    # Automatic decisions and decisions that say nothing about the content are ignored.
    flagged = make_item(commune, "Espèce d'idiot", ("insult",), "hide")
    assert record_human_decision(flagged, make_decision(flagged, "hide", automatic=True)) is None
    assert record_human_decision(flagged, make_decision(flagged, "reply", actor=moderator)) is None
    assert not LabelledExample.objects.filter(item=flagged).exists()


@pytest.mark.django_db
def test_the_label_comes_from_the_cited_article_when_not_chosen(commune: Any, make_item: Any, make_decision: Any) -> None:
    item = make_item(commune, "Un texte", (), "keep")
    example = record_human_decision(item, make_decision(item, "hide", article="art-4"))  # art-4 = threats
    assert example is not None and example.labels == ["threat"] and example.trainable


@pytest.mark.django_db
def test_agreement_per_week_and_per_label(commune: Any, make_item: Any, make_decision: Any) -> None:
    now = timezone.now()

    def example(days_ago: int, engine: list[str], action: str, human_kind: str, label: str | None = None) -> None:
        item = make_item(commune, f"texte {days_ago} {engine} {human_kind}", tuple(engine), action)
        ex = record_human_decision(item, make_decision(item, human_kind, label=label or ""))
        assert ex is not None
        LabelledExample.objects.filter(pk=ex.pk).update(created_at=now - dt.timedelta(days=days_ago))

    example(0, ["insult"], "hide", "hide")  # agree
    example(0, ["insult"], "review", "keep")  # disagree: false alarm on insult
    example(0, [], "keep", "hide", "insult")  # disagree: insult missed
    example(0, ["hate"], "hide", "hide")  # agree
    example(14, ["spam"], "hide", "hide")  # agree, two weeks ago
    stats = agreement_stats(commune, weeks=4, now=now)
    assert [w.total for w in stats.weeks] == [0, 1, 0, 4]
    assert stats.weeks[-1].percent == 50 and stats.weeks[1].percent == 100
    assert stats.total == 5 and stats.agree == 3 and stats.percent == 60
    by_label = {ls.label: ls for ls in stats.labels}
    assert (by_label["insult"].both, by_label["insult"].engine_only, by_label["insult"].human_only) == (1, 1, 1)
    assert by_label["insult"].percent == 33 and by_label["hate"].percent == 100
    assert by_label["insult"].week_percent(stats.weeks[-1].start) == 33
    assert len(stats.disagreements) == 2


@pytest.mark.django_db
def test_model_update_is_deterministic_and_used_by_the_engine(commune: Any, make_item: Any, make_decision: Any) -> None:
    phrase = "retourne jouer aux billes gros patapouf"
    for n in range(6):
        item = make_item(commune, f"{phrase} numéro {n}", (), "keep")
        record_human_decision(item, make_decision(item, "hide", label="insult"))
    for n in range(3):
        item = make_item(commune, f"merci pour la brocante du dimanche {n}", (), "keep")
        record_human_decision(item, make_decision(item, "keep"))
    before = engine_for(commune).judge(phrase).scores.get(Label.INSULT, 0.0)
    row = update_commune_model(commune)
    assert row is not None and row.version == 1 and row.is_active and row.n_examples == 9
    path = Path(settings.DATA_DIR) / row.path
    assert path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256
    assert row.metrics["examples"] == 9 and "match_after" in row.metrics
    engine = engine_for(commune)
    assert engine.model is not None and engine.model.to_bytes() == path.read_bytes()  # the commune's model is in use
    after = engine.judge(phrase).scores.get(Label.INSULT, 0.0)
    assert after > before, (before, after)
    assert AuditRecord.objects.filter(commune=commune, verb="model.updated", target_id=str(row.pk)).exists()
    # Nothing new: no new version. Forced: same examples, byte-identical file.
    assert update_commune_model(commune) is None
    again = update_commune_model(commune, force=True)
    assert again is not None and again.version == 2 and again.sha256 == row.sha256
    assert list(CommuneModel.objects.filter(commune=commune, is_active=True).values_list("version", flat=True)) == [2]


@pytest.mark.django_db
def test_agreement_screen(client_as: Any, commune: Any, make_item: Any, make_decision: Any) -> None:
    item = make_item(commune, "Vous êtes nuls à la mairie", ("insult",), "review")
    record_human_decision(item, make_decision(item, "keep"))
    director = client_as(commune, Role.DIRECTION_COM)
    url = reverse("workspace:agreement", kwargs={"commune": commune.slug})
    page = director.get(url).content.decode()
    assert "L'équipe et le moteur sont-ils d'accord ?" in page and "0 %" in page and "Derniers désaccords" in page
    assert "Vous êtes nuls à la mairie" in page and "Mettre à jour le moteur maintenant" in page
    response = director.post(reverse("workspace:model_update", kwargs={"commune": commune.slug}), follow=True)
    assert "Mise à jour demandée" in response.content.decode()
    mayor = client_as(commune, Role.ELU)  # sees the rates, not the texts nor the button (same client, new log-in)
    mayor_page = mayor.get(url).content.decode()
    assert "décisions comparées" in mayor_page and "Vous êtes nuls" not in mayor_page and "Mettre à jour le moteur" not in mayor_page
    assert CommuneModel.objects.filter(commune=commune).count() == 1  # eager tasks in tests


@pytest.mark.django_db
def test_a_commune_model_file_that_does_not_match_its_digest_is_not_used(
    commune: Any, make_item: Any, make_decision: Any
) -> None:
    from beffroi.domain.moderation.model import default_model
    from beffroi.workspace.actions.judging import forget_engines

    for n in range(4):
        item = make_item(commune, f"retourne jouer aux billes gros patapouf {n}", (), "keep")
        record_human_decision(item, make_decision(item, "hide", label="insult"))
    row = update_commune_model(commune)
    assert row is not None
    path = Path(settings.DATA_DIR) / row.path
    assert row.sha256[:16] in path.name  # content-addressed: concurrent updates never share a file
    assert engine_for(commune).model.to_bytes() == path.read_bytes()
    path.write_bytes(b"not the model Beffroi wrote")  # replaced behind Beffroi's back
    forget_engines()
    shipped = default_model()
    assert shipped is not None and engine_for(commune).model.to_bytes() == shipped.to_bytes()
