"""MinHash signatures and LSH: determinism, estimate quality, candidate retrieval."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from beffroi.domain.rumour.minhash import LSHIndex, MinHasher, exact_jaccard, jaccard_estimate, shingles

A = "La piscine municipale sera réservée aux femmes le mardi soir, partagez avant que ce soit supprimé"
B = "La piscine municipale sera réservée aux femmes le mardi soir !! partagez avant que ce soit supprimé"
C = "Beau marché ce samedi matin, plein de producteurs et de fromages"


def test_same_seed_same_signature_and_other_seed_differs() -> None:
    a1 = MinHasher(64, seed=1).signature(A)
    a2 = MinHasher(64, seed=1).signature(A)
    a3 = MinHasher(64, seed=2).signature(A)
    assert np.array_equal(a1, a2)
    assert not np.array_equal(a1, a3)


def test_signature_is_stable_across_processes() -> None:
    """No use of Python's salted hash(): another interpreter gives the same values."""
    code = (
        "from beffroi.domain.rumour.minhash import MinHasher;"
        f"print([int(v) for v in MinHasher(16, seed=5).signature({A!r})])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout
        for seed in (1, 2)
    }
    assert len(outputs) == 1
    assert outputs.pop().strip() == str([int(v) for v in MinHasher(16, seed=5).signature(A)])


def test_estimate_tracks_exact_jaccard() -> None:
    hasher = MinHasher(256, seed=3)
    for x, y in ((A, B), (A, C), (B, C), (A, A)):
        exact = exact_jaccard(shingles(x), shingles(y))
        estimate = jaccard_estimate(hasher.signature(x), hasher.signature(y))
        assert abs(exact - estimate) < 0.12, (x, y, exact, estimate)
    assert jaccard_estimate(hasher.signature(A), hasher.signature(A)) == 1.0


def test_shingles_tolerate_accents_case_and_typos() -> None:
    typo = "LA PISCINE MUNICIPALE SERA RESERVEE AUX FEMMES LE MARDI SOIR partagez avant que ce soit supprimé"
    assert exact_jaccard(shingles(A), shingles(typo)) > 0.8
    assert exact_jaccard(shingles(A), shingles(C)) < 0.1


def test_lsh_finds_near_duplicates_not_unrelated_texts() -> None:
    hasher = MinHasher(64, seed=11)
    index = LSHIndex(64, 16)
    index.insert("a", hasher.signature(A))
    index.insert("c", hasher.signature(C))
    assert "a" in index.query(hasher.signature(B))
    assert "c" not in index.query(hasher.signature(B))
    index.remove("a")
    assert "a" not in index.query(hasher.signature(B))
    assert len(index) == 1


def test_lsh_rejects_inconsistent_banding() -> None:
    try:
        LSHIndex(64, 10)
    except ValueError:
        return
    raise AssertionError("64 permutations cannot be cut in 10 bands")
