"""Training the learned model from the repository's own data (``beffroi train``).

Data: the training corpus (``beffroi/data/corpus/train/*.jsonl``), the deterministic template
augmentation (:mod:`beffroi.domain.moderation.augment`) and optional extra JSONL files (a commune's
decisions). Features come from the rule engine's analysis (see :mod:`features`), so training needs
no other dependency than numpy.

Determinism: examples are deduplicated and sorted, the vocabulary is sorted, the optimiser (Adam on
mini-batches) shuffles with a seeded generator and every sum runs in a fixed order: two runs on the
same data produce byte-identical artefacts.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beffroi.domain.moderation.features import FEATURE_VERSION, featurize
from beffroi.domain.moderation.model import Model
from beffroi.domain.moderation.types import ALL_LABELS, Label

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "corpus" / "train"
Example = tuple[str, frozenset[Label], float]  # text, labels, sample weight


class TrainingDataError(ValueError):
    """A training file cannot be read."""


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 1881
    epochs: int = 14
    batch_size: int = 128
    learning_rate: float = 0.03
    l2: float = 2e-5
    min_count: int = 2
    max_features: int = 80_000
    prune_below: float = 0.02  # features whose weights all stay below this are dropped
    augment: bool = True
    augment_weight: float = 0.6


def read_jsonl(path: Path, weight: float = 1.0) -> list[Example]:
    out: list[Example] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                text = obj["text"]
                labels = frozenset(Label(v) for v in obj.get("labels", []))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise TrainingDataError(f"{path} ligne {number} : exemple invalide ({exc})") from None
            if isinstance(text, str) and text.strip():
                out.append((text, labels, weight))
    return out


def read_corpus(directory: Path = CORPUS_DIR) -> list[Example]:
    examples: list[Example] = []
    for path in sorted(directory.glob("*.jsonl")):
        examples.extend(read_jsonl(path))
    return examples


def build_examples(config: TrainConfig, extra: Iterable[Path] = ()) -> tuple[list[Example], dict[str, int]]:
    """The training examples: corpus, augmentation (if enabled) and extra files; with counts."""
    from beffroi.domain.moderation.augment import generate

    corpus = read_corpus()
    examples = list(corpus)
    sources = {"corpus": len(corpus)}
    if config.augment:
        augmented = [(text, labels, config.augment_weight) for text, labels in generate()]
        examples.extend(augmented)
        sources["gabarits"] = len(augmented)
    extra_count = 0
    for path in extra:
        if not path.is_file():
            raise TrainingDataError(f"fichier introuvable : {path}")
        more = read_jsonl(path, weight=1.5)
        extra_count += len(more)
        examples = more + examples  # a commune's decisions win over the corpus for the same text
    if extra_count:
        sources["extra"] = extra_count
    return examples, sources


def dedupe(examples: Iterable[Example]) -> list[Example]:
    """One example per text (the first kept), sorted: the training order never depends on input order."""
    seen: dict[str, Example] = {}
    for text, labels, weight in examples:
        key = text.strip()
        if key not in seen:
            seen[key] = (key, labels, weight)
    return [seen[k] for k in sorted(seen)]


class Featurizer:
    """Features of texts from the rule engine (no model), built once."""

    def __init__(self) -> None:
        from beffroi.domain.moderation.engine import Engine

        self.engine = Engine(use_model=False)

    def __call__(self, text: str) -> list[str]:
        judgement = self.engine.run_rules(text)
        return featurize(judgement.analysis, judgement.hits, judgement.signals)


def _matrix(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
    return indptr, indices


def _optimise(
    indptr: np.ndarray,
    indices: np.ndarray,
    targets: np.ndarray,
    sample_weights: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray,
    config: TrainConfig,
    anchor: np.ndarray | None = None,
) -> None:
    """Adam on the weighted logistic loss, in place. ``anchor``: pull the weights toward it (updates)."""
    n, n_labels = targets.shape
    rng = np.random.default_rng(config.seed)
    positives = targets.sum(axis=0)
    pos_weight = np.clip(np.sqrt((n - positives) / np.maximum(positives, 1.0)), 1.0, 4.0)
    m_w = np.zeros_like(weights)
    v_w = np.zeros_like(weights)
    m_b = np.zeros_like(bias)
    v_b = np.zeros_like(bias)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    grad = np.zeros_like(weights)
    for _epoch in range(config.epochs):
        order = rng.permutation(n)
        for start in range(0, n, config.batch_size):
            batch = np.sort(order[start : start + config.batch_size])
            lengths = indptr[batch + 1] - indptr[batch]
            flat = np.concatenate([indices[indptr[b] : indptr[b + 1]] for b in batch])
            owners = np.repeat(np.arange(len(batch)), lengths)
            z = np.zeros((len(batch), n_labels))
            np.add.at(z, owners, weights[flat])
            z += bias
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
            y = targets[batch]
            scale = sample_weights[batch][:, None] * np.where(y > 0, pos_weight, 1.0)
            g = (p - y) * scale / len(batch)
            grad.fill(0.0)
            np.add.at(grad, flat, g[owners])
            if anchor is None:
                grad += config.l2 * weights
            else:
                grad += config.l2 * 50 * (weights - anchor)
            g_b = g.sum(axis=0)
            step += 1
            m_w *= beta1
            m_w += (1 - beta1) * grad
            v_w *= beta2
            v_w += (1 - beta2) * grad * grad
            m_b = beta1 * m_b + (1 - beta1) * g_b
            v_b = beta2 * v_b + (1 - beta2) * g_b * g_b
            lr = config.learning_rate * np.sqrt(1 - beta2**step) / (1 - beta1**step)
            weights -= lr * m_w / (np.sqrt(v_w) + eps)
            bias -= lr * m_b / (np.sqrt(v_b) + eps)


def _digest(vocabulary: list[str], weights: np.ndarray, bias: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update("\n".join(vocabulary).encode("utf-8"))
    h.update(weights.astype("<f2").tobytes())
    h.update(np.asarray(bias, dtype="<f4").tobytes())
    return h.hexdigest()


def _targets(examples: list[Example], labels: tuple[Label, ...]) -> tuple[np.ndarray, np.ndarray]:
    targets = np.array([[1.0 if label in ex[1] else 0.0 for label in labels] for ex in examples])
    sample_weights = np.array([ex[2] for ex in examples], dtype=np.float64)
    return targets, sample_weights


def train(
    examples: list[Example],
    config: TrainConfig = TrainConfig(),
    featurizer: Callable[[str], list[str]] | None = None,
    meta: dict[str, Any] | None = None,
) -> Model:
    """Train a model on (text, labels, weight) examples."""
    examples = dedupe(examples)
    if not examples:
        raise TrainingDataError("aucun exemple d'entraînement")
    featurize_text = featurizer or Featurizer()
    features = [featurize_text(text) for text, _, _ in examples]
    counts = Counter(f for feats in features for f in feats)
    kept = [f for f, c in counts.items() if c >= config.min_count or f[:2] in ("L:", "R:", "S:")]
    kept.sort(key=lambda f: (-counts[f], f))
    kept = sorted(kept[: config.max_features])
    vocabulary = {f: i for i, f in enumerate(kept)}
    rows = [sorted(vocabulary[f] for f in feats if f in vocabulary) for feats in features]
    indptr, indices = _matrix(rows)
    labels = ALL_LABELS
    targets, sample_weights = _targets(examples, labels)
    weights = np.zeros((len(vocabulary), len(labels)))
    prior = (targets * sample_weights[:, None]).sum(axis=0) / sample_weights.sum()
    bias = np.log(np.clip(prior, 1e-3, 0.999) / (1 - np.clip(prior, 1e-3, 0.999)))
    _optimise(indptr, indices, targets, sample_weights, weights, bias, config)
    keep_rows = np.flatnonzero(np.abs(weights).max(axis=1) >= config.prune_below)
    final_vocab = [kept[i] for i in keep_rows]
    final_weights = weights[keep_rows].astype(np.float32)
    final_bias = bias.astype(np.float32)
    info = dict(meta or {})
    info.update(
        {
            "feature_version": FEATURE_VERSION,
            "examples": len(examples),
            "positives": {label.value: int(targets[:, k].sum()) for k, label in enumerate(labels)},
            "features": len(final_vocab),
            "config": {k: v for k, v in config.__dict__.items()},
        }
    )
    info["digest"] = _digest(final_vocab, final_weights, final_bias)
    return Model(labels, {f: i for i, f in enumerate(final_vocab)}, final_weights, final_bias, info)


def train_from_repository(config: TrainConfig = TrainConfig(), extra: Iterable[Path] = ()) -> Model:
    """What ``beffroi train`` builds: the corpus (+ augmentation, + extra files) trained with
    ``config``. With the default config and no extra file this reproduces the shipped model byte
    for byte (checked by tests/moderation/test_model.py)."""
    examples, sources = build_examples(config, extra)
    return train(examples, config, meta={"sources": sources})


def update_model(
    model: Model,
    examples: Iterable[tuple[str, Iterable[Label | str]]],
    *,
    epochs: int = 8,
    featurizer: Callable[[str], list[str]] | None = None,
) -> Model:
    """Fine-tune ``model`` on new (text, labels) examples, deterministically (sorted, seeded).

    New features get new rows; the old weights are kept as an anchor so a handful of decisions
    adjusts the model without erasing what it knew."""
    prepared = dedupe((text, frozenset(Label(v) for v in labels), 1.0) for text, labels in examples)
    if not prepared:
        return model
    featurize_text = featurizer or Featurizer()
    features = [featurize_text(text) for text, _, _ in prepared]
    vocabulary = dict(model.vocabulary)
    new = sorted({f for feats in features for f in feats if f not in vocabulary})
    for f in new:
        vocabulary[f] = len(vocabulary)
    n_labels = len(model.labels)
    weights = np.zeros((len(vocabulary), n_labels))
    weights[: len(model.vocabulary)] = model.weights
    anchor = weights.copy()
    bias = model.bias.astype(np.float64).copy()
    rows = [sorted(vocabulary[f] for f in feats) for feats in features]
    indptr, indices = _matrix(rows)
    targets, sample_weights = _targets(prepared, model.labels)
    config = TrainConfig(epochs=epochs, batch_size=32, learning_rate=0.02, l2=1e-4)
    _optimise(indptr, indices, targets, sample_weights, weights, bias, config, anchor=anchor)
    order = sorted(vocabulary, key=lambda f: vocabulary[f])
    final_weights = weights.astype(np.float32)
    final_bias = bias.astype(np.float32)
    meta = dict(model.meta)
    meta["updates"] = int(meta.get("updates", 0)) + 1
    meta["update_examples"] = int(meta.get("update_examples", 0)) + len(prepared)
    meta["digest"] = _digest(order, final_weights, final_bias)
    return Model(
        model.labels, {f: i for i, f in enumerate(order)}, final_weights, final_bias, meta, model.name
    )
