"""Browser tests: Playwright driving Debian's chromium against Django's live server."""

from __future__ import annotations

import getpass
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures in
# the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "motdepasse-solide-42"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run `make test` (it installs the `chromium` package).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(live_server: Any) -> Callable[[Any, Any], None]:
    """login(page, user): logs the user in through the real log-in form."""

    def do(page: Any, user: Any) -> None:
        page.goto(live_server.url + "/connexion/")
        page.get_by_label("Identifiant").fill(user.username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()

    return do


def screenshot_dir() -> Path:
    """Where screenshots go: docs/screenshots/ (they document the screens) only when asked with
    ``BEFFROI_UPDATE_SCREENSHOTS=1``; else a folder of the system's temporary directory, overwritten
    by each run, so an ordinary test run leaves the git tree clean while still taking them (the code
    path stays exercised, and the last run's pictures can be looked at)."""
    if os.environ.get("BEFFROI_UPDATE_SCREENSHOTS") == "1":
        return SCREENSHOTS
    return Path(tempfile.gettempdir()) / f"beffroi-screenshots-{getpass.getuser()}"


def screenshot(page: Any, name: str) -> Path:
    """Take a full-page screenshot into :func:`screenshot_dir`; returns its path."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
