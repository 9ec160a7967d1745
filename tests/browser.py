"""What the browser tests share: signing in through the login page, and screenshots."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

from tests.factories import PASSWORD

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def sign_in(page, user) -> None:
    """Sign in as a person would, in whatever language the page is in."""
    page.goto("/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("header.topbar .who span")).to_have_text(user.get_username())


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
