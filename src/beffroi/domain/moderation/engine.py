"""The moderation engine: rules + learned model, decided by the commune's charter.

``Engine(charter=None, model=None).judge(text, context) -> Verdict``. Construction loads the
lexicons, the word frequencies and the model once; ``judge`` is thread-safe (it keeps no state
between calls apart from caches guarded for concurrent use).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from beffroi.domain.moderation.analysis import Analyser, Analysis
from beffroi.domain.moderation.charter import Charter, default_charter
from beffroi.domain.moderation.lexicon import Lexicon, load_lexicon, tokens_of
from beffroi.domain.moderation.model import Model, default_model
from beffroi.domain.moderation.resolver import Resolver, word_frequencies
from beffroi.domain.moderation.rules import RULES, Hit, RuleContext, Signals
from beffroi.domain.moderation.structure import Grammar
from beffroi.domain.moderation.types import (
    ACTION_SEVERITY,
    ALL_LABELS,
    REMOVAL_WORTHY,
    Action,
    Context,
    Label,
    Reason,
    Span,
    Verdict,
)
from beffroi.domain.text.normalise import normalise
from beffroi.domain.text.tokens import words

ENGINE_VERSION = "beffroi-moderation-1"
WINDOW = 2000  # characters per analysis window for very long texts
MAX_CHARS = 200_000  # beyond this, only the start and the end of a text are read
MODEL_WEIGHT = 0.9  # how far the model alone can push a score
_EMPTY_CONTEXT = Context()
RULE_ONLY = frozenset({Label.SHOUTING})  # a style rule: capitals and '!!!', nothing to learn


@dataclass(frozen=True)
class Shared:
    """What every engine shares in a process: lexicons, frequencies, resolver (loaded once)."""

    lexicon: Lexicon
    resolver: Resolver
    grammar: Grammar
    analyser: Analyser


_SHARED: Shared | None = None
_SHARED_LOCK = threading.Lock()


def shared_resources() -> Shared:
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            lexicon = load_lexicon()
            resolver = Resolver(lexicon, word_frequencies())
            _SHARED = Shared(lexicon, resolver, Grammar.from_lexicon(lexicon), Analyser(lexicon, resolver))
        return _SHARED


@dataclass
class Judgement:
    """Everything computed for one text before the charter decides (used by training and eval)."""

    analysis: Analysis
    hits: list[Hit]
    signals: Signals
    rule_scores: dict[Label, float]
    model_scores: dict[Label, float] = field(default_factory=dict)


class Engine:
    def __init__(
        self, charter: Charter | None = None, model: Model | None = None, *, use_model: bool = True
    ) -> None:
        self.charter = charter or default_charter()
        shared = shared_resources()
        self.lexicon = shared.lexicon
        self.grammar = shared.grammar
        self.analyser = shared.analyser
        self.model = model if model is not None else (default_model() if use_model else None)
        self.block = tuple(
            (tokens_of(e.expression), e.label) for e in self.charter.block if tokens_of(e.expression)
        )
        allow = [
            re.escape(" ".join(words(normalise(a).text)))
            for a in self.charter.allow
            if words(normalise(a).text)
        ]
        self._allow = re.compile(r"(?<![a-z0-9])(?:" + "|".join(allow) + r")(?![a-z0-9])") if allow else None
        self.charter_version = self.charter.version
        self._thresholds = {label: self.charter.policy(label).threshold for label in ALL_LABELS}
        self.version = ENGINE_VERSION + (f"+{self.model.version}" if self.model else "")

    @classmethod
    def from_settings(cls) -> Engine:
        """An engine configured by the BEFFROI_MODERATION_* settings (charter, model)."""
        from beffroi import conf
        from beffroi.domain.moderation.charter import load_charter
        from beffroi.domain.moderation.model import Model

        charter_path = conf.get("MODERATION_CHARTER")
        model_path = conf.get("MODERATION_MODEL")
        use_model = bool(conf.get("MODERATION_USE_MODEL"))
        charter = load_charter(charter_path) if charter_path else None
        model = Model.load(model_path) if use_model and model_path else None
        return cls(charter=charter, model=model, use_model=use_model)

    # -- analysis -------------------------------------------------------------------------
    def _masked(self, text: str) -> list[tuple[int, int]]:
        if self._allow is None:
            return []
        norm = normalise(text)
        return [norm.original_span(m.start(), m.end()) for m in self._allow.finditer(norm.text)]

    def run_rules(self, text: str, context: Context | None = None, repeats: int = 0) -> Judgement:
        """Analyse a text and run every rule (no model, no charter decision)."""
        analysis = self.analyser.analyse(text, self._masked(text))
        ctx = RuleContext(
            analysis, self.grammar, self.lexicon, context or _EMPTY_CONTEXT, repeats=repeats, block=self.block
        )
        for _name, rule in RULES:
            ctx.hits.extend(rule(ctx))
        scores: dict[Label, float] = {}
        for hit in ctx.hits:
            if hit.score > scores.get(hit.label, 0.0):
                scores[hit.label] = hit.score
        return Judgement(analysis, ctx.hits, ctx.signals, scores)

    def scores(self, judgement: Judgement) -> dict[Label, float]:
        """Rule scores combined with the model's probabilities."""
        combined = {label: judgement.rule_scores.get(label, 0.0) for label in ALL_LABELS}
        if self.model is None or not judgement.analysis.toks:
            return combined
        probs = self.model.predict(judgement.analysis, judgement.hits, judgement.signals)
        for label, prob in probs.items():
            if label in RULE_ONLY:
                continue
            rule = combined[label]
            # below 0.05 the model cannot change a decision: no need to weigh its trust
            trust = 1.0 if rule >= 0.5 or prob < 0.05 else model_trust(label, judgement)
            model = MODEL_WEIGHT * prob * trust
            judgement.model_scores[label] = model
            combined[label] = 1.0 - (1.0 - rule) * (1.0 - model)
        return combined

    # -- public API ------------------------------------------------------------------------
    def judge(self, text: str, context: Context | None = None, *, repeats: int = 0) -> Verdict:
        """The verdict on one comment: labels, scores, action decided by the charter, reasons."""
        if not isinstance(text, str):
            raise TypeError("le texte à modérer doit être une chaîne de caractères")
        if not text.strip():
            return self._verdict({label: 0.0 for label in ALL_LABELS}, [], None)
        if len(text) > WINDOW + WINDOW // 2:
            return self._judge_long(text, context, repeats)
        judgement = self.run_rules(text, context, repeats)
        scores = self.scores(judgement)
        return self._verdict(scores, judgement.hits, judgement)

    def _judge_long(self, text: str, context: Context | None, repeats: int) -> Verdict:
        if len(text) > MAX_CHARS:
            text_windows = [
                (0, text[: MAX_CHARS // 2]),
                (len(text) - MAX_CHARS // 2, text[-MAX_CHARS // 2 :]),
            ]
        else:
            text_windows = [(0, text)]
        scores = {label: 0.0 for label in ALL_LABELS}
        hits: list[Hit] = []
        for base, chunk in text_windows:
            for offset, window in _windows(chunk):
                judgement = self.run_rules(window, context, repeats)
                for label, score in self.scores(judgement).items():
                    scores[label] = max(scores[label], score)
                shift = base + offset
                for hit in judgement.hits:
                    spans = tuple(Span(s.start + shift, s.end + shift, s.text) for s in hit.evidence)
                    hits.append(Hit(hit.label, hit.score, spans, hit.source, hit.detail))
        return self._verdict(scores, hits, None)

    def _verdict(self, scores: dict[Label, float], hits: list[Hit], judgement: Judgement | None) -> Verdict:
        charter = self.charter
        labels = tuple(label for label in ALL_LABELS if scores[label] >= self._thresholds[label])
        action = Action.KEEP
        deciding: tuple[int, float, Label] | None = None
        for label in labels:
            label_action = charter.policy(label).action_for(scores[label])
            key = (ACTION_SEVERITY[label_action], scores[label], label)
            if label_action != Action.KEEP and (deciding is None or key[:2] > deciding[:2]):
                deciding = key
                action = label_action if ACTION_SEVERITY[label_action] > ACTION_SEVERITY[action] else action
        article = charter.policy(deciding[2]).article if deciding else None
        message = charter.message_for(deciding[2], article) if deciding and action == Action.HIDE else None
        reasons = self._reasons(labels, scores, hits, judgement)
        return Verdict(
            labels=labels,
            scores={label: round(scores[label], 4) for label in ALL_LABELS},
            action=action,
            reasons=tuple(reasons),
            article=article,
            message=message,
            engine_version=self.version,
            charter_version=self.charter_version,
        )

    def _reasons(
        self,
        labels: tuple[Label, ...],
        scores: dict[Label, float],
        hits: list[Hit],
        judgement: Judgement | None,
    ) -> list[Reason]:
        reasons: list[Reason] = []
        for label in labels:
            article = self.charter.policy(label).article
            label_hits = sorted((h for h in hits if h.label == label), key=lambda h: -h.score)
            seen: set[tuple[str, str]] = set()
            for hit in label_hits:
                key = (hit.source, hit.detail)
                if key in seen or len(seen) >= 3:
                    continue
                seen.add(key)
                reasons.append(
                    Reason(label, f"rule:{hit.source}", hit.score, hit.evidence, article, hit.detail)
                )
            rule_score = label_hits[0].score if label_hits else 0.0
            model_score = judgement.model_scores.get(label, 0.0) if judgement is not None else 0.0
            if (
                self.model is not None
                and judgement is not None
                and (model_score >= 0.35 or rule_score < 0.5 <= scores[label])
            ):
                evidence = self.model.evidence(judgement.analysis, label)
                reasons.append(
                    Reason(
                        label,
                        f"model:{self.model.name}",
                        scores[label],
                        evidence,
                        article,
                        "modèle appris sur des décisions de modération",
                    )
                )
        return reasons


# Which lexicon categories give the model something to stand on, per label.
_EVIDENCE: dict[Label, tuple[str, ...]] = {
    Label.HATE: ("identity", "slurs", "exclusion"),
    Label.INSULT: ("insults", "dehumanising", "profanity", "hate_emotions", "slurs", "negative_attributes"),
    Label.THREAT: ("threats",),
    Label.HARASSMENT: ("harassment", "insults"),
    Label.SEXUAL: ("sexual",),
    Label.SPAM: ("spam",),
}
_NO_EVIDENCE_TRUST: dict[Label, float] = {
    Label.HATE: 0.5,
    Label.INSULT: 0.75,
    Label.THREAT: 0.6,
    Label.HARASSMENT: 0.75,
    Label.SEXUAL: 0.55,
    Label.SPAM: 0.5,
}
_LINK = re.compile(r"https?://|www\.|\.(?:com|net|org|io|ly|biz|info|xyz|shop|fr)/", re.IGNORECASE)


_HARASSMENT_COMPANIONS = frozenset({Label.SEXUAL, Label.THREAT, Label.INSULT, Label.PERSONAL_DATA})
_SECOND_PERSON = frozenset({"tu", "t", "te", "toi", "ton", "ta", "tes", "vous", "votre", "vos", "ti", "ty"})


def _addressed(analysis: Analysis) -> bool:
    """Someone is addressed: a second-person word or an @mention."""
    text = analysis.norm.text
    return any(t.canon in _SECOND_PERSON or (t.start > 0 and text[t.start - 1] == "@") for t in analysis.toks)


def model_trust(label: Label, judgement: Judgement) -> float:
    """How far the model may push a label the rules did not find (0..1).

    The model only sees words; the rules see structure. When the rules saw a structure that makes
    a text safe (counter-speech, a negated insult, abuse of an object, friendly teasing) or found no
    word of the label's kind at all, the model alone should not remove a comment."""
    signals = judgement.signals
    analysis = judgement.analysis
    if label == Label.PERSONAL_DATA:
        return 0.3  # personal data is a pattern (number, address): the rules see it
    if signals.intervention and label in (Label.INSULT, Label.THREAT, Label.HARASSMENT, Label.HATE):
        return 0.35  # a defender names the abuse ("arrête de la harceler"): the model's words are not hers
    if label == Label.PRAISE and signals.sarcasm:
        return 0.3
    if (
        label == Label.PRAISE
        and not any(h.label == Label.PRAISE for h in judgement.hits)
        and any(m.entry.lemma.startswith("merci") for m in analysis.of("civic", "question"))
    ):
        return 0.4  # "merci de me dire quand …": politeness in a request, not thanks
    if label == Label.HATE:
        if signals.counter_speech or signals.negated_negative or signals.identity_positive:
            return 0.35
        if signals.identity_only:
            # a group named with no hostile word; in a few words ("un ami arabe") nothing is said of it
            return 0.45 if len(analysis.toks) <= 4 else 0.6
        if signals.slur_at_person:
            return 0.45
    if label == Label.INSULT and signals.safe_for_insult():
        return 0.5
    categories = _EVIDENCE.get(label)
    if categories is None:
        return 1.0
    evidence = any(analysis.of(c) for c in categories)
    if label == Label.SPAM:
        evidence = (
            evidence
            or bool(_LINK.search(analysis.norm.text))
            or any(h.label == Label.SPAM for h in judgement.hits)
        )
    if not evidence:
        if label == Label.HARASSMENT and analysis.of("civic", "welcome"):
            return 0.35  # "viens manger avec nous, on a gardé une place pour toi": inclusion
        if (
            label == Label.HARASSMENT
            and not _addressed(analysis)
            and not any(h.label in _HARASSMENT_COMPANIONS for h in judgement.hits)
        ):
            return 0.55  # no harassment word, nobody addressed ("personne ne veut de ce projet"): never alone
        return _NO_EVIDENCE_TRUST[label]
    if label == Label.THREAT and (signals.violence_without_victim or signals.negated_negative):
        return 0.35  # a violent verb aimed at a thing or at the speaker ("tuer le temps")
    if label == Label.SEXUAL and not any(h.label == Label.SEXUAL for h in judgement.hits):
        return 0.5  # only words with an innocent sense ("chatte", "sexe")
    if label in (Label.INSULT, Label.HARASSMENT):
        return 0.5 + 0.5 * (signals.banter - 0.55) / 0.45
    if label == Label.SPAM:
        return 0.7  # spam cues too weak for the spam rule (one "gratuit" is not an advert)
    return 1.0


def _windows(text: str) -> list[tuple[int, str]]:
    """Cut a long text into windows of about WINDOW characters, at whitespace when possible."""
    out = []
    pos = 0
    n = len(text)
    while pos < n:
        end = min(n, pos + WINDOW)
        if end < n:
            cut = text.rfind(" ", pos + WINDOW // 2, end)
            if cut > pos:
                end = cut + 1
        out.append((pos, text[pos:end]))
        pos = end
    return out


def removal_worthy(verdict: Verdict) -> bool:
    return any(label in REMOVAL_WORTHY for label in verdict.labels)
