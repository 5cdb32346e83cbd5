"""The commune's moderation charter: articles, what to do for each label, block and allow lists,
messages to authors. Stored as TOML; validated with French error messages.

Invariants (a charter that breaks them is refused):
- ``criticism`` never leads to ``hide`` (civil criticism of the commune is never removed);
- ``shouting`` never hides on its own (a style rule);
- every label whose action is ``hide`` cites an existing article, so that the author's message does.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from beffroi.domain.moderation.types import ALL_LABELS, Action, Label

LABEL_NAMES_FR: dict[Label, str] = {
    Label.HATE: "propos haineux ou discriminatoires",
    Label.INSULT: "injures ou propos insultants",
    Label.THREAT: "menaces ou appels à la violence",
    Label.HARASSMENT: "harcèlement",
    Label.SEXUAL: "contenu à caractère sexuel",
    Label.PERSONAL_DATA: "données personnelles",
    Label.SPAM: "publicité ou messages indésirables",
    Label.CRITICISM: "critique",
    Label.QUESTION: "question",
    Label.PRAISE: "remerciement",
    Label.SHOUTING: "majuscules ou ponctuation excessive",
}
NEVER_HIDE: frozenset[Label] = frozenset({Label.CRITICISM, Label.SHOUTING})
_PLACEHOLDERS = {"article": "A1", "article_title": "Titre", "label": "injures", "commune": "Commune"}


class CharterError(ValueError):
    """An invalid charter; ``errors`` lists every problem, in French."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("Charte invalide :\n- " + "\n- ".join(errors))


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class LabelPolicy:
    action: Action  # what to do when the label applies with a confident score
    threshold: float = 0.5  # the label applies at or above this score
    confident: float = 0.75  # at or above: the action applies; below, a 'hide' becomes 'review'
    article: str | None = None
    automatic: bool = True  # False: a 'hide' always waits for a human ('review')

    def action_for(self, score: float) -> Action:
        if score < self.threshold:
            return Action.KEEP
        if self.action == Action.HIDE and (score < self.confident or not self.automatic):
            return Action.REVIEW
        return self.action


@dataclass(frozen=True)
class ListEntry:
    expression: str
    label: Label


