"""French by default, ready for English: the foundation pages (base layout, navigation, log-in, the
home page) in both languages, the main screens (review queue, watch, crisis room) in English, the
language switcher, and the English catalogue (``src/beffroi/locale/en/LC_MESSAGES``) complete for every
string marked in any template or Python module, not fuzzy, and compiled."""

from __future__ import annotations

import ast
import datetime as dt
import gettext as stdlib_gettext
import io
import re
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation.template import templatize

from beffroi.core.labels import ROLE_LABEL_MSGIDS, role_label
from beffroi.core.roles import ROLE_LABELS_FR, Role

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "beffroi"
LOCALE_EN = PACKAGE / "locale" / "en" / "LC_MESSAGES"
# Every template of every app (HTML pages and plain-text e-mails), except the connectors' test fixtures
# (recorded platform pages, not Beffroi's interface).
ALL_TEMPLATES = sorted(
    path
    for path in PACKAGE.rglob("*")
    if path.suffix in (".html", ".txt") and "templates" in path.parts and "fixtures" not in path.parts
)
ALL_PYTHON = sorted(
    path for path in PACKAGE.rglob("*.py") if not {"fixtures", "migrations"} & set(path.parts)
)
GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


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


def _gettext_call_strings(name: str, args: list[str]) -> set[str]:
    """The message ids of one gettext call: every string argument, less the context of p*gettext."""
    return set(args[1:] if name.startswith(("pgettext", "npgettext")) else args)


def template_msgids(path: Path) -> set[str]:
    """The message ids of a template, as `makemessages` sees them: Django's own `templatize` turns
    `{% translate %}`, `{% blocktranslate %}` (bodies, plurals, `trimmed`, `{{ var }}` -> `%(var)s`) and
    `_("…")` filter arguments into gettext calls, whose string arguments are read with the tokenizer."""
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    # templatize keeps the template's lines; only the gettext calls matter, indentation does not.
    flat = "\n".join(line.lstrip() for line in code.splitlines())
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(flat).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    ]
    found: set[str] = set()
    for i, token in enumerate(tokens[:-1]):
        if token.type == tokenize.NAME and token.string in GETTEXT_FUNCTIONS and tokens[i + 1].string == "(":
            args: list[str] = []
            for arg in tokens[i + 2 :]:
                if arg.string == ")":
                    break
                if arg.type == tokenize.STRING:
                    args.append(ast.literal_eval(arg.string))
            found |= _gettext_call_strings(token.string, args)
    return found


