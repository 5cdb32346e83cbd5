"""The learning loop: moderators' decisions compared with the engine, and the commune's own model.

- :func:`record_human_decision` (called by the decisions layer after each human decision) stores one
  :class:`LabelledExample` per item: the labels the decision implies, what the engine said, and
  whether they agree. A hide of an item the engine kept uses the label the moderator chose (or the
  one implied by the charter article they cited); a keep of an item the engine flagged means "no
  removal-worthy label". A later decision on the same item (unhide after hide …) replaces the
  example; undoing the decision removes it.
- :func:`update_commune_model` (the ``governance.update_model`` job) retrains deterministically: the
  shipped model updated with every usable example of the commune (oldest first), saved under
  DATA_DIR, recorded as a new active :class:`CommuneModel` version; the engine cache is reset so
  judging uses it at once.
- :func:`agreement_stats`: agreement rate per week and per label, for the agreement screen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.domain.moderation.types import REMOVAL_WORTHY, TO_ACT_ON
from beffroi.workspace.models import CommuneModel, Decision, Item, LabelledExample

REMOVAL = frozenset(label.value for label in REMOVAL_WORTHY)
ACT_ON = frozenset(label.value for label in TO_ACT_ON)
HIDE_KINDS = frozenset({"hide", "delete"})
KEEP_KINDS = frozenset({"keep", "unhide"})
UNDO_KIND = "undo"


def removal_label_choices() -> list[tuple[str, str]]:
    """Labels a moderator may pick when hiding (for the hide form of the item screen)."""
    from beffroi.workspace.evidence_pack.legal import label_fr

    order = ["insult", "hate", "threat", "harassment", "sexual", "personal_data", "spam"]
    return [(label, label_fr(label)) for label in order if label in REMOVAL]


def _label_from_article(item: Item, article: str) -> str | None:
    """The single removal-worthy label whose charter article is ``article``, if any."""
    if not article:
        return None
    from beffroi.workspace.actions.charter import labels_for_article

    labels = [label for label in labels_for_article(item.commune, article) if label in REMOVAL]
    return labels[0] if len(labels) == 1 else None


@dataclass(frozen=True)
class Judgement:
    labels: list[str]
    agrees: bool
    trainable: bool
    human_action: str


def judge_agreement(
    engine_labels: list[str], engine_action: str, human_kind: str, chosen: str | None
) -> Judgement | None:
    """Compare one human decision with the engine's verdict (pure function, see module doc)."""
    engine_removal = [label for label in engine_labels if label in REMOVAL]
    engine_flagged = engine_action in ("hide", "review") and bool(engine_removal)
    keep_labels = [label for label in engine_labels if label in ACT_ON]
    if human_kind in HIDE_KINDS:
        if chosen in REMOVAL:
            return Judgement(
                labels=sorted({chosen, *keep_labels}),
                agrees=engine_flagged and chosen in engine_removal,
                trainable=True,
                human_action="hide",
            )
        if engine_flagged:
            return Judgement(labels=sorted(set(engine_labels)), agrees=True, trainable=True, human_action="hide")
        return Judgement(labels=[], agrees=False, trainable=False, human_action="hide")
    if human_kind in KEEP_KINDS:
        return Judgement(labels=sorted(set(keep_labels)), agrees=not engine_flagged, trainable=True, human_action="keep")
    return None


