"""The public API: Engine.judge, the verdict and its JSON form, reasons, robustness, threads."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from beffroi.domain.moderation import Action, Context, Engine, Label, Verdict, default_charter, load_charter
from beffroi.domain.moderation.types import ALL_LABELS


def test_public_api_is_importable() -> None:
    assert callable(load_charter) and default_charter().articles


def test_verdict_shape_and_json(full_engine: Engine) -> None:
    verdict = full_engine.judge(
        "Le maire est un connard, ferme ta gueule !", Context(platform="facebook", replies_to_commune=True)
    )
    assert isinstance(verdict, Verdict)
    assert set(verdict.scores) == set(ALL_LABELS)
    assert all(0.0 <= s <= 1.0 for s in verdict.scores.values())
    assert Label.INSULT in verdict.labels and verdict.action == Action.HIDE
    data = json.loads(json.dumps(verdict.to_json(), ensure_ascii=False))
    assert data["action"] == "hide" and "insult" in data["labels"]
    assert data["reasons"] and data["message"]
    assert verdict.engine_version and verdict.charter_version == default_charter().version


def test_reasons_carry_spans_of_the_original_text(full_engine: Engine) -> None:
    text = "Franchement c.o.n.n.a.r.d et s4l0pe, les j u i f s sont des rats"
    verdict = full_engine.judge(text)
    assert {Label.INSULT, Label.HATE} <= set(verdict.labels)
    spans = [span for reason in verdict.reasons for span in reason.evidence]
    assert spans
    for span in spans:
        assert text[span.start : span.end] == span.text
    texts = {span.text for span in spans}
    assert "c.o.n.n.a.r.d" in texts and "j u i f s" in texts
    for reason in verdict.reasons:
        assert reason.article and reason.detail and reason.source.split(":")[0] in ("rule", "model")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u202e\u202d\u200b",
        "a" * 100_000,
        "e" + "\u0301" * 5000,
        "\ud800 texte",
        "🙂" * 2000,
        "\x00\x01\x02",
    ],
)
def test_odd_inputs_never_crash(full_engine: Engine, text: str) -> None:
    verdict = full_engine.judge(text)
    assert verdict.action in (Action.KEEP, Action.REVIEW, Action.HIDE)


def test_empty_text_is_kept(full_engine: Engine) -> None:
    verdict = full_engine.judge("")
    assert verdict.labels == () and verdict.action == Action.KEEP


def test_long_text_is_read_entirely(full_engine: Engine) -> None:
    filler = "Le marché de Noël était très réussi et les enfants ont adoré. " * 1600  # ~100 000 characters
    text = filler + "Sale bougnoule, dégage."
    verdict = full_engine.judge(text)
    assert Label.HATE in verdict.labels
    span = next(s for r in verdict.reasons for s in r.evidence if "bougnoule" in s.text)
    assert text[span.start : span.end] == span.text and span.start > 90_000


def test_judge_rejects_non_text(full_engine: Engine) -> None:
    with pytest.raises(TypeError, match="chaîne"):
        full_engine.judge(42)  # type: ignore[arg-type]


def test_engine_is_thread_safe(full_engine: Engine) -> None:
    texts = [
        "Les juifs sont des rats", "Merci pour la fête !", "Je vais te retrouver", "c o n n a r d",
        "Bonjour, quand ouvre la mairie ?", "Les élus sont des parasites", "Je déteste les lundis",
    ] * 30  # fmt: skip
    expected = [full_engine.judge(t).to_json() for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda t: full_engine.judge(t).to_json(), texts))
    assert got == expected


def test_engine_without_model_still_decides() -> None:
    engine = Engine(use_model=False)
    assert engine.model is None
    assert Label.THREAT in engine.judge("Je vais te tuer").labels
    assert (
        not engine.judge("Quelle belle journée au marché").labels
        or Label.PRAISE in engine.judge("Quelle belle journée au marché").labels
    )


def test_model_cannot_override_structure(full_engine: Engine) -> None:
    # words the model associates with hate, in structures the rules know are safe
    for text in (
        "Je ne déteste pas les musulmans.",
        "Dire que les gays sont malades, c'est de l'homophobie.",
        "Je vais tuer le temps au café.",
    ):
        verdict = full_engine.judge(text)
        assert not {Label.HATE, Label.THREAT} & set(verdict.labels), (text, verdict.scores)
