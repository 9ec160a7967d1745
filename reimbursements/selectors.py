"""Reads of policies and reimbursements."""

from __future__ import annotations

from core.errors import NotFound
from reimbursements.models import ReimbursementPolicy


def get_active_policy(*, claim_type: str) -> ReimbursementPolicy:
    policy = ReimbursementPolicy.objects.filter(claim_type=claim_type, is_active=True).first()
    if policy is None:
        raise NotFound(f"No active reimbursement policy for {claim_type}", code="no_policy")
    return policy
