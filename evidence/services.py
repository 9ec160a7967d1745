"""Writes of evidence: validated file uploads and imports of operational records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, require
from disputes import permissions as perms
from disputes.background import recheck_after_commit, recheck_touching_after_commit
from disputes.case import lock_dispute, record_event, require_status
from disputes.models import CaseEvent, CheckRun, Dispute
from disputes.status import Status
from evidence.choices import EvidenceKind, RecordKind
from evidence.models import (
    CarrierScan,
    CustomerReturn,
    EvidenceFile,
    LedgerEvent,
    OperationalRecord,
    RemovalOrderLine,
    ShipmentLine,
)
from evidence.records import RecordValidator
from evidence.selectors import touching_keys
from evidence.uploads import CleanFile, clean_upload
from reimbursements.services import open_reversals_for
from sellers.models import Seller

# A file as sent, or one clean_upload() already checked (a filing checks all before it stores).
Upload = UploadedFile | CleanFile


@transaction.atomic
def attach_evidence(
    *, dispute: Dispute, uploaded_by: AbstractBaseUser, upload: Upload, kind: str
) -> EvidenceFile:
    """Check, re-encode and store one file on a dispute; the stored file never changes."""
    evidence = _store_evidence(dispute=dispute, uploaded_by=uploaded_by, upload=upload, kind=kind)
    _recheck(dispute)
    return evidence


def _recheck(dispute: Dispute) -> None:
    """New evidence changes the checks' verdict; a filing is checked by its intake anyway."""
    if dispute.status != Status.SUBMITTED:
        recheck_after_commit([dispute.pk], trigger=CheckRun.Trigger.EVIDENCE)


def _store_evidence(
    *, dispute: Dispute, uploaded_by: AbstractBaseUser, upload: Upload, kind: str
) -> EvidenceFile:
    lock_dispute(dispute)
    require(
        perms.can_add_evidence(uploaded_by, dispute), _("You cannot add evidence to this dispute.")
    )
    require_status(dispute, step="add_evidence", action=_("Adding evidence"))
    if kind not in EvidenceKind.values:
        raise InvalidInput(
            _("Say what the file shows."), fields={"kind": [_("Choose the kind of evidence.")]}
        )
    clean = upload if isinstance(upload, CleanFile) else clean_upload(upload)
    limits = settings.ARBITER
    used = dispute.evidence.aggregate(total=Sum("size"))["total"] or 0
    if used + clean.size > limits["EVIDENCE_MAX_DISPUTE_BYTES"]:
        raise InvalidInput(
            _("This dispute can hold at most %(mb)s MB of evidence.")
            % {"mb": limits["EVIDENCE_MAX_DISPUTE_BYTES"] // (1024 * 1024)},
            fields={"file": [_("Not enough room left on this dispute.")]},
        )
    if dispute.evidence.filter(sha256=clean.sha256).exists():
        raise InvalidInput(
            _("%(name)s is already attached to this dispute.") % {"name": clean.name},
            fields={"file": [_("This file was already uploaded.")]},
            code="duplicate_file",
        )
    evidence = EvidenceFile(
        dispute=dispute,
        uploaded_by=uploaded_by,
        original_name=clean.name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        perceptual_hash=clean.perceptual_hash,
        taken_at=clean.taken_at,
        kind=kind,
    )
    evidence.file.save(clean.name, ContentFile(clean.content), save=False)
    try:
        evidence.save()
        record_event(
            dispute,
            kind=CaseEvent.Kind.EVIDENCE_ADDED,
            actor=uploaded_by,
            data={"file": clean.name, "kind": kind, "sha256": clean.sha256},
        )
    except Exception:
        evidence.file.delete(save=False)  # no row, no file: nothing half-written stays
        raise
    return evidence


# No savepoint of its own: inside a filing or an answer, a failure rolls back the whole of it.
@transaction.atomic(savepoint=False)
def attach_evidence_files(
    *, dispute: Dispute, uploaded_by: AbstractBaseUser, uploads: list[Upload], kind: str
) -> list[EvidenceFile]:
    """Store several files on a dispute: all of them, or none (no file left without its row)."""
    stored: list[EvidenceFile] = []
    try:
        for upload in uploads:
            stored.append(
                _store_evidence(dispute=dispute, uploaded_by=uploaded_by, upload=upload, kind=kind)
            )
    except Exception:
        for evidence in stored:  # the transaction rolls back the rows; remove their files too
            evidence.file.delete(save=False)
        raise
    if stored:
        _recheck(dispute)
    return stored


RECORD_MODELS = {
    RecordKind.LEDGER: LedgerEvent,
    RecordKind.SHIPMENTS: ShipmentLine,
    RecordKind.RETURNS: CustomerReturn,
    RecordKind.CARRIER_SCANS: CarrierScan,
    RecordKind.REMOVALS: RemovalOrderLine,
}


def record_fields(kind: str) -> list[str]:
    """The columns a row of this kind carries (besides record_id and seller_id)."""
    model = RECORD_MODELS[RecordKind(kind)]
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in ("id", "record_id", "seller", "imported_at")
    ]


