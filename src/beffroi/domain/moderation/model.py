"""The learned component: a sparse linear multi-label model (one logistic regression per label).

Inference is a sum of weight rows for the features present and a sigmoid: a few dozen
microseconds. The artefact (``beffroi/data/models/moderation.bin.gz``) is a gzip file (mtime 0,
so two trainings on the same data give byte-identical files) holding a JSON header (labels,
vocabulary, metadata) and float16 weights.
"""

from __future__ import annotations

import gzip
import io
import json
import struct
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from beffroi.domain.moderation.analysis import Analysis
from beffroi.domain.moderation.features import (
    FEATURE_VERSION,
    content_tokens,
    context_features,
    token_features,
)
from beffroi.domain.moderation.rules.base import Hit, Signals
from beffroi.domain.moderation.types import ALL_LABELS, Label, Span

MAGIC = b"BEFFROI-MODEL\x00"
_TOKEN_CACHE = 30_000  # bounded, like the resolver cache: memory stays flat on long streams
DEFAULT_MODEL_FILE = "moderation.bin.gz"


class ModelError(ValueError):
    """An unreadable model artefact."""


@dataclass
class Model:
    labels: tuple[Label, ...]
    vocabulary: dict[str, int]
    weights: np.ndarray  # (len(vocabulary), len(labels)) float32
    bias: np.ndarray  # (len(labels),) float32
    meta: dict[str, Any] = field(default_factory=dict)
    name: str = "linear"

    @property
    def version(self) -> str:
        return str(self.meta.get("digest", "untrained"))[:12]

    # -- inference ----------------------------------------------------------------------------
    def __post_init__(self) -> None:
        self._token_vectors: dict[str, np.ndarray | None] = {}
        self._bias64 = self.bias.astype(np.float64)

    def feature_rows(self, features: Iterable[str]) -> list[int]:
        return [i for i in map(self.vocabulary.get, features) if i is not None]

    def token_vector(self, word: str) -> np.ndarray | None:
        """The summed weights of a token's features (cached: tokens repeat from comment to comment)."""
        try:
            return self._token_vectors[word]
        except KeyError:
            pass
        rows = sorted(set(self.feature_rows(token_features(word))))
        vector = self.weights[rows].sum(axis=0, dtype=np.float64) if rows else None
        if len(self._token_vectors) < _TOKEN_CACHE:
            self._token_vectors[word] = vector
        return vector

    def _probabilities(self, z: np.ndarray) -> dict[Label, float]:
        probs = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        return dict(zip(self.labels, probs.tolist(), strict=True))

    def predict_features(self, features: Iterable[str]) -> dict[Label, float]:
        rows = self.feature_rows(features)
        z = self.bias.astype(np.float64) + (self.weights[rows].sum(axis=0, dtype=np.float64) if rows else 0.0)
        return self._probabilities(z)

    def predict(
        self, analysis: Analysis, hits: Sequence[Hit] = (), signals: Signals | None = None
    ) -> dict[Label, float]:
        rows = self.feature_rows(context_features(analysis, hits, signals))
        parts = [self._bias64]
        if rows:
            parts.append(self.weights[rows].sum(axis=0, dtype=np.float64))
        cache = self._token_vectors
        for tok in content_tokens(analysis):
            word = tok.canon
            vector = cache[word] if word in cache else self.token_vector(word)
            if vector is not None:
                parts.append(vector)
        return self._probabilities(np.add.reduce(parts))

    def evidence(self, analysis: Analysis, label: Label, k: int = 2) -> tuple[Span, ...]:
        """The tokens that push ``label`` up the most (for moderators)."""
        if label not in self.labels:
            return ()
        column = self.labels.index(label)
        scored = []
        for tok in content_tokens(analysis):
            vector = self.token_vector(tok.canon)
            if vector is not None and vector[column] > 0.5:
                scored.append((float(vector[column]), tok.index))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return tuple(sorted((analysis.span(i, i + 1) for _, i in scored[:k]), key=lambda s: s.start))

    # -- persistence --------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        vocab = sorted(self.vocabulary.items(), key=lambda kv: kv[1])
        header = {
            "format": 1,
            "feature_version": FEATURE_VERSION,
            "labels": [label.value for label in self.labels],
            "vocabulary": [name for name, _ in vocab],
            "bias": [round(float(b), 6) for b in self.bias],
            "meta": self.meta,
        }
        head = json.dumps(header, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        body = self.weights.astype("<f2").tobytes()
        raw = MAGIC + struct.pack("<I", len(head)) + head + body
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
            gz.write(raw)
        return buffer.getvalue()

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        try:
            raw = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ModelError(f"modèle illisible (gzip) : {exc}") from exc
        if not raw.startswith(MAGIC):
            raise ModelError("ce fichier n'est pas un modèle Beffroi")
        offset = len(MAGIC)
        (size,) = struct.unpack_from("<I", raw, offset)
        offset += 4
        header = json.loads(raw[offset : offset + size].decode("utf-8"))
        offset += size
        labels = tuple(Label(v) for v in header["labels"])
        vocabulary = {name: i for i, name in enumerate(header["vocabulary"])}
        weights = np.frombuffer(raw[offset:], dtype="<f2").astype(np.float32)
        if weights.size != len(vocabulary) * len(labels):
            raise ModelError("modèle tronqué ou corrompu")
        weights = weights.reshape(len(vocabulary), len(labels))
        bias = np.asarray(header["bias"], dtype=np.float32)
        return cls(labels, vocabulary, weights, bias, dict(header.get("meta", {})))

    @classmethod
    def load(cls, path: str | Path) -> Model:
        return cls.from_bytes(Path(path).read_bytes())

    # -- learning from a commune's decisions ----------------------------------------------------
    def updated_with(self, examples: Iterable[tuple[str, Iterable[Label | str]]], **options: Any) -> Model:
        """A new model updated with (text, labels) examples (e.g. a commune's moderators'
        decisions), deterministically: the same examples give the same model, whatever their order."""
        from beffroi.domain.moderation.training import update_model

        return update_model(self, examples, **options)


def empty_model() -> Model:
    labels = ALL_LABELS
    return Model(
        labels, {}, np.zeros((0, len(labels)), dtype=np.float32), np.full(len(labels), -3.0, dtype=np.float32)
    )


_DEFAULT: Model | None = None
_DEFAULT_LOCK = threading.Lock()


def default_model() -> Model | None:
    """The model shipped in ``beffroi/data/models`` (None when absent)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            try:
                data = resources.files("beffroi.data.models").joinpath(DEFAULT_MODEL_FILE).read_bytes()
            except (FileNotFoundError, ModuleNotFoundError):
                return None
            _DEFAULT = Model.from_bytes(data)
        return _DEFAULT


__all__ = ["Model", "ModelError", "default_model", "empty_model"]
