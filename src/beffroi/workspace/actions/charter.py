"""The commune's moderation charter: editing, preview, versions, publication; and the thin layer
between the web application and the engine's charter and model APIs.

- A draft is built from the editor's form (:func:`draft_from_form`) into the engine's own charter
  table and validated by the engine (``charter.from_dict``), whose French errors are shown on the
  form (:class:`DraftErrors` sorts them by article, category, list and message).
- :func:`preview` re-judges the commune's last 500 items with an :class:`Engine` built on the draft
  and compares with the current charter: counts per action and per label, and every item whose
  action changes.
- :func:`save_charter` stores a new :class:`Charter` version (TOML written by the engine's dump) and
  invalidates the cached engine, so judging uses it at once.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.core.roles import Perm
from beffroi.domain.moderation.charter import (
    NEVER_HIDE,
    CharterError,
    default_charter,
    dumps,
    from_dict,
    loads,
    to_dict,
)
from beffroi.domain.moderation.charter import (
    Charter as EngineCharter,
)
from beffroi.domain.moderation.types import ALL_LABELS, REMOVAL_WORTHY, Action, Label
from beffroi.workspace.actions.checks import check_commune_perm
from beffroi.workspace.models import Charter, Item

PREVIEW_SIZE = 500
ACTIONS_FR = {"hide": "masquer", "review": "faire vérifier par l'équipe", "keep": "laisser en ligne"}
ACTIONS_PUBLIC_FR = {
    "hide": "masqués",
    "review": "examinés par un modérateur, qui décide",
    "keep": "laissés en ligne",
}
LABEL_TITLES_FR: dict[str, str] = {
    "hate": "Haine et discriminations",
    "insult": "Insultes",
    "threat": "Menaces",
    "harassment": "Harcèlement",
    "sexual": "Contenus sexuels",
    "personal_data": "Données personnelles",
    "spam": "Publicité, arnaques",
    "criticism": "Critiques",
    "question": "Questions",
    "praise": "Remerciements",
    "shouting": "Majuscules, « !!! »",
}
LABEL_HELP_FR: dict[str, str] = {
    "hate": "propos qui attaquent des personnes pour leur origine, leur religion, leur sexe, leur orientation "
    "sexuelle, leur identité de genre, leur handicap ou leur âge",
    "insult": "injures et propos méprisants envers une personne ou un groupe (élus, agents, habitants)",
    "threat": "menaces, souhaits de mort, appels à la violence",
    "harassment": "acharnement, humiliation, incitation à se faire du mal, avances sexuelles non désirées",
    "sexual": "contenus à caractère sexuel ou pornographique",
    "personal_data": "numéro de téléphone, adresse, courriel ou plaque d'immatriculation d'une personne",
    "spam": "publicité, arnaques, liens sans rapport, messages répétés",
    "criticism": "avis négatif mais courtois sur l'action municipale : jamais masqué",
    "question": "demande d'information, à orienter vers un service",
    "praise": "remerciements et encouragements",
    "shouting": "message tout en majuscules ou plein de « !!! » : jamais masqué pour ce seul motif",
}
LABEL_ORDER = [label.value for label in ALL_LABELS]
_ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")


class CharterSaveError(ValueError):
    """A French message for the team."""


# ---------------------------------------------------------------------------------------------
# Reading the stored versions


def current_row(commune: Commune) -> Charter | None:
    return Charter.objects.filter(commune=commune).order_by("-version").first()


def workspace_default_charter(automatic: frozenset[str] | set[str] = frozenset()) -> EngineCharter:
    """The charter a commune starts with: the shipped default, with automatic hiding OFF for every
    label except those in ``automatic`` (opt-in: the commune turns it on per label in the editor).

    The engine's own default (``default.toml``) lets labels act automatically, which suits the
    ``beffroi classify`` command line; in the workspace, nothing is hidden without a person until the
    commune has chosen to."""
    data = to_dict(default_charter())
    for key, table in data["labels"].items():
        table["automatic"] = key in automatic
    return from_dict(data)


def current_charter(commune: Commune) -> EngineCharter:
    """The charter the engine applies to this commune now (the workspace default until one is saved)."""
    row = current_row(commune)
    if row is None:
        return for_commune(workspace_default_charter(), commune)
    return loads(row.content)


def for_commune(charter: EngineCharter, commune: Commune) -> EngineCharter:
    data = to_dict(charter)
    data["charter"]["commune"] = commune.name
    return from_dict(data)


def _parse(content: str) -> dict[str, Any]:
    try:
        return tomllib.loads(content)
    except tomllib.TOMLDecodeError:
        return {}


def _articles_of(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    result: dict[str, tuple[str, str]] = {}
    raw = data.get("articles", [])
    if isinstance(raw, list):
        for value in raw:
            if isinstance(value, dict) and value.get("id"):
                result[str(value["id"])] = (str(value.get("title", "")), str(value.get("text", "")))
    return result


def all_articles(commune: Commune) -> dict[str, tuple[str, str]]:
    """Every article id the commune's charters ever had → (title, text), newest wording first, then
    the shipped default (evidence may cite an article of an older version)."""
    result: dict[str, tuple[str, str]] = {}
    for content in Charter.objects.filter(commune=commune).order_by("-version").values_list("content", flat=True):
        for key, value in _articles_of(_parse(content)).items():
            result.setdefault(key, value)
    for article in default_charter().articles:
        result.setdefault(article.id, (article.title, article.text))
    return result


def labels_for_article(commune: Commune, article: str) -> list[str]:
    """The labels whose policy cites ``article`` in the current charter."""
    charter = current_charter(commune)
    return sorted(label.value for label, policy in charter.policies.items() if policy.article == article)


def digest_of(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# The editor's form <-> the engine's charter table


@dataclass
class DraftErrors:
    """Validation errors sorted by where they show on the form."""

    general: list[str] = field(default_factory=list)
    labels: dict[str, list[str]] = field(default_factory=dict)
    articles: dict[int, list[str]] = field(default_factory=dict)
    lists: list[str] = field(default_factory=list)
    messages: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.general or self.labels or self.articles or self.lists or self.messages)

    def all(self) -> list[str]:
        out = list(self.general)
        for label, errors in self.labels.items():
            out += [f"{LABEL_TITLES_FR.get(label, label)} : {e}" for e in errors]
        for errors in self.articles.values():
            out += errors
        out += self.lists
        for key, errors in self.messages.items():
            out += [f"Message « {key} » : {e}" for e in errors]
        return out


def _friendly(error: str) -> str:
    """The engine speaks TOML (« [labels.criticism] : … »); the form speaks French categories."""
    error = re.sub(
        r"\[labels\.([a-z_]+)\]( [a-z]+)?",
        lambda m: f"« {LABEL_TITLES_FR.get(m.group(1), m.group(1))} »"
        + {" threshold": " (seuil de détection)", " confident": " (seuil d'action)"}.get(m.group(2) or "", m.group(2) or ""),
        error,
    )
    error = error.replace("« confident »", "« seuil d'action »").replace("« threshold »", "« seuil de détection »")
    error = error.replace("(clé « article »)", "")
    error = error.replace("Choisissez « review » ou « keep ».", "Choisissez « faire vérifier » ou « laisser en ligne ».")
    error = error.replace("une action « hide »", "l'action « masquer »")
    return error.replace("[messages]", "Message").strip()


def sort_errors(exc: CharterError) -> DraftErrors:
    sorted_errors = DraftErrors()
    for raw in exc.errors:
        label = re.match(r"\[labels\.([a-z_]+)\]", raw)
        message = re.match(r"\[messages\] ([a-z_]+)", raw)
        if label:
            sorted_errors.labels.setdefault(label.group(1), []).append(_friendly(raw))
        elif message:
            sorted_errors.messages.setdefault(message.group(1), []).append(_friendly(raw))
        elif raw.startswith(("Liste noire", "Liste blanche")):
            sorted_errors.lists.append(raw)
        else:
            sorted_errors.general.append(_friendly(raw))
    return sorted_errors


def _number(raw: str, where: str, errors: list[str]) -> float | None:
    text = (raw or "").strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        errors.append(f"{where} : indiquez un nombre entre 0 et 1 (par exemple 0,5).")
        return None
    return value


def form_values(charter: EngineCharter, extra_articles: int = 2, extra_blocks: int = 3) -> dict[str, Any]:
    """What the editor shows for a charter (also used to re-show a submitted draft)."""
    data = to_dict(charter)
    articles = [dict(a) for a in data["articles"]] + [{"id": "", "title": "", "text": ""} for _ in range(extra_articles)]
    blocks = list(data["lists"]["block"]) + [{"expression": "", "label": "insult"} for _ in range(extra_blocks)]
    return {
        "name": data["charter"]["name"],
        "articles": articles,
        "labels": [
            {
                "key": key,
                "title": LABEL_TITLES_FR[key],
                "description": LABEL_HELP_FR[key],
                "removal": Label(key) in REMOVAL_WORTHY,
                "never_hide": Label(key) in NEVER_HIDE,
                **data["labels"][key],
            }
            for key in LABEL_ORDER
        ],
        "blocks": blocks,
        "allow": "\n".join(data["lists"]["allow"]),
        "messages": data["messages"],
    }


def draft_from_form(post: Any, commune: Commune) -> tuple[EngineCharter | None, DraftErrors, dict[str, Any]]:
    """Build and validate a draft charter from the editor's POST data.

    Returns (charter or None, errors, values to show again in the form)."""
    errors = DraftErrors()
    name = " ".join(post.get("name", "").split()) or "Charte de modération"
    # Articles: rows article-N-*, empty rows ignored, "supprimer" honoured.
    articles: list[dict[str, str]] = []
    shown_articles: list[dict[str, str]] = []
    count = int(post.get("article-count", "0") or 0) if str(post.get("article-count", "0")).isdigit() else 0
    for n in range(min(count, 200)):
        row = {k: (post.get(f"article-{n}-{k}", "") or "").strip() for k in ("id", "title", "text")}
        delete = post.get(f"article-{n}-delete") == "on"
        if not any(row.values()):
            continue
        shown_articles.append({**row, "delete": "on" if delete else ""})
        shown = len(shown_articles) - 1
        if delete:
            continue
        if not row["id"]:
            row["id"] = f"art-{len(articles) + 1}"
            while any(a["id"] == row["id"] for a in articles):
                row["id"] += "b"
        if not _ARTICLE_ID.match(row["id"]):
            errors.articles.setdefault(shown, []).append(
                f"Article « {row['id']} » : l'identifiant ne peut contenir que des lettres, chiffres, tirets et points "
                "(par exemple « art-3 »)."
            )
        if not row["title"] or not row["text"]:
            errors.articles.setdefault(shown, []).append(
                f"Article « {row['id']} » : donnez-lui un titre et un texte (ou cochez « supprimer »)."
            )
        articles.append(row)
    # Labels.
    labels: dict[str, dict[str, Any]] = {}
    for key in LABEL_ORDER:
        label_errors: list[str] = []
        action = post.get(f"label-{key}-action", "keep")
        if action not in ACTIONS_FR:
            label_errors.append("action inconnue.")
            action = "keep"
        threshold = _number(post.get(f"label-{key}-threshold", "0.5"), "seuil de détection", label_errors)
        confident = _number(post.get(f"label-{key}-confident", "0.75"), "seuil d'action", label_errors)
        table: dict[str, Any] = {
            "action": action,
            "threshold": threshold if threshold is not None else 0.5,
            "confident": confident if confident is not None else 0.75,
            "automatic": post.get(f"label-{key}-automatic") == "on",
        }
        article = (post.get(f"label-{key}-article", "") or "").strip()
        if article:
            table["article"] = article
        labels[key] = table
        if label_errors:
            errors.labels[key] = label_errors
    # Lists.
    blocks: list[dict[str, str]] = []
    shown_blocks: list[dict[str, str]] = []
    block_count = int(post.get("block-count", "0")) if str(post.get("block-count", "0")).isdigit() else 0
    for n in range(min(block_count, 500)):
        expression = " ".join((post.get(f"block-{n}-expression", "") or "").split())
        label = post.get(f"block-{n}-label", "insult")
        if not expression:
            continue
        shown_blocks.append({"expression": expression, "label": label})
        blocks.append({"expression": expression, "label": label})
    allow = [line.strip() for line in (post.get("allow", "") or "").splitlines() if line.strip()]
    messages: dict[str, str] = {}
    for key in ["hide", *LABEL_ORDER]:
        value = (post.get(f"message-{key}", "") or "").strip()
        if value:
            messages[key] = value
    if "hide" not in messages:
        errors.messages.setdefault("hide", []).append("le message général à l'auteur est obligatoire.")
    data = {
        "charter": {"name": name, "commune": commune.name},
        "articles": articles,
        "labels": labels,
        "lists": {"block": blocks, "allow": allow},
        "messages": messages,
    }
    values = {
        "name": name,
        "articles": shown_articles + [{"id": "", "title": "", "text": ""} for _ in range(2)],
        "labels": [
            {
                "key": key,
                "title": LABEL_TITLES_FR[key],
                "description": LABEL_HELP_FR[key],
                "removal": Label(key) in REMOVAL_WORTHY,
                "never_hide": Label(key) in NEVER_HIDE,
                **labels[key],
                "threshold": post.get(f"label-{key}-threshold", ""),
                "confident": post.get(f"label-{key}-confident", ""),
            }
            for key in LABEL_ORDER
        ],
        "blocks": shown_blocks + [{"expression": "", "label": "insult"} for _ in range(3)],
        "allow": "\n".join(allow),
        "messages": messages,
    }
    if errors:
        # Still let the engine speak, so every problem shows at once.
        try:
            from_dict(data)
        except CharterError as exc:
            engine_errors = sort_errors(exc)
            for key, errs in engine_errors.labels.items():
                errors.labels.setdefault(key, []).extend(e for e in errs if e not in errors.labels.get(key, []))
            errors.general += [e for e in engine_errors.general if "article n°" not in e]
            errors.lists += engine_errors.lists
            for key, errs in engine_errors.messages.items():
                errors.messages.setdefault(key, []).extend(errs)
        return None, errors, values
    try:
        return from_dict(data), errors, values
    except CharterError as exc:
        return None, sort_errors(exc), values


# ---------------------------------------------------------------------------------------------
# Preview: how the draft would have judged the last items


@dataclass
class ChangedItem:
    item: Item
    before: str
    after: str
    before_labels: list[str]
    after_labels: list[str]

    @property
    def platform(self) -> str:
        from beffroi.connectors.registry import platform_label

        return platform_label(self.item.platform)


@dataclass
class Preview:
    total: int
    before_actions: Counter[str]
    after_actions: Counter[str]
    before_labels: Counter[str]
    after_labels: Counter[str]
    changed: list[ChangedItem]
    digest: str

    def action_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "name": ACTIONS_FR[key],
                "before": self.before_actions.get(key, 0),
                "after": self.after_actions.get(key, 0),
                "delta": self.after_actions.get(key, 0) - self.before_actions.get(key, 0),
            }
            for key in ("hide", "review", "keep")
        ]

    def label_rows(self) -> list[dict[str, Any]]:
        rows = []
        for key in LABEL_ORDER:
            before, after = self.before_labels.get(key, 0), self.after_labels.get(key, 0)
            if before or after:
                rows.append({"key": key, "name": LABEL_TITLES_FR[key], "before": before, "after": after, "delta": after - before})
        return rows

    @property
    def changed_count(self) -> int:
        return len(self.changed)


def preview(commune: Commune, draft: EngineCharter, *, limit: int = PREVIEW_SIZE, private: bool = True) -> Preview:
    """Re-judge the commune's last ``limit`` moderated items with the current and the draft charter."""
    from beffroi.domain.moderation import Engine
    from beffroi.workspace.actions.judging import context_for, engine_for

    current = engine_for(commune)
    candidate = Engine(charter=draft, model=getattr(current, "model", None))
    items = Item.objects.filter(commune=commune, moderated=True).exclude(text="")
    if not private:
        items = items.exclude(kind="private_message")
    rows = list(items.select_related("author", "parent").order_by("-first_seen_at", "-id")[:limit])
    result = Preview(len(rows), Counter(), Counter(), Counter(), Counter(), [], draft_digest(draft))
    for item in rows:
        context = context_for(item)
        before = current.judge(item.text, context)
        after = candidate.judge(item.text, context)
        b_action, a_action = before.action.value, after.action.value
        result.before_actions[b_action] += 1
        result.after_actions[a_action] += 1
        b_labels = [label.value for label in before.labels]
        a_labels = [label.value for label in after.labels]
        result.before_labels.update(b_labels)
        result.after_labels.update(a_labels)
        if b_action != a_action:
            result.changed.append(ChangedItem(item, b_action, a_action, b_labels, a_labels))
    severity = {Action.KEEP.value: 0, Action.REVIEW.value: 1, Action.HIDE.value: 2}
    result.changed.sort(key=lambda c: (-abs(severity[c.after] - severity[c.before]), -c.item.first_seen_at.timestamp()))
    return result


