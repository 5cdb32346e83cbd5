"""The foundation: settings registry, roles, tenant isolation, append-only audit, encryption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from beffroi import conf
from beffroi.core.audit import log_audit
from beffroi.core.models import AppendOnlyError, AuditRecord
from beffroi.core.roles import ROLE_PERMISSIONS, Perm, Role, has_perm


def test_every_setting_has_doc_and_env_and_is_declared_once() -> None:
    settings = conf.all_settings()
    names = [s.name for s in settings]
    assert len(names) == len(set(names))
    assert {"DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEYS", "TASK_BACKEND"} <= set(names)
    for s in settings:
        assert s.doc.strip(), s.name
        assert s.env == "BEFFROI_" + s.name
    with pytest.raises(conf.SettingError):
        conf.declare("DATABASE_URL", "", "again")


def test_setting_reads_environment_and_reports_bad_values() -> None:
    assert conf.get("EMAIL_PORT", {"BEFFROI_EMAIL_PORT": "2525"}) == 2525
    assert conf.get("DEBUG", {"BEFFROI_DEBUG": "oui"}) is True
    with pytest.raises(conf.SettingError, match="BEFFROI_EMAIL_PORT"):
        conf.get("EMAIL_PORT", {"BEFFROI_EMAIL_PORT": "vingt-cinq"})
    with pytest.raises(conf.SettingError) as err:
        conf.get("DEBUG", {"BEFFROI_DEBUG": "peut-être"})
    assert "peut-être" in str(err.value)


def test_secret_values_are_never_shown_in_errors() -> None:
    setting = conf.Setting(name="X", default=0, doc="d", parse=int, secret=True)
    with pytest.raises(conf.SettingError) as err:
        setting.read({"BEFFROI_X": "hunter2"})
    assert "hunter2" not in str(err.value)


def test_role_matrix_matches_the_issue() -> None:
    assert ROLE_PERMISSIONS[Role.DIRECTION_COM] == frozenset(Perm)
    volunteer = Role.MODERATEUR_BENEVOLE
    assert has_perm(volunteer, Perm.MODERATE)
    for forbidden in (Perm.VIEW_PRIVATE, Perm.EXPORT_EVIDENCE, Perm.REQUEST_BLOCK, Perm.APPROVE_BLOCK):
        assert not has_perm(volunteer, forbidden)
    assert not has_perm(Role.ELU, Perm.MODERATE) and has_perm(Role.ELU, Perm.VIEW_ALERTS)
    assert not has_perm(Role.LECTEUR, Perm.MODERATE) and has_perm(Role.LECTEUR, Perm.VIEW_ITEMS)
    for role in (Role.COMMUNITY_MANAGER, Role.SECRETAIRE):
        assert has_perm(role, Perm.MODERATE) and has_perm(role, Perm.REPLY)
        assert not has_perm(role, Perm.EDIT_CHARTER)
    assert not has_perm(None, Perm.VIEW_ITEMS)
    assert not has_perm("inconnu", Perm.VIEW_ITEMS)


@pytest.mark.django_db
def test_login_page_is_french_and_home_lists_communes(client, commune, make_member) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    page = client.get(reverse("login")).content.decode()
    assert "Connexion à Beffroi" in page and 'lang="fr"' in page
    bad = client.post(reverse("login"), {"username": "nobody", "password": "x"}).content.decode()
    assert "Identifiant ou mot de passe incorrect" in bad
    user = make_member(commune, Role.SECRETAIRE)
    client.force_login(user)
    home = client.get(reverse("home")).content.decode()
    assert "Saint-Aubin" in home and "Secrétaire de mairie" in home


@pytest.mark.django_db
def test_non_member_gets_404_and_member_without_permission_gets_403(  # type: ignore[no-untyped-def]
    client_as, commune, other_commune
) -> None:
    client = client_as(commune, Role.LECTEUR)
    assert client.get(reverse("workspace:dashboard", kwargs={"commune": commune.slug})).status_code == 200
    assert client.get(reverse("workspace:dashboard", kwargs={"commune": other_commune.slug})).status_code == 404
    assert client.get(reverse("workspace:charter", kwargs={"commune": commune.slug})).status_code == 403


@pytest.mark.django_db
def test_audit_records_are_append_only_in_orm_and_database(commune) -> None:  # type: ignore[no-untyped-def]
    record = log_audit("item.hide", commune=commune, note="x")
    assert record.actor_label == "système"
    record.verb = "changed"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=record.pk).update(verb="x")
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditrecord SET verb = 'forged' WHERE id = %s", [record.pk])


def test_encrypted_credentials_round_trip_and_rotate(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet

    from beffroi.core import crypto

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("BEFFROI_ENCRYPTION_KEYS", old)
    token = crypto.encrypt_json({"access_token": "EAAB-secret"})
    assert "EAAB-secret" not in token
    monkeypatch.setenv("BEFFROI_ENCRYPTION_KEYS", f"{new},{old}")
    assert crypto.decrypt_json(token) == {"access_token": "EAAB-secret"}
    rotated = crypto.rotate(token)
    monkeypatch.setenv("BEFFROI_ENCRYPTION_KEYS", new)
    assert crypto.decrypt_json(rotated)["access_token"] == "EAAB-secret"
    with pytest.raises(crypto.SecretError):
        crypto.decrypt_json(token)


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_every_stored_secret_and_reports_unreadable_ones(commune, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """The documented rotation: new key first, `beffroi rotate-keys`, old key removed — tokens and webhook
    secrets still read; a value no key reads is reported and left as it was."""
    from cryptography.fernet import Fernet

    from beffroi.cli.main import main as cli_main
    from beffroi.veille.models import AlertWebhook
    from beffroi.workspace.models import Account

    old, new, lost = (Fernet.generate_key().decode() for _ in range(3))
    monkeypatch.setenv("BEFFROI_ENCRYPTION_KEYS", old)
    account = Account(commune=commune, platform="facebook", external_id="1001", name="Page")
    account.set_credentials({"access_token": "EAAB-page-token"})
    account.save()
    hook = AlertWebhook(commune=commune, name="SMS", url="https://sms.example/hook")
    hook.set_secrets({"signing_secret": "whsec-123"})
    hook.save()
    monkeypatch.setenv("BEFFROI_ENCRYPTION_KEYS", lost)
    orphan = Account(commune=commune, platform="x", external_id="2002", name="Compte X")
    orphan.set_credentials({"access_token": "lost-forever"})
    orphan.save()

    monkeypatch.setenv("BEFFROI_ENCRYPTION_KEYS", f"{new},{old}")
    assert cli_main(["rotate-keys"]) == 1  # one value could not be read
    out = capsys.readouterr().out
    assert "2 secret(s) rechiffré(s)" in out and f"Account #{orphan.pk}" in out
    monkeypatch.setenv("BEFFROI_ENCRYPTION_KEYS", new)  # the old key is gone
    account.refresh_from_db()
    hook.refresh_from_db()
    assert account.get_credentials() == {"access_token": "EAAB-page-token"}
    assert hook.signing_secret == "whsec-123"
    orphan_token = orphan.credentials_encrypted
    orphan.refresh_from_db()
    assert orphan.credentials_encrypted == orphan_token  # untouched
    assert AuditRecord.objects.filter(verb="core.secret_rotated").count() == 2


def test_logs_never_show_tokens() -> None:
    from beffroi.core.logging import redact

    line = 'GET /v19.0/me?access_token=EAABsecret123&fields=id Authorization: Bearer abcdefghijklmnop {"refresh_token": "r3fr3sh"}'
    cleaned = redact(line)
    for secret in ("EAABsecret123", "abcdefghijklmnop", "r3fr3sh"):
        assert secret not in cleaned
    assert "fields=id" in cleaned


@pytest.mark.parametrize(
    "line, secret",
    [
        ("POST createSession app_password=abcd-efgh-ijkl-mnop&identifier=mairie", "abcd-efgh-ijkl-mnop"),
        ('{"identifier": "mairie.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}', "abcd-efgh-ijkl-mnop"),
        ('session {"did": "did:plc:x", "accessJwt": "eyJhbGciOiJIUzI1NiJ9.a.b"}', "eyJhbGciOiJIUzI1NiJ9.a.b"),
        ("session {'refreshJwt': 'eyJyZWZyZXNo.c.d', 'handle': 'mairie'}", "eyJyZWZyZXNo.c.d"),
        ("X OAuth1 api_secret=XAPISECRET123 api_key=k", "XAPISECRET123"),
        ('{"access_token_secret": "XTOKENSECRET456"}', "XTOKENSECRET456"),
        ("access_token_secret=XTOKENSECRET456&oauth_nonce=1", "XTOKENSECRET456"),
        ("TikTok client_secret=TTSECRET789&grant_type=refresh_token", "TTSECRET789"),
        ('{"client_secret": "TTSECRET789"}', "TTSECRET789"),
    ],
)
def test_logs_never_show_platform_secrets(line: str, secret: str) -> None:
    """Bluesky (app password, session JWTs), X (OAuth 1.0a secrets), TikTok/YouTube (client secret)."""
    import logging

    from beffroi.core.logging import RedactSecretsFilter, redact

    assert secret not in redact(line) and "[masqué]" in redact(line)
    record = logging.LogRecord("beffroi", logging.INFO, __file__, 1, "%s", (line,), None)
    RedactSecretsFilter().filter(record)
    assert secret not in record.getMessage()


def test_settings_doc_is_up_to_date() -> None:
    """docs/SETTINGS.md is generated from the registry: `beffroi settings --markdown`."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "SETTINGS.md").read_text(encoding="utf-8")
    table = conf.markdown_table()
    assert table in doc, "docs/SETTINGS.md is stale: regenerate it with `make settings-doc`"


def test_sqlite_named_by_url_gets_the_multi_writer_options(tmp_path: Path) -> None:
    """Worker processes reach the SQLite file through BEFFROI_DATABASE_URL: they must wait for the write
    lock (busy timeout, IMMEDIATE transactions) like the default configuration, not fail at once."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, BEFFROI_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    code = (
        "import json; from django.conf import settings; import django; django.setup(); "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    options = json.loads(out.stdout.strip().splitlines()[-1])
    assert options["timeout"] >= 30
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
