"""Shared fixtures: the four people every test module needs, and the service markers.

Tests marked `postgres`, `redis` or `browser` skip with a reason where that service is absent,
except under CI=true, where an absent service fails the run instead.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from playwright.sync_api import sync_playwright

from config.celery import app
from disputes.reference_data import ensure_reference_data
from tests.factories import MembershipFactory, SellerFactory, StaffFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required services must be present)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        _skip_or_fail("needs Redis: set REDIS_URL=redis://…")
    if request.node.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _skip_or_fail(f"needs Chromium at {CHROMIUM}")


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests run after a flush that also wiped the migrations' rows: put back
    the queues, roles and policies every test expects."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in lockouts and API throttle counts live in the cache (Redis under CI): one test's
    failed sign-ins must not lock the next test's user out."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery(settings, tmp_path):
    """Tasks run in-process unless a test starts a real worker; media goes to a temp dir."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing test passwords at full strength costs seconds per test module.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def cache_down():
    """The cache (Redis) unreachable for the length of the test: nothing listens on port 1."""
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        yield


@pytest.fixture
def seller_a(db):
    return SellerFactory(name="Seller A")


@pytest.fixture
def seller_b(db):
    return SellerFactory(name="Seller B")


@pytest.fixture
def seller_a_user(seller_a):
    return MembershipFactory(seller=seller_a, user__username="seller-a").user


@pytest.fixture
def seller_b_user(seller_b):
    return MembershipFactory(seller=seller_b, user__username="seller-b").user


@pytest.fixture
def specialist(db):
    return StaffFactory(username="spec", role="Specialist")


@pytest.fixture
def specialist2(db):
    return StaffFactory(username="spec2", role="Specialist")


@pytest.fixture
def senior(db):
    return StaffFactory(username="senior", role="Senior Specialist")


@pytest.fixture
def lead(db):
    return StaffFactory(username="lead", role="Team Lead")


@pytest.fixture
def lead2(db):
    return StaffFactory(username="lead2", role="Team Lead")


@pytest.fixture
def qa(db):
    return StaffFactory(username="qa", role="QA Reviewer")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session, driven by Playwright."""
    if not shutil.which(CHROMIUM):
        _skip_or_fail(f"needs Chromium at {CHROMIUM}")

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) pointed at the live test server."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
