"""Spam: scams, ads, money promises, link farms, follower trading and repeated posts."""

from __future__ import annotations

import re
from collections import Counter

from beffroi.domain.moderation.analysis import Analysis
from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.types import Label, Span

NAME = "spam"
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|ly|biz|info|xyz|club|shop|store|site|online|top|ru|cn)(?:/\S*)?\b",
    re.IGNORECASE,
)
_SHORTENER = re.compile(
    r"\b(?:bit\.ly|tinyurl|goo\.gl|t\.co|ow\.ly|cutt\.ly|is\.gd|shorturl|linktr\.ee|wa\.me)\b", re.IGNORECASE
)
_DISCOUNT = re.compile(r"-\s?\d{1,2}\s?%")
_HASHTAG = re.compile(r"#\w+")
_MONEY = re.compile(r"\d[\d\s.,]*\s?(?:€|euros?|\$|k€)", re.IGNORECASE)


def _echo(analysis: Analysis) -> bool:
    """The same three words repeated three times or more inside one comment."""
    words = [t.canon for t in analysis.toks]
    if len(words) < 9 or len(set(words)) > len(words) * 0.7:
        return False
    return max(Counter(zip(words, words[1:], words[2:], strict=False)).values()) >= 3


def run(ctx: RuleContext) -> list[Hit]:
    text = ctx.text
    a = ctx.analysis
    markers = a.of("spam")
    urls = list(_URL.finditer(text))
    echo = _echo(a)
    if not markers and not urls and ctx.repeats == 0 and not echo:
        return []
    best_at: dict[int, float] = {}  # one cue per position (overlapping forms count once)
    for m in markers:
        best_at[m.start] = max(best_at.get(m.start, 0.0), m.entry.weight)
    covered: set[int] = set()
    cues = 0
    remaining = 1.0
    for m in sorted(markers, key=lambda m: (m.start, -(m.end - m.start))):
        if m.start in covered:
            continue
        covered.update(range(m.start, m.end))
        cues += 1
        remaining *= 1.0 - 0.6 * best_at[m.start]
    score = 1.0 - remaining
    if urls:
        score += 0.15 + 0.1 * min(len(urls), 4)
        if _SHORTENER.search(text):
            score += 0.15
        if not markers and len(urls) == 1 and len(a.toks) > 8:
            score -= 0.2  # a link inside a real sentence: probably a source
    if _MONEY.search(text) and markers:
        score += 0.1
    if _DISCOUNT.search(text) and markers:
        score += 0.15
    if len(_HASHTAG.findall(text)) >= 5:
        score += 0.25
    if ctx.repeats:
        score += 0.35 + 0.15 * min(ctx.repeats, 3)
    if echo:
        score += 0.4  # "venez voir mon profil, venez voir mon profil, venez voir mon profil"
    context = ctx.context
    if context.author_is_new or (
        context.author_account_age_days is not None and context.author_account_age_days < 7
    ):
        score += 0.1
    if cues < 2 and not urls and not ctx.repeats and not echo:
        score = min(score, 0.45)  # one marker alone ("promo", "bitcoin") is not spam
    evidence = [a.match_span(m) for m in markers[:3]] + [
        Span(u.start(), u.end(), u.group()) for u in urls[:3]
    ]
    detail = "message publicitaire ou frauduleux" if not ctx.repeats else "message répété à l'identique"
    return [Hit(Label.SPAM, clamp(score), tuple(sorted(evidence, key=lambda s: s.start)), NAME, detail)]
