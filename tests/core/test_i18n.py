"""French by default, ready for English: the foundation pages (base layout, navigation, log-in, the
home page) in both languages, the language switcher, and the English catalogue
(``src/beffroi/locale/en/LC_MESSAGES``) complete, not fuzzy, and compiled."""

from __future__ import annotations

import gettext as stdlib_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from beffroi.core.labels import ROLE_LABEL_MSGIDS, role_label
from beffroi.core.roles import ROLE_LABELS_FR, Role

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "beffroi"
LOCALE_EN = PACKAGE / "locale" / "en" / "LC_MESSAGES"
FOUNDATION_TEMPLATES = [
    *sorted((PACKAGE / "web" / "templates").rglob("*.html")),
    *sorted((PACKAGE / "core" / "templates").rglob("*.html")),
]
FOUNDATION_PYTHON = [PACKAGE / "core" / "views.py"]


# --- the catalogue ------------------------------------------------------------------------------


def _unquote(parts: list[str]) -> str:
    return "".join(p[1:-1] for p in parts).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def parse_po(path: Path) -> list[dict[str, object]]:
    """A small .po reader (no dependency): each entry's flags, msgid, msgid_plural and msgstr(s)."""
    entries: list[dict[str, object]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags: list[str] = []
        fields: dict[str, list[str]] = {}
        current: str | None = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and current is not None:
                fields[current].append(line.strip())
            else:
                key, _, rest = line.partition(" ")
                current = key
                fields[current] = [rest.strip()]
        if "msgid" not in fields:
            continue
        entries.append(
            {
                "flags": flags,
                "msgid": _unquote(fields["msgid"]),
                "msgid_plural": _unquote(fields["msgid_plural"]) if "msgid_plural" in fields else None,
                "msgstr": [_unquote(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")],
            }
        )
    return entries


def marked_strings() -> set[str]:
    """The French strings marked for translation in the foundation templates and core views."""
    found: set[str] = set()
    for template in FOUNDATION_TEMPLATES:
        text = template.read_text(encoding="utf-8")
        found |= {m.group(2) for m in re.finditer(r"""\{% translate (["'])(.*?)\1""", text)}
        for block in re.finditer(r"\{% blocktranslate[^%]*%\}(.*?)\{% endblocktranslate %\}", text, re.S):
            for part in block.group(1).split("{% plural %}"):
                found.add(re.sub(r"\{\{ (\w+) \}\}", r"%(\1)s", part))
    for module in FOUNDATION_PYTHON:
        found |= set(re.findall(r'_\(\s*"([^"]+)"\s*\)', module.read_text(encoding="utf-8")))
    found |= set(ROLE_LABEL_MSGIDS)
    return found


def test_every_marked_string_has_an_english_translation_neither_empty_nor_fuzzy() -> None:
    entries = parse_po(LOCALE_EN / "django.po")
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: en" in str(header["msgstr"])
    translated: set[str] = set()
    for entry in messages:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert all(entry["msgstr"]), f"empty translation for {entry['msgid']!r}"
        translated.add(str(entry["msgid"]))
        if entry["msgid_plural"]:
            translated.add(str(entry["msgid_plural"]))
    missing = marked_strings() - translated
    assert not missing, f"run makemessages and translate: {sorted(missing)}"
    assert len(marked_strings()) > 30  # the scan itself found the strings


def test_the_compiled_catalogue_is_present_and_up_to_date_with_the_po_file() -> None:
    mo = LOCALE_EN / "django.mo"
    assert mo.is_file(), "compile the catalogue: django-admin compilemessages"
    with mo.open("rb") as handle:
        catalogue = stdlib_gettext.GNUTranslations(handle)
    for entry in parse_po(LOCALE_EN / "django.po")[1:]:
        strings = entry["msgstr"]
        assert isinstance(strings, list)
        if entry["msgid_plural"]:
            assert catalogue.ngettext(str(entry["msgid"]), str(entry["msgid_plural"]), 1) == strings[0]
            assert catalogue.ngettext(str(entry["msgid"]), str(entry["msgid_plural"]), 5) == strings[1]
        else:
            assert catalogue.gettext(str(entry["msgid"])) == strings[0], "the .mo is stale: recompile it"


def test_locale_folder_ships_inside_the_package() -> None:
    assert [Path(p) for p in settings.LOCALE_PATHS] == [PACKAGE / "locale"]
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _name in settings.LANGUAGES] == ["fr", "en"]


def test_role_labels_are_marked_and_translated() -> None:
    assert tuple(ROLE_LABELS_FR[role] for role in Role) == ROLE_LABEL_MSGIDS
    with translation.override("fr"):
        assert role_label(Role.SECRETAIRE) == "Secrétaire de mairie"
    with translation.override("en"):
        assert role_label(Role.SECRETAIRE) == "Town hall secretary"
        assert role_label("elu") == "Elected official / mayor"
    assert role_label(None) == "" and role_label("inconnu") == "inconnu"


# --- the pages ----------------------------------------------------------------------------------


def _no_inline_code(page: str) -> None:
    """The content security policy forbids inline scripts and styles: the switcher uses none."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)


@pytest.mark.django_db
def test_login_page_is_french_by_default(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert 'lang="fr"' in page
    for text in ("Connexion à Beffroi", "Identifiant", "Mot de passe", "Se connecter", "Langue"):
        assert text in page
    assert "Log in" not in page
    assert response["Content-Language"] == "fr"


@pytest.mark.django_db
def test_login_page_in_english_from_accept_language(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    page = response.content.decode()
    assert 'lang="en"' in page and response["Content-Language"] == "en"
    for text in (
        "Log in to Beffroi",
        "Username",
        "Password",
        "Skip to content",
        "Language",
        "Change language",
    ):
        assert text in page
    assert "Connexion à Beffroi" not in page and "Mot de passe" not in page
    bad = client.post(reverse("login"), {"username": "nobody", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Incorrect username or password" in bad.content.decode()


@pytest.mark.django_db
def test_login_page_in_english_from_the_language_cookie(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="en"' in page and "Log in to Beffroi" in page


@pytest.mark.django_db
def test_home_page_lists_communes_in_french_then_english(client, commune, make_member) -> None:  # type: ignore[no-untyped-def]
    commune.population = 1200
    commune.save()
    client.force_login(make_member(commune, Role.SECRETAIRE))
    french = client.get(reverse("home")).content.decode()
    assert "Mes communes" in french and "Saint-Aubin" in french
    assert "Secrétaire de mairie" in french and "1200 habitants" in french
    assert "Se déconnecter" in french
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My communes" in english and "Saint-Aubin" in english
    assert "Town hall secretary" in english and "1200 inhabitants" in english
    assert "Log out" in english and "Mes communes" not in english


@pytest.mark.django_db
def test_home_page_without_commune_in_english(client, make_member) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user(username="seul", password="motdepasse-solide-42"))
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You are not a member of any commune yet" in page


@pytest.mark.django_db
def test_commune_navigation_in_english(client_as, commune) -> None:  # type: ignore[no-untyped-def]
    client = client_as(commune, Role.DIRECTION_COM)
    url = reverse("workspace:dashboard", kwargs={"commune": commune.slug})
    french = client.get(url).content.decode()
    assert "Boîte de réception" in french and "Comptes connectés" in french
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in (
        "Main navigation",
        "Inbox",
        "To review",
        "Watch",
        "Connected accounts",
        "Head of communication",
    ):
        assert text in english


@pytest.mark.django_db
def test_language_switcher_is_a_plain_form_that_changes_the_language(client) -> None:  # type: ignore[no-untyped-def]
    login = reverse("login")
    response = client.get(login)
    page = response.content.decode()
    form = re.search(
        r'<form[^>]*action="([^"]+)"[^>]*class="[^"]*language-switcher[^"]*"[^>]*>(.*?)</form>', page, re.S
    )
    assert form, "the language switcher is missing"
    assert form.group(1) == reverse("set_language")
    assert 'name="language"' in form.group(2) and 'name="csrfmiddlewaretoken"' in form.group(2)
    assert '<option value="fr" lang="fr" selected>Français</option>' in form.group(2)
    assert '<option value="en" lang="en">English</option>' in form.group(2)
    assert 'type="submit"' in form.group(2)  # works without JavaScript
    assert f'name="next" value="{login}"' in form.group(2)
    _no_inline_code(page)
    assert "script-src 'self'" in response["Content-Security-Policy"]

    switched = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert switched.status_code == 302 and switched["Location"] == login
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get(login).content.decode()
    assert (
        "Log in to Beffroi" in english and '<option value="en" lang="en" selected>English</option>' in english
    )
    _no_inline_code(english)

    client.post(reverse("set_language"), {"language": "fr", "next": login})
    assert "Connexion à Beffroi" in client.get(login).content.decode()


@pytest.mark.django_db
def test_language_switcher_refuses_unknown_languages_and_foreign_redirects(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert "Connexion à Beffroi" in client.get(reverse("login")).content.decode()