def record_human_decision(item: Item, decision: Decision, *, label: str | None = None) -> LabelledExample | None:
    """Record how a moderator's decision compares with the engine's verdict on ``item``.

    Returns the example (created or replaced), or None when the decision says nothing about the
    content (reply, escalate …), was automatic, or the item was never judged."""
    if decision.automatic:
        return None
    kind = str(decision.kind)
    if kind == UNDO_KIND or decision.undoes_id is not None:
        # Taking a decision back (a misclick, or the inverse action sent by "Annuler") says nothing
        # about the content: the example that decision produced goes away.
        if decision.undoes_id is not None:
            LabelledExample.objects.filter(commune_id=item.commune_id, decision_id=decision.undoes_id).delete()
        return None
    verdict = item.current_verdict
    if verdict is None:
        return None
    chosen = label or getattr(decision, "label", "") or _label_from_article(item, decision.article) or None
    judgement = judge_agreement(list(verdict.labels or []), verdict.action, kind, chosen)
    if judgement is None:
        return None
    values: dict[str, Any] = {
        "decision": decision,
        "text": item.text or "",
        "labels": judgement.labels,
        "engine_labels": list(verdict.labels or []),
        "engine_action": verdict.action,
        "human_action": judgement.human_action,
        "agrees": judgement.agrees,
        "trainable": judgement.trainable and bool(item.text),
        "created_by": decision.actor,
    }
    with transaction.atomic():
        example = LabelledExample.objects.select_for_update().filter(commune_id=item.commune_id, item=item).first()
        if example is None:
            example = LabelledExample.objects.create(commune_id=item.commune_id, item=item, **values)
        else:
            for key, value in values.items():
                setattr(example, key, value)
            example.save()
    return example


# ---------------------------------------------------------------------------------------------
# Agreement statistics


@dataclass
class WeekStat:
    start: dt.date
    total: int = 0
    agree: int = 0

    @property
    def rate(self) -> float | None:
        return self.agree / self.total if self.total else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


@dataclass
class LabelStat:
    label: str
    both: int = 0  # engine and moderators saw it
    engine_only: int = 0  # engine saw it, moderators did not
    human_only: int = 0  # moderators saw it, engine did not
    weeks: dict[dt.date, list[int]] = field(default_factory=dict)  # week -> [both, either]

    @property
    def either(self) -> int:
        return self.both + self.engine_only + self.human_only

    @property
    def percent(self) -> int | None:
        return round(100 * self.both / self.either) if self.either else None

    def week_percent(self, week: dt.date) -> int | None:
        both, either = self.weeks.get(week, [0, 0])
        return round(100 * both / either) if either else None


@dataclass
class AgreementStats:
    weeks: list[WeekStat]
    labels: list[LabelStat]
    total: int
    agree: int
    disagreements: list[LabelledExample]

    @property
    def percent(self) -> int | None:
        return round(100 * self.agree / self.total) if self.total else None


def week_start(value: dt.datetime) -> dt.date:
    local = timezone.localtime(value).date()
    return local - dt.timedelta(days=local.weekday())