def draft_digest(draft: EngineCharter) -> str:
    return digest_of(dumps(draft))


# ---------------------------------------------------------------------------------------------
# Saving and publishing


def check_edit_charter(actor: Any, commune: Commune) -> None:
    """Only roles with ``Perm.EDIT_CHARTER`` save or publish the charter (``actor=None``: Beffroi)."""
    check_commune_perm(actor, commune, Perm.EDIT_CHARTER, "modifier la charte de modération")


def _lock(commune: Commune) -> None:
    if connection.features.has_select_for_update:
        Commune.objects.select_for_update().filter(pk=commune.pk).values_list("pk", flat=True).first()
    else:
        Commune.objects.filter(pk=commune.pk).update(is_active=commune.is_active)


def _summary(old: EngineCharter | None, new: EngineCharter) -> list[str]:
    """What changed, in French, for the audit trail and the confirmation message."""
    if old is None:
        return ["première version de la charte"]
    changes: list[str] = []
    old_articles = {a.id: a for a in old.articles}
    new_articles = {a.id: a for a in new.articles}
    for aid in new_articles.keys() - old_articles.keys():
        changes.append(f"article {aid} ajouté")
    for aid in old_articles.keys() - new_articles.keys():
        changes.append(f"article {aid} retiré")
    for aid in new_articles.keys() & old_articles.keys():
        if new_articles[aid] != old_articles[aid]:
            changes.append(f"article {aid} modifié")
    for label in ALL_LABELS:
        a, b = old.policy(label), new.policy(label)
        if a != b:
            parts = []
            if a.action != b.action:
                parts.append(f"{ACTIONS_FR[a.action.value]} → {ACTIONS_FR[b.action.value]}")
            if (a.threshold, a.confident) != (b.threshold, b.confident):
                parts.append(f"seuils {a.threshold}/{a.confident} → {b.threshold}/{b.confident}")
            if a.automatic != b.automatic:
                parts.append("automatique" if b.automatic else "toujours vérifié par l'équipe")
            if a.article != b.article:
                parts.append(f"article {a.article or '—'} → {b.article or '—'}")
            changes.append(f"{LABEL_TITLES_FR[label.value]} : " + ", ".join(parts))
    if old.block != new.block:
        changes.append(f"liste des expressions interdites : {len(old.block)} → {len(new.block)}")
    if old.allow != new.allow:
        changes.append(f"liste des expressions autorisées : {len(old.allow)} → {len(new.allow)}")
    if old.messages != new.messages:
        changes.append("messages aux auteurs modifiés")
    if old.name != new.name:
        changes.append("titre modifié")
    return changes


