"""Precision, recall and F1 (binary and per label), for evaluations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0

    def negative(self) -> Scores:
        """The same counts seen from the negative class."""
        return Scores(tp=self.tn, fp=self.fn, fn=self.fp, tn=self.tp)


def binary(pairs: Iterable[tuple[bool, bool]]) -> Scores:
    """Counts from (expected, predicted) pairs."""
    tp = fp = fn = tn = 0
    for expected, predicted in pairs:
        if expected and predicted:
            tp += 1
        elif predicted:
            fp += 1
        elif expected:
            fn += 1
        else:
            tn += 1
    return Scores(tp, fp, fn, tn)


def binary_macro_f1(scores: Scores) -> float:
    """Macro-F1 of a binary task: the mean of the F1 of the positive and of the negative class."""
    return (scores.f1 + scores.negative().f1) / 2


def macro_f1(per_label: Iterable[Scores]) -> float:
    values = [s.f1 for s in per_label]
    return sum(values) / len(values) if values else 0.0
