"""What a claim is worth (reimbursements/selectors.py): unit value, rate, rounding, cap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reimbursements.selectors import propose_amount, unit_value_for
from tests.reimbursements.common import buyer_damaged_return, dispute_for

pytestmark = pytest.mark.django_db


# --- valuation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "value", "approved", "expected"),
    [
        ("USD", "12.50", 2, Decimal("25.00")),
        ("USD", "12.50", 3, Decimal("37.50")),
        ("USD", "12.50", 7, Decimal("37.50")),  # never more than the 3 units claimed
        ("JPY", "1999", 3, Decimal("5997")),
        ("EUR", "0.33", 3, Decimal("0.99")),
    ],
)
def test_the_amount_is_the_smaller_quantity_times_the_reference_value(
    currency, value, approved, expected, policy
):
    dispute = dispute_for(currency=currency, value=value, quantity=3)
    assert propose_amount(dispute=dispute, quantity=approved, policy=policy) == expected


@pytest.mark.parametrize(
    ("currency", "value", "expected"),
    [
        ("USD", "0.25", Decimal("0.13")),  # 0.125: half-up, not half-even (0.12)
        ("GBP", "0.05", Decimal("0.03")),  # 0.025
        ("JPY", "1001", Decimal("501")),  # 500.5: half-up, no decimals
        ("JPY", "5", Decimal("3")),  # 2.5
    ],
)
def test_amounts_round_half_up_to_the_currencys_minor_unit(currency, value, expected, policy):
    dispute = buyer_damaged_return(dispute_for(currency=currency, value=value, quantity=1))
    amount = propose_amount(dispute=dispute, quantity=1, policy=policy)
    assert amount == expected
    assert amount.as_tuple().exponent == (0 if currency == "JPY" else -2)


@pytest.mark.parametrize(
    ("currency", "value", "sku_currency", "unit"),
    [
        ("USD", "7000.00", None, Decimal("5000.00")),
        ("USD", "5000.00", None, Decimal("5000.00")),
        ("USD", "4999.99", None, Decimal("4999.99")),
        ("JPY", "1000000", None, Decimal("750000")),  # 5,000 USD at 150 JPY per USD
        ("EUR", "9000.00", None, Decimal("4600.00")),  # 5,000 USD at 0.92 EUR per USD
        ("USD", "6000.00", "EUR", Decimal("5000.00")),  # 6,521.74 USD before the cap
    ],
)
def test_the_unit_value_is_capped_at_5000_usd_equivalent(
    currency, value, sku_currency, unit, policy
):
    dispute = dispute_for(currency=currency, value=value, sku_currency=sku_currency, quantity=2)
    assert unit_value_for(dispute=dispute, policy=policy).amount == unit
    assert propose_amount(dispute=dispute, quantity=2, policy=policy) == unit * 2


@pytest.mark.parametrize(
    ("currency", "value", "sku_currency", "unit"),
    [
        ("USD", "9.20", "EUR", Decimal("10.00")),
        ("JPY", "10.00", "USD", Decimal("1500")),
        ("USD", "1500", "JPY", Decimal("10.00")),
        ("GBP", "10.00", "USD", Decimal("7.90")),
    ],
)
def test_a_sku_valued_in_another_currency_is_converted_to_the_disputes(
    currency, value, sku_currency, unit, policy
):
    dispute = dispute_for(currency=currency, value=value, sku_currency=sku_currency)
    valued = unit_value_for(dispute=dispute, policy=policy)
    assert (valued.amount, valued.currency) == (unit, currency)


def test_a_converted_unit_value_is_rounded_once(policy):
    dispute = dispute_for(currency="EUR", value="1000", sku_currency="JPY")
    # 1000 / 150 * 0.92 = 6.1333… EUR
    assert unit_value_for(dispute=dispute, policy=policy).amount == Decimal("6.13")


def test_a_dispute_on_a_sku_outside_the_catalog_has_no_proposal(policy):
    dispute = dispute_for(currency="USD", value="10.00")
    dispute.sku = "UNKNOWN"
    assert unit_value_for(dispute=dispute, policy=policy) is None
    assert propose_amount(dispute=dispute, quantity=1, policy=policy) is None
