"""Scoring the engine on a labelled file (``beffroi eval FILE``).

Formats (CSV or JSON Lines, recognised by their columns / keys):
- MLMA CSV (columns ``tweet`` and ``sentiment``): anything but ``normal`` should be flagged (any
  removal-worthy label); ``hateful`` in the sentiment should carry the ``hate`` label;
- HateCheck-style functional tests (``test_case`` or ``text``, with ``label_gold``
  ``hateful``/``non-hateful`` or a boolean ``hateful``): scored on the ``hate`` label, with the
  accuracy of each ``functionality``;
- binary toxicity files (a text column ``text``/``comment``/``tweet``/``message``/``content`` and a
  label ``label``/``toxic``/``toxicity``/``flagged``/``harassment``/``is_toxic``, 0/1, true/false or
  words such as ``toxic``/``non-toxic``): scored on "should be flagged";
- JSON Lines ``{"text": ..., "labels": [...]}``: per-label scores, and flagged vs not.

Any of them may carry a ``functionality``, ``kind`` or ``category`` field: the report then gives the
accuracy of each group and its weakest one.

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
    group: str | None = None  # functionality / kind of case, for per-group accuracy
    on_hate: bool = False  # a functional hate test: right or wrong by the 'hate' label alone


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
    if path.suffix.lower() in (".csv", ".tsv"):
        yield from _read_csv(path, "\t" if path.suffix.lower() == ".tsv" else ",")
    else:
        yield from _read_jsonl(path)


_TEXT_KEYS = ("test_case", "text", "comment", "tweet", "message", "content", "sentence")
_BINARY_KEYS = ("label", "toxic", "toxicity", "flagged", "harassment", "is_toxic", "is_hate", "offensive")
_GROUP_KEYS = ("functionality", "kind", "category")
_TRUE = frozenset({"1", "true", "yes", "oui", "hateful", "toxic", "offensive", "harassment", "abusive", "hate"})
_FALSE = frozenset({"0", "false", "no", "non", "non-hateful", "non_hateful", "non-toxic", "non_toxic", "not_toxic",
                    "normal", "none", "neutral", "clean", "ok"})


def _truth(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value >= 0.5
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    try:
        return float(word) >= 0.5
    except ValueError:
        raise EvalFormatError(f"{where} : étiquette « {value} » illisible (attendu 0/1, vrai/faux, hateful/non-hateful…)") from None


def _first(row: dict[str, object], keys: Iterable[str]) -> str | None:
    return next((key for key in keys if key in row and row[key] not in (None, "")), None)


def _example(row: dict[str, object], where: str) -> Example | None:
    """One example from a row of any supported format (None: not one of them)."""
    group_key = _first(row, _GROUP_KEYS)
    group = str(row[group_key]) if group_key else None
    text_key = _first(row, _TEXT_KEYS)
    if text_key is None:
        return None
    text = str(row[text_key])
    if "label_gold" in row or "hateful" in row:
        hate = _truth(row.get("label_gold", row.get("hateful")), where)
        return Example(text, frozenset({Label.HATE}) if hate else frozenset(), hate, hate, group, on_hate=True)
    if "labels" in row and isinstance(row["labels"], list):
        labels = _labels((str(v) for v in row["labels"]), where)
        return Example(text, labels, bool(labels & REMOVAL_WORTHY), group=group)
    binary_key = _first(row, _BINARY_KEYS)
    if binary_key is not None:
        flagged = _truth(row[binary_key], where)
        return Example(text, frozenset(), flagged, group=group)
    return None


def _read_csv(path: Path, delimiter: str) -> Iterator[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        fields = set(reader.fieldnames or ())
        if {"tweet", "sentiment"} <= fields:
            yield from _mlma_rows(reader)
            return
        for number, row in enumerate(reader, start=2):
            example = _example(dict(row), f"{path} ligne {number}")
            if example is None:
                raise EvalFormatError(
                    f"{path} : colonnes attendues : « tweet » et « sentiment » (MLMA), « test_case » et "
                    "« label_gold » (HateCheck), ou une colonne de texte et une étiquette 0/1"
                )
            yield example


def _mlma_rows(reader: csv.DictReader[str]) -> Iterator[Example]:
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
            where = f"{path} ligne {number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalFormatError(f"{where} : JSON invalide ({exc})") from None
            if not isinstance(obj, dict):
                raise EvalFormatError(f"{where} : objet JSON attendu")
            if "text" in obj and "labels" not in obj and _first(obj, ("label_gold", "hateful", *_BINARY_KEYS)) is None:
                obj["labels"] = []  # {text} alone: nothing to flag
            example = _example(obj, where)
            if example is None:
                raise EvalFormatError(f"{where} : objet JSON {{text, labels}} attendu")
            yield example


@dataclass
class Report:
    count: int = 0
    flagged: Scores = field(default_factory=lambda: Scores(0, 0, 0, 0))
    hate: Scores | None = None
    per_label: dict[Label, Scores] = field(default_factory=dict)
    errors: list[tuple[Example, Verdict]] = field(default_factory=list)
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)  # group -> (right, total)

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
        right = (Label.HATE in predicted) == example.hate if example.on_hate else flagged == example.flagged
        if example.group is not None:
            ok, total = report.groups.get(example.group, (0, 0))
            report.groups[example.group] = (ok + right, total + 1)
        if not right and len(report.errors) < keep_errors:
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
    if report.groups:
        lines.append("")
        lines.append(f"{'groupe de cas':<32} {'justes':>9} {'exactitude':>10}")
        for name, (ok, total) in sorted(report.groups.items()):
            lines.append(f"{name[:32]:<32} {f'{ok}/{total}':>9} {ok / total:10.3f}")
        worst = min(report.groups.items(), key=lambda kv: kv[1][0] / kv[1][1])
        lines.append(f"groupe le plus faible : {worst[0]} ({worst[1][0] / worst[1][1]:.3f})")
    return "\n".join(lines)