@transaction.atomic
def import_records(
    *, kind: str, rows: Iterable[Mapping[str, Any]], imported_by: AbstractBaseUser | None = None
) -> dict[str, int]:
    """Validate every row, then store them all or none; a record id seen before is skipped."""
    if kind not in RecordKind.values:
        raise InvalidInput(_("Unknown record kind."), fields={"kind": [_("Not a record kind.")]})
    model = RECORD_MODELS[RecordKind(kind)]
    validator = RecordValidator(kind)
    rows = list(rows)
    allowed = validator.names
    seller_ids = {
        str(row.get("seller_id", ""))[:32] for row in rows if isinstance(row.get("seller_id"), str)
    }
    sellers = dict(Seller.objects.filter(seller_id__in=seller_ids).values_list("seller_id", "pk"))
    errors: dict[str, list[str]] = {}
    instances = []
    for index, row in enumerate(rows):
        if not allowed.issuperset(row):
            for name in sorted(set(row) - allowed, key=str):
                errors[f"rows[{index}].{name}"[:200]] = [_("Unknown column.")]
        # An empty cell (CSV) or null is a column left out: optional ones take their default.
        given = {k: v for k, v in row.items() if k in allowed and v not in ("", None)}
        seller_id = given.get("seller_id")
        seller_pk = sellers.get(seller_id) if isinstance(seller_id, str) else None
        if seller_pk is None:
            errors[f"rows[{index}].seller_id"] = [_("No seller with this id.")]
        values, refused = validator.validate(given)
        if refused is not None:
            for name, messages in refused.items():
                errors[f"rows[{index}].{name}"] = [str(m) for m in messages]
            continue
        del values["seller_id"]
        instance = model(seller_id=seller_pk, **values)
        try:
            instance.clean()  # what must be true of the record: nothing in the future, …
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"rows[{index}].{name}"] = messages
        instances.append(instance)
    if errors:
        raise InvalidInput(_("Some rows are not valid; nothing was imported."), fields=errors)
    new = _store_new_records(model, instances)
    open_reversals_for(kind=kind, records=new)
    # Which cases the records bear on is the worker's to find (tens of thousands for a big
    # seller's ledger): the request sends the few (seller, identifier) pairs.
    recheck_touching_after_commit(
        kind=kind, keys=touching_keys(kind=kind, records=new), trigger=CheckRun.Trigger.RECORDS
    )
    return {"received": len(instances), "created": len(new), "skipped": len(instances) - len(new)}


# From about this many rows COPY through a staging table is as fast as INSERT, and from 500
# rows two to four times faster; a smaller import creates no table.
COPY_MIN_ROWS = 100
INSERT_BATCH = 2000


def _store_new_records(model: type[OperationalRecord], instances: list) -> list:
    """Insert the records whose record_id is new (the first row with an id wins, as an earlier
    import would) and return them: through COPY on PostgreSQL for a large batch, else with
    bulk_create (SQLite, the embedded default, and small batches)."""
    first: dict[str, OperationalRecord] = {}
    for instance in instances:
        first.setdefault(instance.record_id, instance)
    unique = list(first.values())
    if connection.vendor == "postgresql" and len(unique) >= COPY_MIN_ROWS:
        return _copy_new_records(model, unique)
    return _insert_new_records(model, unique)


def _insert_new_records(model: type[OperationalRecord], instances: list) -> list:
    record_ids = [i.record_id for i in instances]
    known = set()
    for start in range(0, len(record_ids), INSERT_BATCH):  # within SQLite's variables per query
        chunk = record_ids[start : start + INSERT_BATCH]
        known.update(model.objects.filter(record_id__in=chunk).values_list("record_id", flat=True))
    new = [i for i in instances if i.record_id not in known]
    model.objects.bulk_create(new, batch_size=INSERT_BATCH, ignore_conflicts=True)
    return new


def _copy_new_records(model: type[OperationalRecord], instances: list) -> list:
    # COPY into a staging table of the same columns, then one INSERT … ON CONFLICT DO NOTHING:
    # PostgreSQL itself says which ids were new, exactly, even against a concurrent import of the
    # same records. The staging table lives and dies inside this transaction.
    quote = connection.ops.quote_name
    copied = [
        f for f in model._meta.concrete_fields if not f.primary_key and f.name != "imported_at"
    ]
    columns = ", ".join(quote(f.column) for f in copied)
    table, staging = quote(model._meta.db_table), quote(f"staging_{model._meta.db_table}")
    record_id = quote(model._meta.get_field("record_id").column)
    imported_at_column = quote(model._meta.get_field("imported_at").column)
    imported_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT 0 AS row_index, {columns} FROM {table} WITH NO DATA"
        )
        # Validated values are what the columns hold (str, int, date, aware datetime, the seller's
        # pk, a field's default where the row left it out); psycopg writes them as Django would.
        values_of = attrgetter(*(f.attname for f in copied))
        with cursor.copy(f"COPY {staging} (row_index, {columns}) FROM STDIN") as copy:
            for index, instance in enumerate(instances):
                copy.write_row((index, *values_of(instance)))
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {imported_at_column}) "
            f"SELECT {columns}, %s FROM {staging} ORDER BY row_index "
            f"ON CONFLICT ({record_id}) DO NOTHING RETURNING {record_id}",
            [imported_at],
        )
        created = {key for (key,) in cursor.fetchall()}
        # Now, not at commit: a second import in the same transaction creates it again.
        cursor.execute(f"DROP TABLE {staging}")
    new = [i for i in instances if i.record_id in created]
    for instance in new:
        instance.imported_at = imported_at
    return new
