"""Explainable French sentiment (positive / neutral / negative) for the watch ("veille").

Usage::

    from beffroi.domain.sentiment import analyse
    s = analyse("Super festival, bravo aux bénévoles 🎉")
    s.label  # "positive"
    s.cues   # the words, emoji, negations and irony markers that decided it
"""

from beffroi.domain.sentiment.analyser import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    Cue,
    Sentiment,
    SentimentAnalyser,
    analyse,
)

__all__ = ["NEGATIVE", "NEUTRAL", "POSITIVE", "Cue", "Sentiment", "SentimentAnalyser", "analyse"]