def save_charter(
    commune: Commune, draft: EngineCharter, *, actor: Any, note: str = "", publish: bool = True
) -> Charter | None:
    """Store ``draft`` as the commune's new charter version. Returns None when nothing changed.

    The actor's role must allow editing the charter (``actor=None``: Beffroi itself)."""
    from beffroi.workspace.actions.judging import forget_engines

    check_edit_charter(actor, commune)
    draft = for_commune(draft, commune)
    content = dumps(draft)
    loads(content)  # what is stored must load back (the engine validates it once more)
    digest = digest_of(content)
    with transaction.atomic():
        _lock(commune)
        latest = current_row(commune)
        if latest is not None and latest.digest == digest:
            if publish and not latest.published:
                publish_version(latest, actor=actor)
                return latest
            return None
        old = loads(latest.content) if latest is not None else None
        changes = _summary(old, draft)
        row = Charter.objects.create(
            commune=commune,
            version=(latest.version + 1) if latest is not None else 1,
            content=content,
            digest=digest,
            note=(note or "").strip()[:255],
            published=publish,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        log_audit(
            "charter.saved",
            commune=commune,
            actor=actor,
            target=row,
            version=row.version,
            digest=digest,
            charter_version=draft.version,
            published=publish,
            changes=changes,
        )
        transaction.on_commit(forget_engines)
    return row


def publish_version(row: Charter, *, actor: Any) -> Charter:
    """Show this version on the public page (the public page shows the newest published version)."""
    check_edit_charter(actor, row.commune)
    if not row.published:
        Charter.objects.filter(pk=row.pk).update(published=True)
        row.published = True
        log_audit("charter.published", commune=row.commune, actor=actor, target=row, version=row.version)
    return row


def ensure_published_default(
    commune: Commune, *, actor: Any = None, automatic: frozenset[str] | set[str] = frozenset()
) -> Charter:
    """The default charter as the commune's version 1, published (demo, new communes). Automatic
    hiding is off for every label but those in ``automatic``."""
    row = current_row(commune)
    if row is not None:
        return row
    saved = save_charter(
        commune, workspace_default_charter(automatic), actor=actor, note="Charte par défaut de Beffroi", publish=True
    )
    if saved is None:  # pragma: no cover - a first save always creates a version
        raise CharterSaveError("La charte n'a pas pu être enregistrée.")
    return saved


# ---------------------------------------------------------------------------------------------
# The public page


def public_view(row: Charter) -> dict[str, Any]:
    """What the public charter page shows: articles, and what happens to each kind of message."""
    charter = loads(row.content)
    rules = []
    for label in ALL_LABELS:
        policy = charter.policy(label)
        if label not in REMOVAL_WORTHY and policy.action == Action.KEEP:
            continue
        action = policy.action.value
        text = ACTIONS_PUBLIC_FR[action]
        if action == "hide" and not policy.automatic:
            text = "masqués après vérification par un modérateur"
        article = charter.article(policy.article)
        rules.append(
            {
                "title": LABEL_TITLES_FR[label.value],
                "description": LABEL_HELP_FR[label.value],
                "action": text,
                "action_key": action,
                "article": article,
                "article_name": article_name(article.id) if article else "",
            }
        )
    articles = [{"id": a.id, "name": article_name(a.id), "title": a.title, "text": a.text} for a in charter.articles]
    return {"charter": charter, "articles": articles, "rules": rules}


def article_name(article_id: str) -> str:
    """"art-3" → "Article 3"; other identifiers are shown as they are."""
    match = re.fullmatch(r"(?:art|article)[-_ .]?(\d+[a-z]?)", article_id, flags=re.IGNORECASE)
    return f"Article {match.group(1)}" if match else article_id


# ---------------------------------------------------------------------------------------------
# The engine's model (the learning loop's side of the adapter)


def base_model() -> Any:
    """The model shipped with Beffroi, which every commune model starts from (an empty model when
    the installation ships none)."""
    from beffroi.domain.moderation.model import default_model, empty_model

    return default_model() or empty_model()


def updated_model(model: Any, pairs: list[tuple[str, tuple[str, ...]]]) -> Any:
    return model.updated_with(pairs)


def save_model(model: Any, path: Path) -> None:
    model.save(path)


def load_model(path: Path) -> Any:
    from beffroi.domain.moderation.model import Model

    return Model.load(path)


def model_suffix() -> str:
    return ".bin.gz"
