"""Money: Decimal amounts with an ISO 4217 currency, rounded half-up to the minor unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

CURRENCY_CHOICES = [
    ("USD", "USD"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("CNY", "CNY"),
    ("INR", "INR"),
]
MINOR_UNITS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "CNY": 2, "INR": 2}

# Reference rates (units of the currency per 1 USD) used only to apply USD-denominated policy
# limits such as the approval threshold and the per-unit cap; payouts stay in the case currency.
USD_REFERENCE_RATES = {
    "USD": Decimal("1"),
    "EUR": Decimal("0.92"),
    "GBP": Decimal("0.79"),
    "JPY": Decimal("150"),
    "CNY": Decimal("7.2"),
    "INR": Decimal("83"),
}


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` half-up to the minor unit of `currency`."""
    if currency not in MINOR_UNITS:
        raise ValueError(_("Unknown currency %(currency)s") % {"currency": currency})
    exponent = Decimal(1).scaleb(-MINOR_UNITS[currency])
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    """An amount in one currency, always rounded to that currency's minor unit."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never takes a float; pass a Decimal or a string")
        object.__setattr__(self, "amount", quantize(Decimal(self.amount), self.currency))

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError("Cannot add amounts in different currencies")
        return Money(self.amount + other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * Decimal(factor), self.currency)

    def in_usd(self) -> Decimal:
        return quantize(self.amount / USD_REFERENCE_RATES[self.currency], "USD")

    def converted_to(self, currency: str) -> Money:
        """The same value in `currency` at the reference rates, rounded once at the end."""
        rate = USD_REFERENCE_RATES[currency] / USD_REFERENCE_RATES[self.currency]
        return Money(self.amount * rate, currency)

    @classmethod
    def from_usd(cls, usd: Decimal, currency: str) -> Money:
        return cls(Decimal(usd) * USD_REFERENCE_RATES[currency], currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
