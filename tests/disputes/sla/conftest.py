"""The `opened` fixture of the SLA tests: a case filed and opened, its clocks running."""

from __future__ import annotations

import pytest

from disputes import services
from tests.factories import SkuFactory


@pytest.fixture
def opened(seller_a, seller_a_user):
    SkuFactory(seller=seller_a, sku="MUG-1")

    def make():
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields={"sku": "MUG-1", "quantity": 1},
        )
        services.complete_intake(dispute=dispute)
        dispute.refresh_from_db()
        return dispute

    return make
