"""Playwright driving Debian's headless Chromium against pytest-django's live_server."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"

# Assertions wait up to 15 s, as actions do: under `make test` three test processes, their
# Celery workers and several Chromiums share two CPUs, and a save can take longer than
# Playwright's default 5 s to be answered. A passing assertion returns at once.
expect.set_options(timeout=15_000)

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(os.environ.get("MARIOHR_SCREENSHOT_DIR", "var/screenshots"))


def chromium_ensure() -> None:
    """Install Debian's chromium when missing (CI on a fresh machine runs as root)."""
    if Path(CHROMIUM).exists():
        return
    apt_get = shutil.which("apt-get")
    if os.geteuid() != 0 or not apt_get:
        pytest.skip("chromium is not installed and we are not root to apt-get it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt_get, "update"], check=True, env=env, capture_output=True)  # noqa: S603
    subprocess.run(  # noqa: S603 - fixed argv, no user input
        [apt_get, "install", "-y", "--no-install-recommends", "chromium"],
        check=True,
        env=env,
        capture_output=True,
    )


# Module scope: Playwright's sync API allows one running instance per thread, and other test
# modules (recordings) start their own.
@pytest.fixture(scope="module")
def browser():
    chromium_ensure()
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
