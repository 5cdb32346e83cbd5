"""Scoring the engine on a labelled file (``beffroi eval FILE``).

Formats:
- MLMA CSV (columns ``tweet`` and ``sentiment``): anything but ``normal`` should be flagged (any
  removal-worthy label); ``hateful`` in the sentiment should carry the ``hate`` label;
- JSON Lines ``{"text": ..., "labels": [...]}``: per-label scores, and flagged vs not.

Binary tasks are reported with the macro-F1 of the two classes (flagged and not flagged), which is
how toxicity benchmarks are usually scored.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from beffroi.domain.metrics import Scores, binary, binary_macro_f1, macro_f1
from beffroi.domain.moderation.types import ALL_LABELS, REMOVAL_WORTHY, Label, Verdict


class EvalFormatError(ValueError):
    """The file is neither an MLMA CSV nor a JSONL of {text, labels}."""


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[Label]
    flagged: bool  # should be flagged (any removal-worthy label)
    hate: bool | None = None  # for MLMA: should carry 'hate' (None: not annotated)


def _labels(raw: Iterable[str], where: str) -> frozenset[Label]:
    out = set()
    for value in raw:
        try:
            out.add(Label(value))
        except ValueError:
            raise EvalFormatError(f"{where} : catégorie inconnue « {value} »") from None
    return frozenset(out)


def read_examples(path: str | Path) -> Iterator[Example]:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        yield from _read_mlma(path)
    else:
        yield from _read_jsonl(path)


def _read_mlma(path: Path) -> Iterator[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "tweet" not in reader.fieldnames or "sentiment" not in reader.fieldnames:
            raise EvalFormatError(f"{path} : colonnes « tweet » et « sentiment » attendues (format MLMA)")
        for row in reader:
            sentiment = (row.get("sentiment") or "").strip()
            parts = set(sentiment.split("_"))
            flagged = sentiment != "normal"
            hate = "hateful" in parts
            labels = frozenset({Label.HATE}) if hate else frozenset()
            yield Example(row["tweet"], labels, flagged, hate)


def _read_jsonl(path: Path) -> Iterator[Example]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                text = obj["text"]
                raw = obj.get("labels", [])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise EvalFormatError(
                    f"{path} ligne {number} : objet JSON {{text, labels}} attendu ({exc})"
                ) from None
            labels = _labels(raw, f"{path} ligne {number}")
            yield Example(text, labels, bool(labels & REMOVAL_WORTHY))


@dataclass
class Report:
    count: int = 0
    flagged: Scores = field(default_factory=lambda: Scores(0, 0, 0, 0))
    hate: Scores | None = None
    per_label: dict[Label, Scores] = field(default_factory=dict)
    errors: list[tuple[Example, Verdict]] = field(default_factory=list)

    @property
    def flagged_macro_f1(self) -> float:
        return binary_macro_f1(self.flagged)

    @property
    def hate_macro_f1(self) -> float | None:
        return binary_macro_f1(self.hate) if self.hate is not None else None

    @property
    def label_macro_f1(self) -> float:
        present = [s for s in self.per_label.values() if s.support > 0]
        return macro_f1(present)


def evaluate(judge: Callable[[str], Verdict], examples: Iterable[Example], keep_errors: int = 0) -> Report:
    flagged_pairs: list[tuple[bool, bool]] = []
    hate_pairs: list[tuple[bool, bool]] = []
    label_pairs: dict[Label, list[tuple[bool, bool]]] = {label: [] for label in ALL_LABELS}
    report = Report()
    for example in examples:
        verdict = judge(example.text)
        predicted = set(verdict.labels)
        flagged = bool(predicted & REMOVAL_WORTHY)
        flagged_pairs.append((example.flagged, flagged))
        if example.hate is not None:
            hate_pairs.append((example.hate, Label.HATE in predicted))
        else:
            for label in ALL_LABELS:
                label_pairs[label].append((label in example.labels, label in predicted))
        if flagged != example.flagged and len(report.errors) < keep_errors:
            report.errors.append((example, verdict))
        report.count += 1
    report.flagged = binary(flagged_pairs)
    report.hate = binary(hate_pairs) if hate_pairs else None
    report.per_label = {label: binary(pairs) for label, pairs in label_pairs.items() if pairs}
    return report


def _row(name: str, scores: Scores) -> str:
    return f"{name:<16} {scores.precision:9.3f} {scores.recall:9.3f} {scores.f1:9.3f} {scores.support:9d}"


def format_report(report: Report) -> str:
    lines = [
        f"Exemples : {report.count}",
        "",
        f"{'catégorie':<16} {'précision':>9} {'rappel':>9} {'F1':>9} {'support':>9}",
    ]
    lines.append(_row("à masquer", report.flagged))
    lines.append(_row("acceptable", report.flagged.negative()))
    lines.append(f"macro-F1 (à masquer / acceptable) : {report.flagged_macro_f1:.3f}")
    if report.hate is not None:
        lines.append("")
        lines.append(_row("hate", report.hate))
        lines.append(_row("non-hate", report.hate.negative()))
        lines.append(f"macro-F1 (hate / non-hate) : {report.hate_macro_f1:.3f}")
    present = {label: s for label, s in report.per_label.items() if s.support > 0 or s.fp > 0}
    if present:
        lines.append("")
        for label, scores in present.items():
            lines.append(_row(label.value, scores))
        lines.append(f"macro-F1 (catégories présentes) : {report.label_macro_f1:.3f}")
    return "\n".join(lines)
