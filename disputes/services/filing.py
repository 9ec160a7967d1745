"""Filing a dispute (with or without evidence files) and correcting a filed claim's details."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, Unprocessable, require
from disputes import permissions as perms
from disputes.background import complete_intake_after_commit
from disputes.case import lock_dispute, next_reference, record_event, touch
from disputes.claim_types import CLAIM_TYPES
from disputes.models import CaseEvent, Dispute
from disputes.notifications import store_receipt
from disputes.selectors.cases import (
    find_filed_with_key,
    hash_submission_key,
    list_duplicates_of_filing,
)
from disputes.services.claims import filing_window_errors, validate_claim
from disputes.status import Channel, Status
from evidence.choices import EvidenceKind
from evidence.services import attach_evidence_files
from evidence.uploads import clean_upload
from sellers.models import Seller

User = AbstractBaseUser


def evidence_missing(claim_type: str, uploads) -> str | None:
    """What to say when a claim that needs evidence comes without any (the portal's form says it
    beside the other missing fields, the service whatever the client)."""
    spec = CLAIM_TYPES.get(claim_type)
    if not spec or not spec.evidence_kinds or uploads:
        return None
    kinds = ", ".join(str(EvidenceKind(k).label) for k in spec.evidence_kinds)
    return _("This kind of claim needs evidence: attach at least one file (%(kinds)s).") % {
        "kinds": kinds
    }


def submit_dispute(
    *,
    seller: Seller,
    submitted_by: User,
    claim_type: str,
    fields: Mapping[str, Any],
    channel: str = Channel.PORTAL,
    language: str | None = None,
    submission_key: str = "",
) -> Dispute:
    """File a dispute; the same submission key returns the first dispute instead of a second.

    Evidence comes later (the API's evidence endpoint); the portal files with it (file_dispute).
    """
    filed = fingerprint(claim_type, fields)
    submission_key, existing = _start_filing(seller, submitted_by, submission_key, filed)
    if existing is not None:
        return existing
    cleaned = validate_claim(seller=seller, claim_type=claim_type, fields=fields)
    return _store_once(
        filed=filed,
        seller=seller,
        submitted_by=submitted_by,
        claim_type=claim_type,
        cleaned=cleaned,
        channel=channel,
        language=language,
        submission_key=submission_key,
    )


def precheck_filing(
    *, seller: Seller, submitted_by: User, claim_type: str, fields: Mapping[str, Any]
) -> list[dict]:
    """What a filer should know before filing (writes nothing): the claim's fields are checked
    as a filing would, then the seller's earlier disputes for the same thing are listed."""
    _start_filing(seller, submitted_by, "", "")
    cleaned = validate_claim(seller=seller, claim_type=claim_type, fields=fields)
    cleaned.pop("currency", None)
    warnings = [
        {"code": "filing_window", "message": message, "references": [], "field": field}
        for field, messages in filing_window_errors(
            seller=seller, claim_type=claim_type, cleaned=cleaned
        ).items()
        for message in messages
    ]
    duplicates = list_duplicates_of_filing(seller=seller, claim_type=claim_type, fields=cleaned)
    if duplicates:
        warnings.append(
            {
                "code": "duplicate_claim",
                "message": _("You already filed this claim: %(references)s.")
                % {"references": ", ".join(d.reference for d in duplicates)},
                "references": [d.reference for d in duplicates],
                "field": "",
            }
        )
    return warnings


def file_dispute(
    *,
    seller: Seller,
    submitted_by: User,
    claim_type: str,
    fields: Mapping[str, Any],
    uploads: list[UploadedFile],
    evidence_kind: str = "",
    channel: str = Channel.PORTAL,
    language: str | None = None,
    submission_key: str = "",
) -> Dispute:
    """File a dispute with its evidence files: all of it is stored, or none of it.

    Every problem (fields and files) is reported at once, before anything is written.
    """
    filed = fingerprint(claim_type, fields)
    submission_key, existing = _start_filing(seller, submitted_by, submission_key, filed)
    if existing is not None:
        return existing
    errors: dict[str, list[str]] = {}
    cleaned = {}
    try:
        cleaned = validate_claim(seller=seller, claim_type=claim_type, fields=fields)
    except InvalidInput as exc:
        errors.update(exc.fields)
    missing = evidence_missing(claim_type, uploads)
    if missing:
        errors["evidence"] = [missing]
    if uploads and evidence_kind not in EvidenceKind.values:
        errors["evidence_kind"] = [_("Say what the files show.")]
    # Every file is checked (and re-encoded) before anything is stored, so that all the problems
    # of a filing are named at once.
    clean_files = []
    for upload in uploads:
        try:
            clean_files.append(clean_upload(upload))
        except InvalidInput as exc:
            errors.setdefault("evidence", []).append(exc.message)
    if errors:
        raise InvalidInput(_("Some details of the claim need your attention."), fields=errors)
    return _store_once(
        filed=filed,
        seller=seller,
        submitted_by=submitted_by,
        claim_type=claim_type,
        cleaned=cleaned,
        channel=channel,
        language=language,
        submission_key=submission_key,
        evidence=clean_files,
        evidence_kind=evidence_kind,
    )


def fingerprint(claim_type: str, fields: Mapping[str, Any]) -> str:
    """What was filed, as one hash: the same body always gives the same fingerprint."""
    body = json.dumps([claim_type, dict(fields)], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _start_filing(
    seller: Seller, submitted_by: User, submission_key: str, filed: str
) -> tuple[str, Dispute | None]:
    """Refuse a filer who may not file for the seller; return the stored form of the submission
    key (its hash, so a key of any length is kept whole) and the dispute an earlier send with
    the same key created, if any. The same key with another body (`filed` differs) is a 422."""
    require(
        perms.can_file_for(submitted_by, seller.pk),
        _("You cannot file disputes for this seller account."),
    )
    hashed = hash_submission_key(submission_key)
    existing = find_filed_with_key(seller=seller, key=submission_key)
    if existing is not None and filed and existing.submission_fingerprint not in ("", filed):
        raise Unprocessable(
            _(
                "This Idempotency-Key was already used for another dispute (%(ref)s) with a "
                "different body. Use a new key for a new dispute."
            )
            % {"ref": existing.reference},
            code="idempotency_key_reused",
        )
    return hashed, existing


def _store_once(*, evidence: list | tuple = (), evidence_kind: str = "", **filing) -> Dispute:
    """Write a filing and its evidence files in one transaction (everything validated before it
    begins, so it holds only the writes); a concurrent retry with the same key may win the race."""
    try:
        with transaction.atomic():
            dispute = _create_dispute(**filing)
            attach_evidence_files(
                dispute=dispute,
                uploaded_by=filing["submitted_by"],
                uploads=evidence,
                kind=evidence_kind,
            )
            return dispute
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its dispute.
        existing = Dispute.objects.filter(
            seller=filing["seller"], submission_key=filing["submission_key"]
        ).first()
        if existing is not None:
            return existing
        raise


def _create_dispute(
    *, seller, submitted_by, claim_type, cleaned, channel, language, submission_key, filed
) -> Dispute:
    now = timezone.now()
    dispute = Dispute.objects.create(
        reference=next_reference(year=now.year),
        seller=seller,
        claim_type=claim_type,
        channel=channel,
        language=language or seller.preferred_language,
        created_by=submitted_by,
        submission_key=submission_key,
        submission_fingerprint=filed,
        currency=cleaned.pop("currency", None) or seller.default_currency,
        **cleaned,
    )
    record_event(
        dispute,
        kind=CaseEvent.Kind.SUBMITTED,
        actor=submitted_by,
        to_status=Status.SUBMITTED,
        data={"channel": channel, "claim_type": claim_type},
    )
    receipt = store_receipt(dispute)
    complete_intake_after_commit(dispute.pk, receipt_id=receipt.pk if receipt else None)
    return dispute


@transaction.atomic
def correct_claim(*, dispute: Dispute, by: User, changes: Mapping[str, Any]) -> Dispute:
    """An administrator corrects a filed claim's own details (never its workflow fields).

    Only the changed fields are written, so a status a service set meanwhile stays; the version
    bump makes open workspace forms notice the change.
    """
    if not changes:
        return dispute
    lock_dispute(dispute)
    touch(
        dispute,
        kind=CaseEvent.Kind.CLAIM_CORRECTED,
        by=by,
        data={
            "before": {name: str(getattr(dispute, name)) for name in changes},
            "after": {name: str(value) for name, value in changes.items()},
        },
        **changes,
    )
    return dispute
