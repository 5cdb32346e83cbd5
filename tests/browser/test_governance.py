"""Browser tests of the governance screens: edit the charter with its preview, then save (and read the
public page); export an evidence pack and check the downloaded ZIP; the team and agreement screens.
Screenshots go to docs/screenshots/ with BEFFROI_UPDATE_SCREENSHOTS=1 (see ``conftest.screenshot_dir``)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from beffroi.core.roles import Role
from tests.browser.conftest import screenshot
from tests.governance import helpers

INSULTS = ["Espèce de connard de maire", "Bande d'abrutis à la mairie, vous ne savez rien faire", "T'es qu'une ordure"]
CIVIL = [
    "Merci pour le feu d'artifice, c'était magnifique !",
    "Quand rouvre la piscine municipale ?",
    "Je trouve cette décision injuste pour les commerçants du centre.",
]


@pytest.mark.django_db(transaction=True)
def test_edit_the_charter_with_its_preview_then_save(
    page: Any, phone_page: Any, live_server: Any, login: Any, commune: Any, make_member: Any
) -> None:
    from beffroi.workspace.models import Charter

    for text in INSULTS + CIVIL:
        helpers.make_item(commune, text)
    director = make_member(commune, Role.DIRECTION_COM, username="camille")
    login(page, director)
    page.goto(f"{live_server.url}/c/{commune.slug}/charte/")
    assert page.get_by_role("heading", name="Charte de modération").is_visible()
    # Automatic hiding is opt-in: the commune turns it on for insults (the others stay checked by a person).
    page.locator("input[name=label-insult-automatic]").check()
    page.get_by_label("Note de version").fill("Délibération du conseil municipal du 12 mars")
    page.get_by_role("button", name="Voir l'effet sur les 500 derniers messages").click()
    preview = page.locator("#apercu")
    preview.wait_for()
    assert page.get_by_role("heading", name="Aperçu : ce qui changerait").is_visible()
    text = preview.inner_text()
    assert "Sur les 6 derniers messages reçus" in text and "changeraient de traitement" in text
    assert preview.get_by_text("Espèce de connard de maire").is_visible()
    assert not Charter.objects.exists()  # nothing saved by a preview
    screenshot(page, "charte-editeur-apercu")
    preview.get_by_role("button", name="Enregistrer cette version").click()
    page.wait_for_load_state()
    assert page.get_by_text("Version 1 de la charte enregistrée et publiée").is_visible()
    row = Charter.objects.get(commune=commune)
    assert row.note == "Délibération du conseil municipal du 12 mars" and row.published
    insult_table = row.content.split("[labels.insult]")[1].split("[labels.")[0]
    assert 'action = "hide"' in insult_table and "automatic = true" in insult_table

    # The public page, read by anyone (no log-in), on a phone.
    phone_page.goto(f"{live_server.url}/charte/{commune.slug}/")
    assert phone_page.get_by_role("heading", name="Charte de modération — Saint-Aubin").is_visible()
    assert phone_page.get_by_text("Insultes").first.is_visible()
    assert "masqués après vérification par un modérateur" in phone_page.inner_text("main")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the public charter scrolls sideways on a phone ({width}px)"
    screenshot(phone_page, "charte-publique-telephone")
    page.goto(f"{live_server.url}/charte/{commune.slug}/")
    screenshot(page, "charte-publique")


@pytest.mark.django_db(transaction=True)
def test_export_an_evidence_pack_and_check_the_zip(page: Any, live_server: Any, login: Any, commune: Any, make_member: Any, tmp_path: Path) -> None:
    from beffroi.workspace.actions.evidence import record_evidence

    records = []
    for text, label in [(INSULTS[0], "insult"), ("Les étrangers dehors, ce sont des parasites", "hate"), (INSULTS[2], "insult")]:
        item = helpers.make_item(commune, text, (label,), "review")
        records.append(record_evidence(item, helpers.make_decision(item, "hide")))
    secretary = make_member(commune, Role.SECRETAIRE, username="martine")
    login(page, secretary)
    page.goto(f"{live_server.url}/c/{commune.slug}/preuves/")
    assert page.get_by_role("heading", name="Preuves", exact=True).is_visible()
    page.get_by_label("Mettre la preuve n° 1 dans le dossier").check()
    page.get_by_label("Mettre la preuve n° 2 dans le dossier").check()
    page.get_by_label("Un dépôt de plainte (commissariat, gendarmerie, procureur)").check()
    page.get_by_label("Objet").fill("Plainte de Mme la Maire pour injures")
    screenshot(page, "preuves-export")
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le dossier de preuves").click()
    download = info.value
    assert download.suggested_filename.startswith("preuves-saint-aubin-") and download.suggested_filename.endswith(".zip")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        files = {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}
    assert files["dossier-de-preuves.pdf"].startswith(b"%PDF")
    assert {"enregistrements/000001.json", "enregistrements/000002.json"} <= set(files)
    assert "enregistrements/000003.json" not in files
    manifest = dict(reversed(line.split("  ", 1)) for line in files["MANIFESTE.sha256"].decode().splitlines())
    assert set(manifest) == set(files) - {"MANIFESTE.sha256"}
    for name, digest in manifest.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    assert hashlib.sha256(files["enregistrements/000002.json"]).hexdigest() == records[1].record_hash
    # Verifying the chain from the screen.
    page.get_by_role("button", name="Vérifier que rien n'a été modifié").click()
    page.wait_for_load_state()
    assert page.get_by_text("intacte : 3 enregistrement(s) vérifié(s)").is_visible()


@pytest.mark.django_db(transaction=True)
def test_team_and_agreement_screens(page: Any, phone_page: Any, live_server: Any, login: Any, commune: Any, make_member: Any) -> None:
    from beffroi.core.models import Membership
    from beffroi.workspace.actions.learning import record_human_decision

    director = make_member(commune, Role.DIRECTION_COM, username="camille")
    for text, labels, action, human, label in [
        (INSULTS[0], ("insult",), "hide", "hide", ""),
        (CIVIL[2], ("insult", "criticism"), "review", "keep", ""),
        ("Tu vas voir ce qui t'attend ce soir", (), "keep", "hide", "threat"),
        (INSULTS[1], ("insult",), "review", "hide", ""),
    ]:
        item = helpers.make_item(commune, text, labels, action)
        record_human_decision(item, helpers.make_decision(item, human, actor=director, label=label))
    login(page, director)
    page.goto(f"{live_server.url}/c/{commune.slug}/equipe/ajouter/")
    page.get_by_label("Prénom").fill("Martine")
    page.get_by_label("Nom", exact=True).fill("Lefort")
    page.get_by_label("Identifiant de connexion").fill("martine.lefort")
    page.get_by_label("Secrétaire de mairie").check()
    page.get_by_label("Un mot de passe temporaire que je lui transmets moi-même").check()
    page.get_by_label("Téléphone portable (alertes SMS)").fill("06 12 34 56 78")
    page.get_by_role("button", name="Ajouter à l'équipe").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Martine Lefort fait partie de l'équipe").is_visible()
    assert Membership.objects.get(user__username="martine.lefort").phone == "+33612345678"
    page.goto(f"{live_server.url}/c/{commune.slug}/equipe/")
    assert page.get_by_text("seule personne à pouvoir gérer l'équipe").is_visible()
    screenshot(page, "equipe")
    page.goto(f"{live_server.url}/c/{commune.slug}/accord/")
    assert page.get_by_role("heading", name="L'équipe et le moteur sont-ils d'accord ?").is_visible()
    assert "50 %" in page.inner_text("main")
    screenshot(page, "accord-moteur")
    login(phone_page, director)
    phone_page.goto(f"{live_server.url}/c/{commune.slug}/equipe/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the team screen scrolls sideways on a phone ({width}px)"
    screenshot(phone_page, "equipe-telephone")
