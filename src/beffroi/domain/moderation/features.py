"""Features of the learned model, computed from the analysis and the rules' hits.

Word unigrams and bigrams of the resolved tokens (so "c0nnard" and "connard" are one feature),
character 3- to 5-grams inside each token (for unseen spellings), lexicon categories, rule hits and
structural signals (negation, counter-speech...). The model thus learns how much to trust each rule
on real comments, on top of the words.

An @mention ("@pseudo", or the "@user" mask of exported data) is an address, not content: it gives
no feature (whether someone is addressed is for the rules to say), so that a handle cannot become
evidence of abuse.
"""

from __future__ import annotations

from collections.abc import Iterable

from beffroi.domain.moderation.analysis import Analysis, Tok
from beffroi.domain.moderation.rules.base import Hit, Signals

FEATURE_VERSION = "f3"
_NGRAMS = (3, 4, 5)


def content_tokens(analysis: Analysis) -> list[Tok]:
    """The tokens that carry content: all but @mentions."""
    text = analysis.norm.text
    return [t for t in analysis.toks if not (t.start > 0 and text[t.start - 1] == "@")]


def _bucket(score: float) -> str:
    if score >= 0.75:
        return "hi"
    if score >= 0.5:
        return "mid"
    return "lo"


def token_features(word: str) -> list[str]:
    """The features one token contributes: the word and its character n-grams."""
    out = ["w:" + word]
    if len(word) >= 3 and word.isalpha():
        padded = "<" + word + ">"
        n_chars = len(padded)
        for n in _NGRAMS:
            out.extend("c:" + padded[i : i + n] for i in range(n_chars - n + 1))
    return out


def context_features(
    analysis: Analysis, hits: Iterable[Hit] = (), signals: Signals | None = None
) -> list[str]:
    """The features that depend on more than one token: bigrams, lexicon categories, rule hits,
    structural signals, length."""
    feats: dict[str, None] = {"_": None}
    toks = content_tokens(analysis)
    prev = "<s>"
    for tok in toks:
        feats["b:" + prev + "_" + tok.canon] = None
        prev = tok.canon
    if toks:
        feats["b:" + prev + "_</s>"] = None
    for m in analysis.matches:
        feats["L:" + m.entry.category + ":" + m.entry.section] = None
    for hit in hits:
        feats["R:" + hit.label.value + ":" + _bucket(hit.score)] = None
    if signals is not None:
        for name, value in (
            ("counter", signals.counter_speech),
            ("negneg", signals.negated_negative),
            ("idpos", signals.identity_positive),
            ("idneutral", signals.identity_neutral),
            ("profanity", signals.untargeted_profanity),
            ("object", signals.object_target),
            ("self", signals.self_directed),
            ("idonly", signals.identity_only),
            ("banter", signals.banter < 0.7),
            ("laugh", 0.7 <= signals.banter < 1.0),
        ):
            if value:
                feats["S:" + name] = None
    if analysis.question_sentences:
        feats["S:question"] = None
    n = len(toks)
    feats["len:" + ("1" if n <= 2 else "s" if n <= 8 else "m" if n <= 25 else "l")] = None
    return list(feats)


def featurize(analysis: Analysis, hits: Iterable[Hit] = (), signals: Signals | None = None) -> list[str]:
    """The feature names of one analysed text: token features once per token (a word used twice
    counts twice), then the context features once each."""
    feats: list[str] = []
    for tok in content_tokens(analysis):
        feats.extend(dict.fromkeys(token_features(tok.canon)))
    feats.extend(context_features(analysis, hits, signals))
    return feats
