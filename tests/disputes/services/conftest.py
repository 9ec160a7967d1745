"""The `case` fixture of the service tests."""

from __future__ import annotations

import pytest

from disputes.models import Dispute
from disputes.status import Status
from tests.disputes.services.common import WORKED
from tests.factories import in_status


@pytest.fixture
def case(seller_a, specialist):
    """A dispute of seller A in a status; worked statuses are assigned to `specialist`."""

    def make(status: Status, **kwargs) -> Dispute:
        if status in WORKED:
            kwargs.setdefault("assignee", specialist)
        return in_status(status, seller=seller_a, **kwargs)

    return make
