"""The charter: validation (errors in French), invariants, messages, lists, version."""

from __future__ import annotations

from pathlib import Path

import pytest

from beffroi.domain.moderation import Engine, default_charter, load_charter
from beffroi.domain.moderation.charter import CharterError, dumps, loads, to_dict
from beffroi.domain.moderation.types import Action, Label


def _with(**labels: dict[str, object]) -> str:
    data = to_dict(default_charter())
    for name, table in labels.items():
        data["labels"][name].update(table)
    import tomli_w

    return tomli_w.dumps(data)


def test_default_charter_loads_and_is_sensible() -> None:
    charter = default_charter()
    assert len(charter.articles) >= 5
    for label in (Label.HATE, Label.INSULT, Label.THREAT):
        assert charter.policy(label).action == Action.HIDE
        assert charter.article(charter.policy(label).article) is not None
    assert charter.policy(Label.CRITICISM).action != Action.HIDE
    assert "1881" in " ".join(a.text for a in charter.articles)


def test_criticism_can_never_hide() -> None:
    with pytest.raises(CharterError) as error:
        loads(_with(criticism={"action": "hide"}))
    assert any("critique" in e and "masquage" in e for e in error.value.errors)


def test_shouting_never_hides_on_its_own() -> None:
    with pytest.raises(CharterError) as error:
        loads(_with(shouting={"action": "hide"}))
    assert any("majuscules" in e for e in error.value.errors)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"insult": {"action": "supprimer"}}, "action « supprimer » inconnue"),
        ({"insult": {"threshold": 1.5}}, "compris entre 0 et 1"),
        ({"insult": {"threshold": 0.8, "confident": 0.6}}, "au moins égal"),
        ({"insult": {"article": "art-99"}}, "n'existe pas"),
        ({"insult": {"automatic": "oui"}}, "true ou false"),
    ],
)
def test_validation_errors_are_in_french(change: dict[str, dict[str, object]], message: str) -> None:
    with pytest.raises(CharterError) as error:
        loads(_with(**change))
    assert any(message in e for e in error.value.errors), error.value.errors


def test_structural_errors() -> None:
    with pytest.raises(CharterError, match="TOML valide"):
        loads("[charter\nname=")
    with pytest.raises(CharterError, match="au moins un article"):
        loads('[charter]\nname = "x"\n')
    bad = dumps(default_charter()) + '\n[labels.colere]\naction = "keep"\n'
    with pytest.raises(CharterError, match="catégorie inconnue"):
        loads(bad)
    with pytest.raises(CharterError, match="Impossible de lire"):
        load_charter("/nonexistent/charte.toml")


def test_hide_requires_an_article() -> None:
    data = to_dict(default_charter())
    del data["labels"]["insult"]["article"]
    import tomli_w

    with pytest.raises(CharterError, match="doit citer un article"):
        loads(tomli_w.dumps(data))


def test_bad_message_placeholder() -> None:
    text = dumps(default_charter()).replace("{article_title}", "{titre}", 1)
    with pytest.raises(CharterError, match="variable inconnue"):
        loads(text)


def test_dump_load_roundtrip_and_stable_version(tmp_path: Path) -> None:
    charter = default_charter()
    path = tmp_path / "charte.toml"
    path.write_text(dumps(charter), encoding="utf-8")
    again = load_charter(path)
    assert again == charter
    assert again.version == charter.version
    changed = loads(_with(insult={"threshold": 0.6}))
    assert changed.version != charter.version


def test_hide_message_cites_the_article(full_engine: Engine) -> None:
    verdict = full_engine.judge("Espèce de connard, ferme ta gueule")
    assert verdict.action == Action.HIDE
    assert verdict.article == "art-2" and verdict.message
    assert "art-2" in verdict.message and "Respect des personnes" in verdict.message
    assert "Bonjour" in verdict.message


def test_personal_data_has_its_own_message(full_engine: Engine) -> None:
    verdict = full_engine.judge(
        "Il habite 12 rue des Lilas, son numéro c'est le 06 12 34 56 78, allez le voir"
    )
    assert verdict.action == Action.HIDE and verdict.message
    assert "informations personnelles" in verdict.message and verdict.article == "art-6"


def test_criticism_is_kept(full_engine: Engine) -> None:
    verdict = full_engine.judge(
        "Les travaux de la rue principale n'avancent pas, c'est inadmissible et mal géré."
    )
    assert Label.CRITICISM in verdict.labels
    assert verdict.action == Action.KEEP


def test_not_automatic_sends_to_review() -> None:
    charter = loads(_with(insult={"automatic": False}))
    verdict = Engine(charter=charter).judge("Espèce de connard, ferme ta gueule")
    assert verdict.action == Action.REVIEW and verdict.message is None


def test_block_and_allow_lists() -> None:
    data = to_dict(default_charter())
    data["lists"] = {
        "block": [{"expression": "Bidule Corp", "label": "spam"}],
        "allow": ["Montcuq", "la bête du Gévaudan"],
    }
    import tomli_w

    engine = Engine(charter=loads(tomli_w.dumps(data)))
    blocked = engine.judge("Achetez chez bidule corp !")
    assert Label.SPAM in blocked.labels
    assert any(r.source == "rule:charter_block" for r in blocked.reasons)
    allowed = engine.judge("Balade à Montcuq pour voir la bête du Gévaudan")
    assert not allowed.labels or all(label.value in ("praise", "question") for label in allowed.labels)
