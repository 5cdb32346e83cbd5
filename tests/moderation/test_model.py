"""The learned model: reproducible training, persistence, updates from moderators' decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from beffroi.domain.moderation.model import DEFAULT_MODEL_FILE, Model, ModelError, default_model
from beffroi.domain.moderation.training import (
    Featurizer,
    TrainConfig,
    read_corpus,
    train,
    train_from_repository,
)
from beffroi.domain.moderation.types import Label

EXAMPLES = [
    ("Les juifs sont des rats", frozenset({Label.HATE}), 1.0),
    ("Je déteste les musulmans", frozenset({Label.HATE}), 1.0),
    ("Dehors les migrants", frozenset({Label.HATE}), 1.0),
    ("T'es qu'une ordure", frozenset({Label.INSULT}), 1.0),
    ("Ferme ta gueule connard", frozenset({Label.INSULT}), 1.0),
    ("Le maire est un incapable", frozenset({Label.INSULT}), 1.0),
    ("Je vais te tuer", frozenset({Label.THREAT}), 1.0),
    ("Merci pour le feu d'artifice", frozenset({Label.PRAISE}), 1.0),
    ("À quelle heure ouvre la mairie ?", frozenset({Label.QUESTION}), 1.0),
    ("Il fait beau au marché", frozenset(), 1.0),
    ("Je déteste les lundis", frozenset(), 1.0),
    ("Les réfugiés sont arrivés à l'école", frozenset(), 1.0),
] * 2
SMALL = TrainConfig(epochs=4, batch_size=8, min_count=1, augment=False)


@pytest.fixture(scope="module")
def featurizer() -> Featurizer:
    return Featurizer()


def test_training_is_byte_for_byte_reproducible(featurizer: Featurizer) -> None:
    first = train(list(EXAMPLES), SMALL, featurizer).to_bytes()
    second = train(list(reversed(EXAMPLES)), SMALL, featurizer).to_bytes()  # input order does not matter
    assert first == second


def test_save_load_roundtrip(tmp_path: Path, featurizer: Featurizer) -> None:
    model = train(list(EXAMPLES), SMALL, featurizer)
    path = tmp_path / "m.bin.gz"
    model.save(path)
    loaded = Model.load(path)
    assert loaded.vocabulary == model.vocabulary and loaded.labels == model.labels
    features = featurizer("Les juifs sont des rats")
    assert loaded.predict_features(features) == pytest.approx(model.predict_features(features), abs=1e-3)
    with pytest.raises(ModelError):
        Model.from_bytes(b"not a model")


def test_update_learns_from_decisions_deterministically(featurizer: Featurizer) -> None:
    model = train(list(EXAMPLES), SMALL, featurizer)
    text = "Ces zigotos du comité sont des branquignols"
    before = model.predict_features(featurizer(text))[Label.INSULT]
    decisions = [
        (text, ["insult"]),
        ("Les branquignols du comité encore", ["insult"]),
        ("Le comité a voté le budget", []),
    ]
    updated = model.updated_with(decisions, featurizer=featurizer)
    again = model.updated_with(list(reversed(decisions)), featurizer=featurizer)
    assert updated.to_bytes() == again.to_bytes()
    after = updated.predict_features(featurizer(text))[Label.INSULT]
    assert after > before + 0.1
    assert updated.meta["updates"] == 1 and updated is not model
    # what the model knew is kept
    assert updated.predict_features(featurizer("Les juifs sont des rats"))[Label.HATE] > 0.5


def test_shipped_model_is_small_and_loads() -> None:
    path = Path(__file__).resolve().parents[2] / "src" / "beffroi" / "data" / "models" / DEFAULT_MODEL_FILE
    assert path.stat().st_size < 4 * 1024 * 1024
    model = default_model()
    assert model is not None and set(model.labels) == set(Label)
    assert model.meta["examples"] >= len(read_corpus()) // 2


def test_beffroi_train_reproduces_the_shipped_model_byte_for_byte() -> None:
    """`beffroi train` (default seed and config, the repository's corpus) must rebuild exactly the
    committed artefact: retrain and commit the model whenever the corpus, lexicons or rules change."""
    path = Path(__file__).resolve().parents[2] / "src" / "beffroi" / "data" / "models" / DEFAULT_MODEL_FILE
    rebuilt = train_from_repository(TrainConfig())
    shipped = Model.from_bytes(path.read_bytes())
    assert rebuilt.meta["digest"] == shipped.meta["digest"], "modèle fourni périmé : relancer `beffroi train`"
    assert rebuilt.to_bytes() == path.read_bytes()