def python_msgids(path: Path) -> set[str]:
    """The literal message ids passed to gettext functions (`_`, `gettext_lazy`, `ngettext`…) in a module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in GETTEXT_FUNCTIONS:
                args = [
                    a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
                found |= _gettext_call_strings(name, args)
    return found


def marked_strings() -> set[str]:
    """The French strings marked for translation in every template and every Python module."""
    found: set[str] = set()
    for template in ALL_TEMPLATES:
        found |= template_msgids(template)
    for module in ALL_PYTHON:
        found |= python_msgids(module)
    found |= set(ROLE_LABEL_MSGIDS)
    return found


def test_the_scan_reads_translate_blocktranslate_plurals_and_python_calls() -> None:
    """The scan itself: the foundation, the workspace, the watch and the connectors are all read."""
    assert any("connectors" in p.parts for p in ALL_TEMPLATES) and any(
        p.suffix == ".txt" for p in ALL_TEMPLATES
    )
    assert not any("fixtures" in p.parts for p in ALL_TEMPLATES)
    strings = marked_strings()
    for msgid in (
        "Connexion à Beffroi",  # {% translate %} in the foundation
        "Rien à revoir.",  # workspace
        "Cellule de crise",  # watch
        "Page %(number)s sur %(total)s",  # {% blocktranslate with %}
        "%(n)s message masqué",  # {% blocktranslate count %}: singular…
        "%(n)s messages masqués",  # …and plural
        "CE QUI A ÉTÉ MASQUÉ",  # plain-text e-mail
        "connexion cassée",  # Python gettext_lazy (connectors)
        "du jour",  # Python gettext (watch)
    ):
        assert msgid in strings, msgid
    assert len(strings) > 800


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


# --- the main screens in English ----------------------------------------------------------------


def _english(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Language"] == "en"
    return response.content.decode()


def _french(client, url: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()


@pytest.mark.django_db
def test_review_queue_in_english(client_as, commune) -> None:  # type: ignore[no-untyped-def]
    from beffroi.workspace.models import Account, Author, Item, ItemStatus

    client = client_as(commune, Role.SECRETAIRE)
    account = Account.objects.create(commune=commune, platform="mastodon", external_id="m-1", name="Mastodon")
    author = Author.objects.create(
        commune=commune, platform="mastodon", external_id="u-1", display_name="Jean"
    )
    now = timezone.now()
    Item.objects.create(
        commune=commune,
        account=account,
        platform="mastodon",
        external_id="e-1",
        author=author,
        text="Vous êtes des incapables",
        published_at=now,
        first_seen_at=now,
        status=ItemStatus.REVIEW,
        deadline_at=now + dt.timedelta(hours=3),
    )
    url = reverse("workspace:queue", kwargs={"commune": commune.slug})
    french = _french(client, url)
    assert "Raccourcis clavier" in french and "Vous êtes des incapables" in french
    english = _english(client, url)
    assert "Vous êtes des incapables" in english  # the data stays as it is
    for text in (
        "Keyboard shortcuts",
        "next / previous item",
        "undo the last action",
        "Bulk action",
        "Select all",
    ):
        assert text in english, text
    for text in ("Raccourcis clavier", "élément suivant", "Action groupée", "Tout sélectionner"):
        assert text not in english, text
    empty = _english(client, reverse("workspace:todo", kwargs={"commune": commune.slug}))
    assert "No pending questions." in empty and "Aucune question en attente." not in empty


@pytest.fixture
def rumour_room(commune, make_member, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """The demo's pool rumour, ingested as if it had just happened: a crisis room is open."""
    from beffroi.veille import demo
    from beffroi.veille.models import Crisis
    from tests.veille.conftest import DEMO, demo_rows, ingest

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.prepare(commune, DEMO)
    director = make_member(commune, Role.DIRECTION_COM, username="direction", in_crisis_circle=True)
    rows = demo_rows()
    now = timezone.now()
    newest = min(float(r.get("minutes_ago") or 0) for r in rows)
    with django_capture_on_commit_callbacks(execute=True):
        for row in rows:
            ingest(commune, row, now - dt.timedelta(minutes=float(row.get("minutes_ago") or 0) - newest + 1))
    crisis = Crisis.objects.get(commune=commune, kind="rumour")
    return {"commune": commune, "director": director, "crisis": crisis}


@pytest.mark.django_db
def test_watch_home_and_crisis_room_in_english(client, rumour_room) -> None:  # type: ignore[no-untyped-def]
    commune, crisis = rumour_room["commune"], rumour_room["crisis"]
    client.force_login(rumour_room["director"])
    home = reverse("veille:home", kwargs={"commune": commune.slug})
    french = _french(client, home)
    assert "Veille — ce qui se dit de Saint-Aubin" in french and "Cellule de crise ouverte" in french
    english = _english(client, home)
    for text in (
        "Watch — what is being said about Saint-Aubin",
        "Open crisis room",
        "Topics of the week",
        "What is rising",
        "Latest mentions",
        "Overview",
        "My e-mail digest",
    ):
        assert text in english, text
    for text in (
        "ce qui se dit de",
        "Cellule de crise ouverte",
        "Thèmes de la semaine",
        "Dernières mentions",
    ):
        assert text not in english, text

    room = reverse("veille:crisis", kwargs={"commune": commune.slug, "crisis_id": crisis.pk})
    assert "Chronologie de la cascade" in _french(client, room)
    english = _english(client, room)
    for text in (
        "Crisis room",
        "Timeline of the cascade",
        "Amplifying accounts",
        "The facts to set straight",
        "Reply to residents, one by one",
        "Crisis checklist",
        "Messages to report to the platforms",
        "Close the crisis room",
        "people reached",
    ):
        assert text in english, text
    for text in (
        "Chronologie de la cascade",
        "Comptes qui amplifient",
        "Répondre aux habitants, un par un<",
        "Check-list de crise",
        "Clore la cellule",
        "personnes touchées",
    ):
        assert text not in english, text

    alerts = _english(client, reverse("veille:alerts", kwargs={"commune": commune.slug}))
    assert "Alerts and crisis rooms" in alerts and "Alertes et cellules de crise" not in alerts
    digest = _english(client, reverse("veille:digest_preview", kwargs={"commune": commune.slug}))
    assert "Preview of the daily digest" in digest and "What needs an answer" in digest
    assert "Ce qui attend une réponse" not in digest
