"""Reading the engine's verdicts and the commune's charter for the workflow: which labels may act
automatically, the charter articles, the message to the author, and the evidence spans to highlight.

The charter object comes from the engine (``beffroi.domain.moderation``); it is read through small
accessors here so the workflow depends on a few documented attributes only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from beffroi.core.models import Commune
from beffroi.workspace.models import Item, Verdict

LABELS_FR: dict[str, str] = {
    "hate": "Haine",
    "insult": "Insulte",
    "threat": "Menace",
    "harassment": "Harcèlement",
    "sexual": "Contenu sexuel",
    "personal_data": "Données personnelles",
    "spam": "Spam / arnaque",
    "criticism": "Critique",
    "question": "Question",
    "praise": "Remerciement",
    "shouting": "Majuscules / cris",
}
REMOVAL_LABELS = ("hate", "threat", "harassment", "insult", "sexual", "personal_data", "spam")
ACTIONS_FR = {"hide": "masquer", "review": "à revoir", "keep": "conserver"}


def label_fr(label: str) -> str:
    return LABELS_FR.get(label, label)


# ---------------------------------------------------------------------------------------------
# The charter, through the engine


def charter_of(commune: Commune) -> Any:
    from beffroi.workspace.actions.judging import engine_for

    engine = engine_for(commune)
    return getattr(engine, "charter", None)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _label_policy(charter: Any, label: str) -> Any:
    """The charter's settings for one label (action, thresholds, article, automatic)."""
    for attr in ("labels", "policies", "label_policies", "rules"):
        table = _get(charter, attr)
        if isinstance(table, Mapping):
            for key, policy in table.items():
                if str(getattr(key, "value", key)) == label:
                    return policy
    finder = getattr(charter, "policy", None) or getattr(charter, "policy_for", None)
    if callable(finder):
        try:
            return finder(label)
        except (KeyError, ValueError):
            return None
    return None


def automatic_labels(commune: Commune, charter: Any | None = None) -> set[str]:
    """Labels for which the commune lets Beffroi hide automatically (the charter's per-label flag)."""
    charter = charter if charter is not None else charter_of(commune)
    result = set()
    for label in REMOVAL_LABELS:
        policy = _label_policy(charter, label)
        if bool(_get(policy, "automatic", False)):
            result.add(label)
    return result


def may_hide_automatically(verdict: Verdict, commune: Commune, charter: Any | None = None) -> bool:
    """The verdict says hide AND every removal label that led to it acts automatically in the charter.

    A verdict of several labels (insult + spam) hides automatically only if the label(s) the charter
    would hide for are automatic: the labels whose own policy is "hide"."""
    if verdict.action != "hide":
        return False
    charter = charter if charter is not None else charter_of(commune)
    automatic = automatic_labels(commune, charter)
    deciding = [lbl for lbl in verdict.labels if lbl in REMOVAL_LABELS and str(_get(_label_policy(charter, lbl), "action", "hide")) in ("hide", "Action.HIDE")]
    if not deciding:
        deciding = [lbl for lbl in verdict.labels if lbl in REMOVAL_LABELS]
    return bool(deciding) and all(lbl in automatic for lbl in deciding)


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str


def articles(commune: Commune, charter: Any | None = None) -> dict[str, Article]:
    charter = charter if charter is not None else charter_of(commune)
    found = _get(charter, "articles") or ()
    if isinstance(found, Mapping):
        found = [{"id": key, **(value if isinstance(value, Mapping) else {"title": _get(value, "title", ""), "text": _get(value, "text", "")})} for key, value in found.items()]
    result = {}
    for art in found:
        art_id = str(_get(art, "id", ""))
        if art_id:
            result[art_id] = Article(art_id, str(_get(art, "title", "") or ""), str(_get(art, "text", "") or ""))
    return result


def public_charter_url(commune: Commune) -> str:
    try:
        path = reverse("public_charter", kwargs={"commune": commune.slug})
    except Exception:
        return ""
    return str(settings.BEFFROI_BASE_URL).rstrip("/") + path


def default_author_message(commune: Commune, article: Article | None) -> str:
    rule = f"l'article {article.id} de notre charte de modération" if article else "notre charte de modération"
    if article and article.title:
        rule += f" (« {article.title} »)"
    url = public_charter_url(commune)
    link = f" Vous pouvez la consulter ici : {url}" if url else ""
    return (
        f"Bonjour, votre message a été masqué car il ne respecte pas {rule}. Les échanges restent ouverts à "
        f"tous les avis exprimés avec respect.{link} Merci de votre compréhension. — {commune.name}"
    )


def author_message(item: Item, *, label: str = "", article_id: str = "", charter: Any | None = None) -> str:
    """The message to the author of a hidden item: the engine's (from the charter template) when the
    engine itself proposed hiding, else the charter's template for the label, else a courteous default."""
    verdict = item.current_verdict
    if verdict is not None and verdict.message and (not label or label in verdict.labels):
        return verdict.message
    commune = item.commune
    charter = charter if charter is not None else charter_of(commune)
    policy = _label_policy(charter, label) if label else None
    art_id = article_id or str(_get(policy, "article", "") or "") or (verdict.article if verdict else "")
    render = getattr(charter, "message_for", None)
    if callable(render) and label:
        from beffroi.domain.moderation.types import Label

        try:
            text = render(Label(label), art_id or None)
        except (TypeError, KeyError, ValueError, IndexError):
            text = ""
        if text:
            return str(text)
    return default_author_message(commune, articles(commune, charter).get(art_id))


def main_label(verdict: Verdict | None) -> str:
    """The gravest removal-worthy label of the verdict ("" when there is none)."""
    if verdict is None:
        return ""
    for label in ("threat", "hate", "harassment", "insult", "sexual", "personal_data", "spam"):
        if label in verdict.labels:
            return label
    return ""


# ---------------------------------------------------------------------------------------------
# Evidence highlighting


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool
    labels: tuple[str, ...] = ()


def evidence_spans(reasons: Iterable[Mapping[str, Any]]) -> list[tuple[int, int, str]]:
    spans = []
    for reason in reasons:
        for ev in reason.get("evidence") or ():
            try:
                start, end = int(ev["start"]), int(ev["end"])
            except (KeyError, TypeError, ValueError):
                continue
            if end > start >= 0:
                spans.append((start, end, str(reason.get("label", ""))))
    return spans


def segments(text: str, reasons: Iterable[Mapping[str, Any]]) -> list[Segment]:
    """Cut the text into plain and highlighted segments (overlapping spans merged)."""
    spans = sorted((s, min(e, len(text)), lbl) for s, e, lbl in evidence_spans(reasons) if s < len(text))
    merged: list[tuple[int, int, set[str]]] = []
    for start, end, label in spans:
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] | {label})
        else:
            merged.append((start, end, {label}))
    out: list[Segment] = []
    pos = 0
    for start, end, labels in merged:
        if start > pos:
            out.append(Segment(text[pos:start], False))
        out.append(Segment(text[start:end], True, tuple(sorted(labels))))
        pos = end
    if pos < len(text) or not out:
        out.append(Segment(text[pos:], False))
    return out