def agreement_stats(commune: Commune, *, weeks: int = 12, now: dt.datetime | None = None) -> AgreementStats:
    now = now or timezone.now()
    last_week = week_start(now)
    starts = [last_week - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    by_week = {start: WeekStat(start) for start in starts}
    since = timezone.make_aware(dt.datetime.combine(starts[0], dt.time.min))
    examples = LabelledExample.objects.filter(commune=commune, created_at__gte=since).order_by("created_at")
    label_stats: dict[str, LabelStat] = {label: LabelStat(label) for label in sorted(REMOVAL)}
    total = agree = 0
    for example in examples.iterator():
        week = week_start(example.created_at)
        stat = by_week.get(week)
        if stat is None:
            continue
        stat.total += 1
        stat.agree += example.agrees
        total += 1
        agree += example.agrees
        if example.human_action == "hide" and not example.trainable and not example.labels:
            continue  # the moderators' label is unknown
        engine = {label for label in example.engine_labels or [] if label in REMOVAL}
        if example.engine_action == "keep":
            engine = set()  # the charter kept it: the engine did not ask for removal
        human = {label for label in example.labels or [] if label in REMOVAL}
        for label in engine | human:
            ls = label_stats[label]
            counts = ls.weeks.setdefault(week, [0, 0])
            counts[1] += 1
            if label in engine and label in human:
                ls.both += 1
                counts[0] += 1
            elif label in engine:
                ls.engine_only += 1
            else:
                ls.human_only += 1
    disagreements = list(
        LabelledExample.objects.filter(commune=commune, agrees=False).exclude(text="").order_by("-created_at")[:20]
    )
    return AgreementStats(
        weeks=[by_week[start] for start in starts],
        labels=[ls for ls in label_stats.values() if ls.either],
        total=total,
        agree=agree,
        disagreements=disagreements,
    )


# ---------------------------------------------------------------------------------------------
# The commune's model


class LearningError(RuntimeError):
    """A French message for the team."""


def _usable_examples(commune: Commune) -> list[LabelledExample]:
    return list(LabelledExample.objects.filter(commune=commune, trainable=True).exclude(text="").order_by("id"))


def model_dir(commune: Commune) -> Path:
    return Path(settings.DATA_DIR) / "models" / commune.slug


def _match_rate(engine: Any, examples: list[LabelledExample]) -> float | None:
    """Share of examples on which the engine's removal-worthy labels equal the moderators'."""
    if not examples:
        return None
    from beffroi.domain.moderation.types import Context

    hits = 0
    for example in examples:
        verdict = engine.judge(example.text, Context())
        got = {label.value for label in verdict.labels if label.value in REMOVAL}
        if verdict.action.value == "keep":
            got = set()
        hits += got == {label for label in example.labels if label in REMOVAL}
    return round(hits / len(examples), 4)


def update_commune_model(commune: Commune, *, force: bool = False) -> CommuneModel | None:
    """Retrain the commune's model from its examples (deterministic). Returns the new version, or
    None when there is nothing new to learn."""
    from beffroi.domain.moderation import Engine
    from beffroi.workspace.actions import charter as engine_api
    from beffroi.workspace.actions.judging import engine_for, forget_engines

    examples = _usable_examples(commune)
    if not examples:
        return None
    latest = CommuneModel.objects.filter(commune=commune).order_by("-version").first()
    newest_id = examples[-1].pk
    if latest is not None and latest.last_example_id >= newest_id and latest.n_examples == len(examples) and not force:
        return None
    pairs = [(example.text, tuple(sorted(example.labels))) for example in examples]
    model = engine_api.updated_model(engine_api.base_model(), pairs)
    version = (latest.version + 1) if latest is not None else 1
    folder = model_dir(commune)
    folder.mkdir(parents=True, exist_ok=True)
    data = model.to_bytes()
    digest = hashlib.sha256(data).hexdigest()
    # Content-addressed and written atomically: two workers (or two instances sharing the data folder)
    # updating at the same time never overwrite each other's file, and a reader never sees half a file.
    path = folder / f"modele-v{version}-{digest[:16]}{engine_api.model_suffix()}"
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)
    charter = engine_api.current_charter(commune)
    before = _match_rate(engine_for(commune), examples)
    after = _match_rate(Engine(charter=charter, model=model), examples)
    with transaction.atomic():
        CommuneModel.objects.filter(commune=commune, is_active=True).update(is_active=False)
        row = CommuneModel.objects.create(
            commune=commune,
            version=version,
            path=str(path.relative_to(Path(settings.DATA_DIR))),
            n_examples=len(examples),
            last_example_id=newest_id,
            sha256=digest,
            metrics={"match_before": before, "match_after": after, "examples": len(examples)},
            is_active=True,
        )
        log_audit(
            "model.updated",
            commune=commune,
            target=row,
            version=version,
            examples=len(examples),
            sha256=digest,
            match_before=before,
            match_after=after,
        )
    forget_engines()
    return row


def do_request_model_update(commune: Commune, *, actor: Any) -> None:
    """"Mettre à jour le modèle" on the agreement screen: a person allowed to edit the charter asks
    for the commune's model to be retrained (in the background: ``governance.update_model``)."""
    from beffroi.core.roles import Perm
    from beffroi.tasks import enqueue
    from beffroi.workspace.actions.checks import check_commune_perm

    check_commune_perm(actor, commune, Perm.EDIT_CHARTER, "mettre à jour le modèle de la commune")
    log_audit("model.update_requested", commune=commune, actor=actor)
    enqueue("governance.update_model", commune_id=commune.pk, force=False)


def communes_with_new_examples() -> list[Commune]:
    result = []
    for commune in Commune.objects.filter(is_active=True).order_by("slug"):
        newest = (
            LabelledExample.objects.filter(commune=commune, trainable=True).exclude(text="").order_by("-id").first()
        )
        if newest is None:
            continue
        latest = CommuneModel.objects.filter(commune=commune).order_by("-version").first()
        if latest is None or latest.last_example_id < newest.pk:
            result.append(commune)
    return result