@dataclass(frozen=True)
class Charter:
    name: str
    commune: str
    articles: tuple[Article, ...]
    policies: dict[Label, LabelPolicy]
    block: tuple[ListEntry, ...] = ()
    allow: tuple[str, ...] = ()
    messages: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """A stable hash of the charter's content (same content, same version)."""
        canonical = json.dumps(to_dict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def article(self, article_id: str | None) -> Article | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def policy(self, label: Label) -> LabelPolicy:
        return self.policies.get(label, LabelPolicy(Action.KEEP))

    def message_for(self, label: Label, article_id: str | None) -> str:
        """The courteous French message to the author of a hidden comment, citing the article."""
        article = self.article(article_id)
        template = self.messages.get(label.value) or self.messages.get("hide") or _DEFAULT_MESSAGE
        return template.format(
            article=article.id if article else "",
            article_title=article.title if article else "",
            label=LABEL_NAMES_FR[label],
            commune=self.commune,
        )


_DEFAULT_MESSAGE = (
    "Bonjour, votre commentaire a été masqué car il ne respecte pas l'article {article} "
    "(« {article_title} ») de la charte de modération de {commune}. Vous pouvez reformuler votre "
    "message dans le respect de chacun. Merci de votre compréhension."
)


def _number(value: Any, where: str, errors: list[str]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(f"{where} doit être un nombre entre 0 et 1 (valeur : {value!r}).")
        return None
    if not 0.0 <= float(value) <= 1.0:
        errors.append(f"{where} doit être compris entre 0 et 1 (valeur : {value}).")
        return None
    return float(value)


def _parse_policy(name: str, raw: Any, article_ids: set[str], errors: list[str]) -> LabelPolicy | None:
    where = f"[labels.{name}]"
    if not isinstance(raw, dict):
        errors.append(f"{where} doit être une table TOML.")
        return None
    unknown = set(raw) - {"action", "threshold", "confident", "article", "automatic"}
    if unknown:
        errors.append(f"{where} : clé(s) inconnue(s) {', '.join(sorted(unknown))}.")
    action_raw = raw.get("action", "keep")
    try:
        action = Action(action_raw)
    except ValueError:
        errors.append(f"{where} : action « {action_raw} » inconnue (valeurs possibles : hide, review, keep).")
        return None
    threshold = _number(raw.get("threshold", 0.5), f"{where} threshold", errors)
    confident = _number(raw.get("confident", 0.75), f"{where} confident", errors)
    if threshold is None or confident is None:
        return None
    if confident < threshold:
        errors.append(
            f"{where} : le seuil « confident » ({confident}) doit être au moins égal à « threshold » ({threshold})."
        )
    article = raw.get("article")
    if article is not None and not isinstance(article, str):
        errors.append(f"{where} : « article » doit être l'identifiant d'un article (texte).")
        article = None
    if article is not None and article not in article_ids:
        errors.append(f"{where} : l'article « {article} » n'existe pas dans la charte.")
    automatic = raw.get("automatic", True)
    if not isinstance(automatic, bool):
        errors.append(f"{where} : « automatic » doit valoir true ou false.")
        automatic = True
    label = Label(name)
    if action == Action.HIDE and label == Label.CRITICISM:
        errors.append(
            "[labels.criticism] : une critique, même vive, ne peut jamais entraîner le masquage d'un "
            "commentaire. Choisissez « review » ou « keep »."
        )
    if action == Action.HIDE and label == Label.SHOUTING:
        errors.append(
            "[labels.shouting] : l'écriture en majuscules ou les points d'exclamation ne justifient pas à eux "
            "seuls le masquage d'un commentaire. Choisissez « review » ou « keep »."
        )
    if action == Action.HIDE and article is None:
        errors.append(f"{where} : une action « hide » doit citer un article de la charte (clé « article »).")
    return LabelPolicy(action, threshold, confident, article, automatic)


def from_dict(data: dict[str, Any]) -> Charter:
    """Build and validate a charter from its TOML table; raises :class:`CharterError`."""
    errors: list[str] = []
    head = data.get("charter", {})
    if not isinstance(head, dict):
        errors.append("[charter] doit être une table TOML.")
        head = {}
    name = str(head.get("name", "Charte de modération"))
    commune = str(head.get("commune", "la commune"))
    articles: list[Article] = []
    raw_articles = data.get("articles", [])
    if not isinstance(raw_articles, list) or not raw_articles:
        errors.append("La charte doit contenir au moins un article ([[articles]] avec id, title et text).")
        raw_articles = []
    for number, raw in enumerate(raw_articles, start=1):
        if not isinstance(raw, dict) or not all(
            isinstance(raw.get(k), str) and raw.get(k) for k in ("id", "title", "text")
        ):
            errors.append(
                f"L'article n° {number} doit avoir un « id », un « title » et un « text » non vides."
            )
            continue
        articles.append(Article(raw["id"], raw["title"], raw["text"]))
    ids = [a.id for a in articles]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        errors.append(f"L'identifiant d'article « {dup} » est utilisé plusieurs fois.")
    policies: dict[Label, LabelPolicy] = {}
    raw_labels = data.get("labels", {})
    if not isinstance(raw_labels, dict):
        errors.append("[labels] doit être une table TOML.")
        raw_labels = {}
    known = {label.value for label in ALL_LABELS}
    for name_ in raw_labels:
        if name_ not in known:
            errors.append(f"[labels.{name_}] : catégorie inconnue (catégories : {', '.join(sorted(known))}).")
    for label in ALL_LABELS:
        policy = _parse_policy(label.value, raw_labels.get(label.value, {"action": "keep"}), set(ids), errors)
        if policy is not None:
            policies[label] = policy
    lists = data.get("lists", {})
    block: list[ListEntry] = []
    allow: list[str] = []
    if isinstance(lists, dict):
        for number, raw in enumerate(lists.get("block", []), start=1):
            if (
                not isinstance(raw, dict)
                or not isinstance(raw.get("expression"), str)
                or not raw["expression"].strip()
            ):
                errors.append(
                    f"Liste noire, entrée n° {number} : il faut une « expression » et un « label »."
                )
                continue
            label_raw = raw.get("label", "insult")
            if label_raw not in known:
                errors.append(f"Liste noire, entrée n° {number} : catégorie « {label_raw} » inconnue.")
                continue
            block.append(ListEntry(raw["expression"].strip(), Label(label_raw)))
        for raw in lists.get("allow", []):
            if not isinstance(raw, str) or not raw.strip():
                errors.append("Liste blanche : chaque entrée doit être un mot ou une expression non vide.")
                continue
            allow.append(raw.strip())
    else:
        errors.append("[lists] doit être une table TOML (block, allow).")
    messages: dict[str, str] = {}
    raw_messages = data.get("messages", {})
    if isinstance(raw_messages, dict):
        for key, value in raw_messages.items():
            if key != "hide" and key not in known:
                errors.append(f"[messages] : clé « {key} » inconnue (« hide » ou une catégorie).")
                continue
            if not isinstance(value, str):
                errors.append(f"[messages] {key} doit être un texte.")
                continue
            try:
                value.format(**_PLACEHOLDERS)
            except (KeyError, IndexError, ValueError) as exc:
                errors.append(
                    f"[messages] {key} : variable inconnue ou accolade mal fermée ({exc}). Variables possibles : "
                    "{article}, {article_title}, {label}, {commune}."
                )
                continue
            messages[key] = value
    if errors:
        raise CharterError(errors)
    return Charter(name, commune, tuple(articles), policies, tuple(block), tuple(allow), messages)


def to_dict(charter: Charter) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    for label in ALL_LABELS:
        policy = charter.policy(label)
        table: dict[str, Any] = {
            "action": policy.action.value,
            "threshold": policy.threshold,
            "confident": policy.confident,
            "automatic": policy.automatic,
        }
        if policy.article is not None:
            table["article"] = policy.article
        labels[label.value] = table
    return {
        "charter": {"name": charter.name, "commune": charter.commune},
        "articles": [{"id": a.id, "title": a.title, "text": a.text} for a in charter.articles],
        "labels": labels,
        "lists": {
            "block": [{"expression": e.expression, "label": e.label.value} for e in charter.block],
            "allow": list(charter.allow),
        },
        "messages": dict(sorted(charter.messages.items())),
    }


def loads(text: str) -> Charter:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CharterError([f"Le fichier n'est pas un TOML valide : {exc}"]) from exc
    return from_dict(data)


def load_charter(path: str | Path) -> Charter:
    """Load and validate a charter file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CharterError([f"Impossible de lire la charte « {path} » : {exc.strerror or exc}"]) from exc
    except UnicodeDecodeError:
        raise CharterError([f"La charte « {path} » n'est pas encodée en UTF-8."]) from None
    return loads(text)


def dumps(charter: Charter) -> str:
    import tomli_w

    return tomli_w.dumps(to_dict(charter))


def dump_charter(charter: Charter, path: str | Path) -> None:
    Path(path).write_text(dumps(charter), encoding="utf-8")


_DEFAULT: Charter | None = None


def default_charter() -> Charter:
    """The charter shipped with Beffroi (``beffroi/data/charter/default.toml``)."""
    global _DEFAULT
    if _DEFAULT is None:
        text = resources.files("beffroi.data.charter").joinpath("default.toml").read_text(encoding="utf-8")
        _DEFAULT = loads(text)
    return _DEFAULT
