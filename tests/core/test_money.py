"""Money: Decimal amounts in one currency, rounded half-up to that currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.money import MINOR_UNITS, Money, quantize


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.125", "USD", Decimal("0.13")),  # half-even would give 0.12
        ("0.135", "USD", Decimal("0.14")),
        ("0.124", "USD", Decimal("0.12")),
        ("2.675", "EUR", Decimal("2.68")),
        ("0.005", "GBP", Decimal("0.01")),
        ("10.005", "CNY", Decimal("10.01")),
        ("99.995", "INR", Decimal("100.00")),
        ("2.5", "JPY", Decimal("3")),  # half-even would give 2
        ("3.5", "JPY", Decimal("4")),
        ("1499.49", "JPY", Decimal("1499")),
        ("7", "USD", Decimal("7.00")),
    ],
)
def test_money_rounds_half_up_to_the_minor_unit(amount, currency, expected):
    money = Money(Decimal(amount), currency)
    assert money.amount == expected
    assert money.amount.as_tuple().exponent == -MINOR_UNITS[currency]
    assert quantize(Decimal(amount), currency) == expected


def test_money_accepts_a_string_amount():
    assert Money("19.999", "USD").amount == Decimal("20.00")


@pytest.mark.parametrize("amount", [0.1, 1.0, 2.5])
def test_money_refuses_a_float(amount):
    with pytest.raises(TypeError):
        Money(amount, "USD")


def test_money_refuses_an_unknown_currency():
    with pytest.raises(ValueError):
        Money(Decimal("1.00"), "XYZ")


def test_adding_amounts_in_the_same_currency_sums_them():
    total = Money(Decimal("0.10"), "USD") + Money(Decimal("0.20"), "USD")
    assert total == Money(Decimal("0.30"), "USD")


def test_adding_amounts_in_different_currencies_is_refused():
    with pytest.raises(ValueError):
        Money(Decimal("1.00"), "USD") + Money(Decimal("1.00"), "EUR")


def test_multiplying_rounds_the_result():
    assert (Money(Decimal("0.25"), "USD") * Decimal("0.5")).amount == Decimal("0.13")
    assert (Money(Decimal("1001"), "JPY") * Decimal("0.5")).amount == Decimal("501")
    assert (Money(Decimal("12.50"), "USD") * 3).amount == Decimal("37.50")


@pytest.mark.parametrize(
    ("amount", "currency", "usd"),
    [
        ("150", "JPY", Decimal("1.00")),
        ("9.20", "EUR", Decimal("10.00")),
        ("7.90", "GBP", Decimal("10.00")),
        ("1", "JPY", Decimal("0.01")),  # 0.00666…: half-up
    ],
)
def test_in_usd_converts_at_the_reference_rate(amount, currency, usd):
    assert Money(Decimal(amount), currency).in_usd() == usd


def test_from_usd_converts_and_rounds_to_the_target_currency():
    assert Money.from_usd(Decimal("5000"), "JPY") == Money(Decimal("750000"), "JPY")
    assert Money.from_usd(Decimal("10.00"), "EUR") == Money(Decimal("9.20"), "EUR")


def test_money_prints_amount_and_currency():
    assert str(Money(Decimal("5"), "USD")) == "5.00 USD"
