"""Evidence: uploaded files checked by their content, and imports of operational records."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from core.errors import InvalidInput, NotAllowed, TransitionNotAllowed
from disputes.models import CaseEvent
from disputes.status import Status
from evidence.models import CustomerReturn, EvidenceFile, LedgerEvent, ShipmentLine
from evidence.services import attach_evidence, import_records
from tests.evidence import files
from tests.factories import in_status

pytestmark = pytest.mark.django_db


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG: signature, IHDR, one IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


JPEG = files.picture("JPEG")
PDF = files.pdf()
CSV = b"order_id,sku,quantity\n111-2222222-3333333,MUG-1,2\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
RANDOM = bytes([0]) + random.Random(7).randbytes(2048)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def dispute(seller_a):
    return in_status(Status.IN_REVIEW, seller=seller_a)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- attach_evidence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("box.png", png_bytes(), "image/png"),
        ("box.jpg", JPEG, "image/jpeg"),
        ("invoice.pdf", PDF, "application/pdf"),
        ("counts.csv", CSV, "text/csv"),
        # The name says JPEG, the bytes say PDF: the bytes win.
        ("photo.jpg", PDF, "application/pdf"),
        ("scan", png_bytes(3, 1), "image/png"),
    ],
    ids=["png", "jpeg", "pdf", "csv", "pdf-named-jpg", "png-without-extension"],
)
def test_attach_evidence_stores_a_file_typed_by_its_content(
    name, content, content_type, dispute, seller_a_user
):
    evidence = attach_evidence(
        dispute=dispute, uploaded_by=seller_a_user, upload=upload(name, content), kind="photo"
    )
    stored = EvidenceFile.objects.get(pk=evidence.pk)
    assert (stored.content_type, stored.original_name, stored.uploaded_by) == (
        content_type,
        name,
        seller_a_user,
    )
    with stored.file.open("rb") as handle:
        kept = handle.read()
    # What is kept is the same document, re-encoded: its size and hash are the stored bytes'.
    assert (stored.size, stored.sha256) == (len(kept), hashlib.sha256(kept).hexdigest())
    if content_type.startswith("image/"):
        assert Image.open(io.BytesIO(kept)).size == Image.open(io.BytesIO(content)).size
    elif content_type == "application/pdf":
        assert len(PdfReader(io.BytesIO(kept)).pages) == 1
    else:
        assert kept == content


def test_the_stored_file_is_not_named_after_the_users_file(dispute, seller_a_user):
    evidence = attach_evidence(
        dispute=dispute,
        uploaded_by=seller_a_user,
        upload=upload("../../etc/my invoice.pdf", PDF),
        kind="invoice",
    )
    assert evidence.original_name == "my invoice.pdf"
    assert "invoice" not in evidence.file.name
    assert ".." not in evidence.file.name
    assert evidence.file.name.startswith(f"evidence/{dispute.pk}/")
    assert evidence.file.name.endswith(".pdf")


def test_attaching_evidence_appends_an_event_by_the_uploader(dispute, seller_a_user):
    evidence = attach_evidence(
        dispute=dispute,
        uploaded_by=seller_a_user,
        upload=upload("box.png", png_bytes()),
        kind="photo",
    )
    event = CaseEvent.objects.get(dispute=dispute, kind=CaseEvent.Kind.EVIDENCE_ADDED)
    assert event.actor == seller_a_user
    assert event.data == {"file": "box.png", "kind": "photo", "sha256": evidence.sha256}


def test_staff_who_work_disputes_can_attach_evidence(dispute, specialist):
    attach_evidence(
        dispute=dispute, uploaded_by=specialist, upload=upload("scan.pdf", PDF), kind="other"
    )
    assert EvidenceFile.objects.filter(dispute=dispute, uploaded_by=specialist).exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("setup.png", EXE, "invalid_input"),
        ("noise.png", RANDOM, "invalid_input"),
        ("empty.png", b"", "invalid_input"),
        ("notes.txt", b"just some words without separators\n", "invalid_input"),
    ],
    ids=["exe-renamed-png", "random-bytes", "empty", "plain-text"],
)
def test_attach_evidence_refuses_a_file_that_is_not_an_accepted_type(
    name, content, code, dispute, seller_a_user, settings
):
    with pytest.raises(InvalidInput) as refused:
        attach_evidence(
            dispute=dispute, uploaded_by=seller_a_user, upload=upload(name, content), kind="photo"
        )
    assert (refused.value.code, set(refused.value.fields)) == (code, {"file"})
    assert not EvidenceFile.objects.exists()
    assert not CaseEvent.objects.filter(dispute=dispute).exists()
    assert stored_files(settings) == []


def test_attach_evidence_refuses_a_file_over_the_size_limit(dispute, seller_a_user, settings):
    settings.ARBITER = {**settings.ARBITER, "EVIDENCE_MAX_FILE_BYTES": 1024}
    attach_evidence(
        dispute=dispute, uploaded_by=seller_a_user, upload=upload("ok.pdf", PDF), kind="invoice"
    )
    big = PDF + b"%" + b"x" * 1024
    with pytest.raises(InvalidInput) as refused:
        attach_evidence(
            dispute=dispute,
            uploaded_by=seller_a_user,
            upload=upload("big.pdf", big),
            kind="invoice",
        )
    assert set(refused.value.fields) == {"file"}
    assert EvidenceFile.objects.filter(dispute=dispute).count() == 1
    assert len(stored_files(settings)) == 1


def test_attach_evidence_refuses_a_file_past_the_disputes_total(dispute, seller_a_user, settings):
    first = attach_evidence(
        dispute=dispute, uploaded_by=seller_a_user, upload=upload("a.pdf", PDF), kind="invoice"
    )
    settings.ARBITER = {**settings.ARBITER, "EVIDENCE_MAX_DISPUTE_BYTES": first.size + 100}
    with pytest.raises(InvalidInput):
        attach_evidence(
            dispute=dispute,
            uploaded_by=seller_a_user,
            upload=upload("b.csv", CSV * 3),
            kind="invoice",
        )
    assert EvidenceFile.objects.filter(dispute=dispute).count() == 1


def test_the_same_file_twice_on_one_dispute_is_refused(dispute, seller_a, seller_a_user, settings):
    attach_evidence(
        dispute=dispute,
        uploaded_by=seller_a_user,
        upload=upload("a.png", png_bytes()),
        kind="photo",
    )
    with pytest.raises(InvalidInput) as refused:
        attach_evidence(
            dispute=dispute,
            uploaded_by=seller_a_user,
            upload=upload("renamed.png", png_bytes()),
            kind="photo",
        )
    assert refused.value.code == "duplicate_file"
    assert EvidenceFile.objects.filter(dispute=dispute).count() == 1
    assert len(stored_files(settings)) == 1
    # The same file on another dispute of the seller is a separate piece of evidence.
    other = in_status(Status.OPEN, seller=seller_a)
    attach_evidence(
        dispute=other,
        uploaded_by=seller_a_user,
        upload=upload("a.png", png_bytes()),
        kind="photo",
    )
    assert EvidenceFile.objects.count() == 2


@pytest.mark.parametrize("actor", ["seller_b_user", "qa"])
def test_someone_outside_the_case_cannot_attach_evidence(actor, request, dispute, settings):
    with pytest.raises(NotAllowed):
        attach_evidence(
            dispute=dispute,
            uploaded_by=request.getfixturevalue(actor),
            upload=upload("a.png", png_bytes()),
            kind="photo",
        )
    assert not EvidenceFile.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("status", [Status.CLOSED, Status.WITHDRAWN, Status.MERGED])
def test_a_finished_dispute_takes_no_more_evidence(status, seller_a, seller_a_user):
    finished = in_status(status, seller=seller_a)
    with pytest.raises(TransitionNotAllowed):
        attach_evidence(
            dispute=finished,
            uploaded_by=seller_a_user,
            upload=upload("a.pdf", PDF),
            kind="invoice",
        )
    assert not EvidenceFile.objects.exists()


def test_evidence_needs_a_known_kind(dispute, seller_a_user):
    with pytest.raises(InvalidInput) as refused:
        attach_evidence(
            dispute=dispute,
            uploaded_by=seller_a_user,
            upload=upload("a.pdf", PDF),
            kind="selfie",
        )
    assert set(refused.value.fields) == {"kind"}


# --- import_records ----------------------------------------------------------------------------


def ledger_row(seller, record_id: str, **overrides) -> dict:
    row = {
        "record_id": record_id,
        "seller_id": seller.seller_id,
        "event_date": "2026-02-10",
        "sku": "MUG-1",
        "fnsku": "X000000001",
        "fulfillment_center": "PHX7",
        "event_type": "lost",
        "quantity": "2",
        "reference_id": "",
    }
    row.update(overrides)
    return row


def return_row(seller, record_id: str, **overrides) -> dict:
    row = {
        "record_id": record_id,
        "seller_id": seller.seller_id,
        "order_id": "111-0000000-0000001",
        "sku": "MUG-1",
        "quantity": "1",
        "refund_date": "2026-01-05",
        "received_date": "",
        "disposition": "",
    }
    row.update(overrides)
    return row


def test_import_records_stores_valid_rows(seller_a, seller_b):
    result = import_records(
        kind="ledger",
        rows=[
            ledger_row(seller_a, "L-1"),
            ledger_row(seller_b, "L-2", event_type="found", quantity=1),
        ],
    )
    assert result == {"received": 2, "created": 2, "skipped": 0}
    first = LedgerEvent.objects.get(record_id="L-1")
    assert (first.seller, first.sku, first.quantity, first.event_type) == (
        seller_a,
        "MUG-1",
        2,
        "lost",
    )
    assert str(first.event_date) == "2026-02-10"
    assert LedgerEvent.objects.get(record_id="L-2").seller == seller_b


@pytest.mark.parametrize(
    ("kind", "make", "overrides", "field"),
    [
        ("ledger", ledger_row, {"seller_id": "S-NOBODY"}, "seller_id"),
        ("ledger", ledger_row, {"event_date": "2026-13-45"}, "event_date"),
        ("ledger", ledger_row, {"event_type": "teleported"}, "event_type"),
        ("ledger", ledger_row, {"quantity": "two"}, "quantity"),
        ("ledger", ledger_row, {"colour": "red"}, "colour"),
        ("returns", return_row, {"quantity": "-1"}, "quantity"),
        ("returns", return_row, {"refund_date": "yesterday"}, "refund_date"),
        ("returns", return_row, {"disposition": "eaten"}, "disposition"),
    ],
    ids=[
        "unknown-seller",
        "bad-date",
        "bad-event-type",
        "quantity-not-a-number",
        "unknown-column",
        "negative-quantity",
        "bad-refund-date",
        "bad-disposition",
    ],
)
def test_one_bad_row_refuses_the_whole_batch_with_per_row_errors(
    kind, make, overrides, field, seller_a
):
    model = {"ledger": LedgerEvent, "returns": CustomerReturn}[kind]
    rows = [make(seller_a, "R-0"), make(seller_a, "R-1", **overrides), make(seller_a, "R-2")]
    with pytest.raises(InvalidInput) as refused:
        import_records(kind=kind, rows=rows)
    assert set(refused.value.fields) == {f"rows[1].{field}"}
    assert refused.value.fields[f"rows[1].{field}"]
    assert not model.objects.exists()


def test_every_bad_row_is_named(seller_a):
    rows = [
        ledger_row(seller_a, "L-0", quantity="x"),
        ledger_row(seller_a, "L-1"),
        ledger_row(seller_a, "L-2", event_date="never", seller_id="nobody"),
    ]
    with pytest.raises(InvalidInput) as refused:
        import_records(kind="ledger", rows=rows)
    assert set(refused.value.fields) == {
        "rows[0].quantity",
        "rows[2].event_date",
        "rows[2].seller_id",
    }
    assert not LedgerEvent.objects.exists()


def test_re_sending_the_same_records_changes_nothing(seller_a):
    rows = [ledger_row(seller_a, f"L-{n}") for n in range(3)]
    assert import_records(kind="ledger", rows=rows)["created"] == 3
    before = list(LedgerEvent.objects.order_by("record_id").values())

    again = [ledger_row(seller_a, f"L-{n}", quantity="99") for n in range(3)]
    assert import_records(kind="ledger", rows=again) == {
        "received": 3,
        "created": 0,
        "skipped": 3,
    }
    assert list(LedgerEvent.objects.order_by("record_id").values()) == before


def test_a_batch_mixing_new_and_known_records_stores_only_the_new(seller_a):
    import_records(
        kind="shipments",
        rows=[
            {
                "record_id": "SH-1",
                "seller_id": seller_a.seller_id,
                "shipment_id": "FBA1",
                "sku": "MUG-1",
                "quantity_shipped": "10",
                "quantity_received": "8",
                "closed_date": "",
            }
        ],
    )
    rows = [
        {
            "record_id": record_id,
            "seller_id": seller_a.seller_id,
            "shipment_id": "FBA1",
            "sku": sku,
            "quantity_shipped": "10",
            "quantity_received": "10",
            "closed_date": "2026-01-31",
        }
        for record_id, sku in (("SH-1", "MUG-1"), ("SH-2", "CUP-1"))
    ]
    assert import_records(kind="shipments", rows=rows) == {
        "received": 2,
        "created": 1,
        "skipped": 1,
    }
    assert ShipmentLine.objects.get(record_id="SH-1").closed_date is None


def test_a_record_id_repeated_within_a_batch_is_counted_once(seller_a):
    rows = [ledger_row(seller_a, "L-1"), ledger_row(seller_a, "L-1", quantity="5")]
    result = import_records(kind="ledger", rows=rows)
    assert LedgerEvent.objects.count() == 1
    assert (result["created"], result["skipped"]) == (1, 1)


def test_an_unknown_record_kind_is_refused(seller_a):
    with pytest.raises(InvalidInput) as refused:
        import_records(kind="weather", rows=[ledger_row(seller_a, "L-1")])
    assert set(refused.value.fields) == {"kind"}


TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("kind", "row", "bad"),
    [
        (
            "ledger",
            {
                "event_date": TOMORROW,
                "sku": "S",
                "fulfillment_center": "PHX7",
                "event_type": "lost",
                "quantity": 1,
            },
            "event_date",
        ),
        (
            "shipments",
            {"shipment_id": "FBA1", "sku": "S", "quantity_shipped": 5, "quantity_received": 9},
            "quantity_received",
        ),
        (
            "removals",
            {
                "removal_order_id": "R1",
                "sku": "S",
                "quantity_shipped": 2,
                "quantity_delivered": 3,
                "shipped_date": "2026-11-01",
            },
            "quantity_delivered",
        ),
        (
            "returns",
            {"order_id": "O1", "sku": "S", "quantity": 1, "refund_date": TOMORROW},
            "refund_date",
        ),
    ],
)
def test_records_that_cannot_be_true_are_refused_and_never_reach_a_check(seller_a, kind, row, bad):
    with pytest.raises(InvalidInput) as refused:
        import_records(
            kind=kind, rows=[{"record_id": f"BAD-{kind}", "seller_id": seller_a.seller_id, **row}]
        )
    assert list(refused.value.fields) == [f"rows[0].{bad}"]
    model = {"ledger": LedgerEvent, "shipments": ShipmentLine, "returns": CustomerReturn}
    if kind in model:
        assert not model[kind].objects.exists()
