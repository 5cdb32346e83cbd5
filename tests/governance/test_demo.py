"""The demo loader: team, services, saved replies, published charter, replay-backed accounts, items
ingested (and judged) through do_ingest_item, mentions, a few decisions with evidence; idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beffroi.core.models import Commune, Membership
from beffroi.workspace.actions.evidence import verify_chain
from beffroi.workspace.demo import DEMO_SLUG, data_dir, load_demo
from beffroi.workspace.models import (
    Account,
    Charter,
    Decision,
    EvidenceRecord,
    Item,
    ItemKind,
    SavedReply,
    Service,
    Verdict,
)

FIXTURE = Path(__file__).parent / "fixtures" / "demo"


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Commune, Membership, Account, Item, Verdict, Decision, EvidenceRecord, SavedReply, Service, Charter)
    }


@pytest.mark.django_db(transaction=True)
def test_demo_loads_everything_once(tmp_path: Path) -> None:
    lines = load_demo(FIXTURE)
    assert lines[0].startswith("Connexion : identifiant « direction »")
    commune = Commune.objects.get(slug=DEMO_SLUG)
    assert Membership.objects.filter(commune=commune).count() == 6
    assert Membership.objects.filter(commune=commune, role="direction_com", in_crisis_circle=True).exists()
    assert Service.objects.filter(commune=commune).count() == 7
    replies = {r.title: r for r in SavedReply.objects.filter(commune=commune)}
    assert set(replies) == {"Merci !", "Demande d'acte d'état civil", "Rappel de la charte"}
    assert replies["Demande d'acte d'état civil"].service.name == "État civil"
    assert replies["Rappel de la charte"].kind == "moderation"
    charter = Charter.objects.get(commune=commune)
    assert charter.version == 1 and charter.published and 'commune = "Saint-Aubin-sur-Loire"' in charter.content
    accounts = Account.objects.filter(commune=commune)
    assert {a.options["imitates"] for a in accounts} == {"facebook", "instagram"} and {a.platform for a in accounts} == {"replay"}
    items = Item.objects.filter(commune=commune)
    assert items.filter(moderated=True).count() + items.filter(is_from_commune=True).count() >= 12
    assert items.filter(kind=ItemKind.MENTION, moderated=False).count() == 3
    assert items.filter(platform="instagram").count() == 3 and items.filter(platform="facebook").count() == 9
    assert all(item.current_verdict_id for item in items)  # every item was judged
    reply = items.get(external_id="t-0005")
    assert reply.parent is not None and reply.parent.external_id == "t-0002"
    assert items.get(external_id="t-0001").is_from_commune
    for item in items:
        assert item.first_seen_at >= item.published_at  # the commune sees it after it is published
    insult = items.get(external_id="t-0006")
    assert set(insult.current_verdict.labels) >= {"insult"}
    # Automatic hiding is opt-in per label: the demo commune turned it on for hate and threats only,
    # so the demo shows both paths.
    from beffroi.workspace.actions.verdicts import automatic_labels

    assert automatic_labels(commune) == {"hate", "threat"}
    automatic = Decision.objects.filter(commune=commune, automatic=True, kind="hide")
    assert all(set(d.item.current_verdict.labels) & {"hate", "threat"} for d in automatic)
    assert not Decision.objects.filter(item=insult, automatic=True).exists()  # an insult waits for a person
    # A few decisions of the team, with their evidence, and a verifiable chain.
    human = Decision.objects.filter(commune=commune, automatic=False)
    assert human.exists()
    assert EvidenceRecord.objects.filter(commune=commune).exists()
    assert verify_chain(commune).ok

    before = snapshot()
    load_demo(FIXTURE)
    assert snapshot() == before  # running it again changes nothing


def test_the_shipped_demo_data_has_enough_items() -> None:
    """The README's demo must show at least 300 items (written in src/beffroi/data/demo/)."""
    path = data_dir() / "items.jsonl"
    if not path.exists():
        pytest.skip("src/beffroi/data/demo/items.jsonl is not written yet")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 300
    accounts = (data_dir() / "accounts.json").read_text(encoding="utf-8")
    import json

    known = set(json.loads(accounts))
    used = {json.loads(line).get("account") for line in lines}
    assert used - {None} <= known, used - known


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_shipped_demo_loads(tmp_path: Path) -> None:
    if not (data_dir() / "items.jsonl").exists():
        pytest.skip("src/beffroi/data/demo/items.jsonl is not written yet")
    load_demo()
    commune = Commune.objects.get(slug=DEMO_SLUG)
    assert Item.objects.filter(commune=commune).exclude(kind=ItemKind.MENTION).count() >= 300
    assert verify_chain(commune).ok
    before = snapshot()
    load_demo()
    assert snapshot() == before
    _ = Any
