"""Every HTML page carries a Content-Security-Policy that lets in nothing but our own origin, and
no template needs more: no inline script, no inline event handler, no inline style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.services import attach_evidence
from tests.factories import DisputeFactory, png_bytes

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# What the site's policy must say, directive by directive (in any order).
EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def who(request, seller_a_user, specialist, lead):
    return {"anonymous": None, "seller": seller_a_user, "specialist": specialist, "lead": lead}[
        request.param
    ]


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/", "anonymous"),
        ("/login/", "anonymous"),
        ("/password-reset/", "anonymous"),
        ("/admin/login/", "anonymous"),
        ("/portal/", "seller"),
        ("/portal/file/", "seller"),
        ("/portal/advice/", "seller"),
        ("/workspace/", "specialist"),
        ("/workspace/cases/", "specialist"),
        ("/workspace/approvals/", "lead"),
    ],
    indirect=["who"],
)
def test_html_pages_allow_only_our_own_origin(client, url, who):
    if who is not None:
        client.force_login(who)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert directives(response["Content-Security-Policy"]) == EXPECTED


def test_a_case_page_allows_only_our_own_origin(client, specialist, seller_a):
    dispute = DisputeFactory(seller=seller_a)
    client.force_login(specialist)
    response = client.get(f"/workspace/cases/{dispute.reference}/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == EXPECTED


def test_a_page_not_found_has_the_policy_too(client, specialist):
    client.force_login(specialist)
    response = client.get("/workspace/cases/DSP-0000-0/")
    assert response.status_code == 404
    assert directives(response["Content-Security-Policy"]) == EXPECTED


def test_the_api_docs_let_in_only_their_own_inline_script_and_style_by_nonce(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]+)'", policy["script-src"]).group(1)
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["img-src"] == "'self' data:"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert {k: v for k, v in policy.items() if k not in ("script-src", "style-src", "img-src")} == {
        k: v for k, v in EXPECTED.items() if k not in ("script-src", "style-src", "img-src")
    }
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(\s[^>]*)?>\s*[^<\s]", html)  # with a body
    assert len(inline) == 2
    assert all(f'nonce="{nonce}"' in attrs for _, attrs in inline)


def test_each_docs_page_gets_a_fresh_nonce(client):
    nonces = {
        directives(client.get("/api/docs/")["Content-Security-Policy"])["script-src"]
        for _ in range(2)
    }
    assert len(nonces) == 2


def test_an_evidence_file_keeps_its_own_sandboxing_policy(client, seller_a, seller_a_user):
    dispute = DisputeFactory(seller=seller_a)
    photo = SimpleUploadedFile("box.png", png_bytes(1), content_type="image/png")
    evidence = attach_evidence(
        dispute=dispute, uploaded_by=seller_a_user, upload=photo, kind="photo"
    )
    client.force_login(seller_a_user)
    response = client.get(f"/evidence/{evidence.pk}/?inline=1")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'; img-src 'self'"


# What the policy would block in a browser, found in the templates before any browser runs.
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|action|src)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_handler_or_style(path):
    text = path.read_text()
    assert not INLINE_HANDLER.search(text), "inline event handler (on…=)"
    assert not INLINE_STYLE.search(text), "inline style attribute"
    assert not JAVASCRIPT_URL.search(text), "javascript: URL"
    assert "<style" not in text or 'nonce="{{ request.csp_nonce }}"' in text, "inline <style>"
    for attrs in SCRIPT_TAG.findall(text):
        # A script loads from our origin, holds JSON data (never run), or carries the nonce.
        assert (
            "src=" in attrs
            or 'type="application/json"' in attrs
            or 'nonce="{{ request.csp_nonce }}"' in attrs
        ), f"inline <script{attrs}>"
