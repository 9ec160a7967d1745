"""Fixtures of the reimbursement tests."""

from __future__ import annotations

import pytest

from reimbursements.selectors import get_active_policy


@pytest.fixture
def policy():
    return get_active_policy(claim_type="warehouse_damaged")
