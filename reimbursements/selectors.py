"""Reads of reimbursements: the active policy, what a claim is worth, lists and the export."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Q, QuerySet, Sum

from core.errors import NotFound
from core.money import Money
from disputes.models import Dispute
from disputes.permissions import seller_ids_for
from evidence.selectors import returned_damaged_by_buyer
from reimbursements.models import FeeTier, Reimbursement, ReimbursementPolicy
from reimbursements.status import ReimbursementStatus
from sellers.models import Sku

# What counts as paid: approved, paid, or waiting for a team lead (sent back does not).
PAYING = (
    ReimbursementStatus.PENDING_APPROVAL,
    ReimbursementStatus.APPROVED,
    ReimbursementStatus.PAID,
)
MAX_LISTED = 50


def get_active_policy(*, claim_type: str) -> ReimbursementPolicy:
    policy = ReimbursementPolicy.objects.filter(claim_type=claim_type, is_active=True).first()
    if policy is None:
        raise NotFound(f"No active reimbursement policy for {claim_type}", code="no_policy")
    return policy


# --- valuation ----------------------------------------------------------------------------------


def unit_value_for(*, dispute: Dispute, policy: ReimbursementPolicy) -> Money | None:
    """The SKU's reference value in the dispute's currency, capped per unit by the policy."""
    sku = Sku.objects.filter(seller_id=dispute.seller_id, sku=dispute.sku).first()
    if sku is None:
        return None
    value = Money(sku.reference_value, sku.currency)
    if sku.currency != dispute.currency:
        value = value.converted_to(dispute.currency)
    cap = Money.from_usd(policy.max_unit_value_usd, dispute.currency)
    return cap if value.amount > cap.amount else value


def payout_rate(*, dispute: Dispute, policy: ReimbursementPolicy) -> Decimal:
    """Returns the buyer damaged are paid at the policy's reduced rate; everything else in full."""
    if dispute.claim_type == "return_damaged" and returned_damaged_by_buyer(dispute=dispute):
        return policy.buyer_damage_rate
    return Decimal("1")


@dataclass(frozen=True)
class Valuation:
    """What the policy pays for a number of units of a claim, and why."""

    eligible_quantity: int
    unit_value: Decimal | None  # None: the SKU is not in the catalog, nothing can be proposed
    amount: Decimal | None
    currency: str
    policy_version: int
    rate: Decimal


def value_claim(*, dispute: Dispute, quantity: int, policy: ReimbursementPolicy) -> Valuation:
    """The one valuation: min(claimed, eligible) × unit value × rate, half-up to the currency's
    minor unit, the unit value capped by the policy. The checks' proposal, the decision and the
    pages all use it."""
    if dispute.quantity:
        quantity = min(quantity, dispute.quantity)
    quantity = max(quantity, 0)
    unit = unit_value_for(dispute=dispute, policy=policy)
    rate = payout_rate(dispute=dispute, policy=policy)
    return Valuation(
        eligible_quantity=quantity,
        unit_value=unit.amount if unit else None,
        amount=(unit * quantity * rate).amount if unit else None,
        currency=dispute.currency,
        policy_version=policy.version,
        rate=rate,
    )


def propose_amount(
    *, dispute: Dispute, quantity: int, policy: ReimbursementPolicy
) -> Decimal | None:
    """The amount of value_claim, or None when the SKU has no reference value."""
    return value_claim(dispute=dispute, quantity=quantity, policy=policy).amount


def needs_second_approval(*, amount: Decimal, currency: str, policy: ReimbursementPolicy) -> bool:
    return Money(amount, currency).in_usd() > policy.approval_threshold_usd


def count_units_reimbursed(*, dispute: Dispute, source: Q) -> tuple[int, list[str]]:
    """Units already paid (or waiting to be) on other cases for the same source, and their
    references. `source` filters the reimbursements' disputes (same SKU, order, shipment, …)."""
    paid = (
        Reimbursement.objects.filter(seller_id=dispute.seller_id, status__in=PAYING)
        .exclude(dispute=dispute)
        .filter(source)
        .order_by()
    )
    units = paid.aggregate(units=Sum(F("quantity_cash") + F("quantity_replaced")))["units"]
    return units or 0, list(paid.values_list("reference", flat=True)[:MAX_LISTED])


# --- lists and the export -----------------------------------------------------------------------


def list_reimbursements_for(*, user: AbstractBaseUser) -> QuerySet[Reimbursement]:
    """Staff see every reimbursement; a seller's user only its own sellers'."""
    rows = Reimbursement.objects.select_related("dispute", "seller", "maker", "approver")
    if user.is_staff and user.has_perm("reimbursements.view_reimbursement"):
        return rows
    return rows.filter(seller_id__in=seller_ids_for(user))


def get_reimbursement_on(*, dispute: Dispute, reimbursement_id: int) -> Reimbursement:
    """One reimbursement of this dispute; another dispute's id does not exist here (404)."""
    reimbursement = Reimbursement.objects.filter(pk=reimbursement_id, dispute=dispute).first()
    if reimbursement is None:
        raise NotFound("No such reimbursement on this dispute.", code="reimbursement_not_found")
    return reimbursement


def _when(value) -> str:
    return value.isoformat() if value else ""


# The finance export, column by column: its header and how each row fills it.
EXPORT_COLUMNS: dict[str, Callable[[Reimbursement], object]] = {
    "reference": lambda r: r.reference,
    "dispute": lambda r: r.dispute.reference,
    "seller_id": lambda r: r.seller.seller_id,
    "sku": lambda r: r.sku,
    "quantity_cash": lambda r: r.quantity_cash,
    "quantity_replaced": lambda r: r.quantity_replaced,
    "unit_value": lambda r: r.unit_value,
    "amount": lambda r: r.amount,
    "currency": lambda r: r.currency,
    "status": lambda r: r.status,
    "policy_version": lambda r: r.policy_version,
    "maker": lambda r: r.maker.username,
    "approver": lambda r: r.approver.username if r.approver_id else "",
    "approved_at": lambda r: _when(r.approved_at),
    "created_at": lambda r: _when(r.created_at),
}


def export_rows(reimbursements: QuerySet[Reimbursement]) -> Iterator[list]:
    """The header, then one row per reimbursement, oldest first, read in chunks."""
    yield list(EXPORT_COLUMNS)
    for reimbursement in reimbursements.order_by("created_at", "id").iterator(chunk_size=2000):
        yield [value(reimbursement) for value in EXPORT_COLUMNS.values()]


@dataclass(frozen=True)
class FeeFinding:
    tier: str
    fee: Decimal  # what the table charges a unit of this size
    table_version: int


def fee_for_sku(*, seller_id: int, sku: str, currency: str) -> FeeFinding | None:
    """The fee the active table charges for the SKU's measured size and weight, or None when
    the catalog has no measurements or there is no table in the currency."""
    item = (
        Sku.objects.filter(seller_id=seller_id, sku=sku)
        .values_list("length_cm", "width_cm", "height_cm", "weight_g")
        .first()
    )
    if item is None or None in item:
        return None
    longest, weight = max(item[:3]), item[3]
    tiers = FeeTier.objects.filter(table__currency=currency, table__is_active=True).select_related(
        "table"
    )
    for tier in tiers.order_by("max_weight_g", "max_longest_cm"):
        if longest <= tier.max_longest_cm and weight <= tier.max_weight_g:
            return FeeFinding(tier=tier.name, fee=tier.fee, table_version=tier.table.version)
    return None
