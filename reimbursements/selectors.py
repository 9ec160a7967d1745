"""Reads of reimbursements: the active policy, what a claim is worth, lists and the export."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils.translation import gettext

from core.errors import NotFound
from core.money import Money, quantize
from disputes.models import Dispute
from disputes.permissions import seller_ids_for
from evidence.selectors import returned_damaged_by_buyer
from reimbursements.models import (
    FeeTier,
    PayoutBatch,
    Reimbursement,
    ReimbursementPolicy,
    Reversal,
)
from reimbursements.status import ReimbursementStatus, SellerPayoutState
from sellers.models import Sku

# What counts as paid: approved, paid, or waiting for a team lead. A payout a lead sent back
# keeps its units too: only its revision may pay them, never a second payout beside it.
PAYING = (
    ReimbursementStatus.PENDING_APPROVAL,
    ReimbursementStatus.REJECTED,
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


# --- what was paid: per case and per source -----------------------------------------------------

# The dispute fields that name a claim's units, by claim type (None: the claim is not per unit).
SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "inbound_shortage": ("shipment_id", "sku"),
    # The units a buyer was refunded for: not received, damaged or wrong, they are paid once.
    "return_not_received": ("order_id", "sku"),
    "return_damaged": ("order_id", "sku"),
    "return_wrong_item": ("order_id", "sku"),
    "carrier_damaged": ("tracking_id",),
    "removal_lost": ("removal_order_id", "sku"),
    "warehouse_lost": ("claim_type", "sku"),
    "warehouse_damaged": ("claim_type", "sku"),
}


def source_key_of(dispute: Dispute) -> str:
    """Which units a claim is about, as one key ("shipment_id=FBA1|sku=MUG-1"); two cases with
    the same key are about the same units. Empty when the claim names no units."""
    names = SOURCE_FIELDS.get(dispute.claim_type)
    if names is None:
        return ""
    values = [str(getattr(dispute, name) or "") for name in names]
    if not all(values):
        return ""
    return "|".join(f"{name}={value}" for name, value in zip(names, values, strict=True))[:160]


@dataclass(frozen=True)
class Paid:
    """What a case's payouts come to, net of completed reversals."""

    units: int = 0
    replaced: int = 0
    amount: Decimal = Decimal("0")


def paid_on_case(*, dispute: Dispute) -> Paid:
    """Units and money paid (or approved, or waiting for a lead) on this case, minus what
    completed reversals took back. Two queries."""
    paying = Reimbursement.objects.filter(dispute=dispute, status__in=PAYING).aggregate(
        cash=Sum("quantity_cash"), replaced=Sum("quantity_replaced"), amount=Sum("amount")
    )
    back = Reversal.objects.filter(dispute=dispute, status=Reversal.Status.COMPLETED).aggregate(
        units=Sum("quantity"), amount=Sum("amount")
    )
    units = (paying["cash"] or 0) + (paying["replaced"] or 0) - (back["units"] or 0)
    return Paid(
        units=max(units, 0),
        replaced=paying["replaced"] or 0,
        amount=(paying["amount"] or Decimal("0")) + (back["amount"] or Decimal("0")),
    )


def count_units_reimbursed(*, dispute: Dispute) -> tuple[int, list[str]]:
    """Units already paid (or waiting to be) on other cases for the same units, net of completed
    reversals, and those payouts' references."""
    key = source_key_of(dispute)
    if not key:
        return 0, []
    paid = (
        Reimbursement.objects.filter(seller_id=dispute.seller_id, source_key=key, status__in=PAYING)
        .exclude(dispute=dispute)
        .order_by()
    )
    units = paid.aggregate(units=Sum(F("quantity_cash") + F("quantity_replaced")))["units"] or 0
    back = Reversal.objects.filter(
        reimbursement__in=paid, status=Reversal.Status.COMPLETED
    ).aggregate(units=Sum("quantity"))["units"]
    return max(units - (back or 0), 0), list(paid.values_list("reference", flat=True)[:MAX_LISTED])


def money_pending(*, dispute: Dispute) -> str:
    """Why the case cannot close yet ("" when nothing waits): a reimbursement waiting for a
    team lead, or a reversal waiting for a specialist."""
    waiting = Reimbursement.objects.filter(
        dispute=dispute, status=ReimbursementStatus.PENDING_APPROVAL
    )
    if waiting.exists():
        return gettext("A reimbursement on this case is waiting for a team lead's approval.")
    if Reversal.objects.filter(dispute=dispute, status=Reversal.Status.PENDING).exists():
        return gettext("A reversal on this case is waiting to be completed or cancelled.")
    return ""


def money_pending_q() -> Q:
    """Disputes with money waiting, for the sweep to leave out (see money_pending)."""
    return Q(
        Exists(
            Reimbursement.objects.filter(
                dispute=OuterRef("pk"), status=ReimbursementStatus.PENDING_APPROVAL
            )
        )
    ) | Q(Exists(Reversal.objects.filter(dispute=OuterRef("pk"), status=Reversal.Status.PENDING)))


# --- lists and the export -----------------------------------------------------------------------


def list_reimbursements_for(*, user: AbstractBaseUser) -> QuerySet[Reimbursement]:
    """Staff see every reimbursement; a seller's user only its own sellers'."""
    rows = Reimbursement.objects.select_related("dispute", "seller", "maker", "approver")
    if user.is_staff and user.has_perm("reimbursements.view_reimbursement"):
        return rows
    return rows.filter(seller_id__in=seller_ids_for(user))


def list_reversals_for(*, user: AbstractBaseUser) -> QuerySet[Reversal]:
    """Staff see every reversal; a seller's user its own sellers' completed ones."""
    rows = Reversal.objects.select_related("dispute", "reimbursement")
    if user.is_staff and user.has_perm("reimbursements.view_reversal"):
        return rows
    return rows.filter(seller_id__in=seller_ids_for(user), status=Reversal.Status.COMPLETED)


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


# --- queues: approvals, reversals, payouts ------------------------------------------------------

APPROVALS_ORDER = ("created_at", "id")  # oldest first: the longest wait is served first


def list_pending_approvals() -> QuerySet[Reimbursement]:
    """Payouts waiting for a team lead, with what the page shows beside each."""
    return Reimbursement.objects.filter(status=ReimbursementStatus.PENDING_APPROVAL).select_related(
        "dispute", "seller", "maker"
    )


def list_pending_reversals() -> QuerySet[Reversal]:
    """Reversals waiting for a specialist to complete or cancel them."""
    return Reversal.objects.filter(status=Reversal.Status.PENDING).select_related(
        "dispute", "seller", "reimbursement"
    )


def count_money_waiting(*, user: AbstractBaseUser) -> dict[str, int]:
    """The navigation's counts, each only for those who can act on it (one query each)."""
    counts = {}
    if user.is_staff and user.has_perm("reimbursements.approve_reimbursement"):
        counts["approvals"] = list_pending_approvals().count()
    if user.is_staff and user.has_perm("disputes.work_dispute"):
        counts["reversals"] = list_pending_reversals().count()
    return counts


@dataclass(frozen=True)
class ReadyToPay:
    currency: str
    count: int
    total: Decimal


def list_ready_to_batch() -> list[ReadyToPay]:
    """Approved payouts not yet in a batch, per currency."""
    rows = (
        Reimbursement.objects.filter(status=ReimbursementStatus.APPROVED, batch__isnull=True)
        .values("currency")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("currency")
    )
    return [ReadyToPay(r["currency"], r["count"], r["total"]) for r in rows]


def list_batches() -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.select_related("created_by", "paid_by").order_by("-created_at")


def get_batch(*, reference: str) -> PayoutBatch:
    batch = PayoutBatch.objects.filter(reference=reference).first()
    if batch is None:
        raise NotFound(gettext("No payout batch %(ref)s.") % {"ref": reference})
    return batch


def get_reversal(*, reversal_id: int) -> Reversal:
    reversal = Reversal.objects.filter(pk=reversal_id).first()
    if reversal is None:
        raise NotFound(gettext("No such reversal."), code="reversal_not_found")
    return reversal


# --- the seller's statement ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    kind: str  # "payout" or "reversal"
    reference: str
    case: str
    when: object
    units: int
    unit_value: Decimal
    rate: Decimal
    amount: Decimal | None  # None until approved
    currency: str
    state: SellerPayoutState


def _statement_queryset(seller_ids) -> QuerySet:
    # Unordered parts: SQLite refuses ORDER BY inside a UNION's parts.
    payouts = (
        Reimbursement.objects.filter(seller_id__in=seller_ids)
        .order_by()
        .values_list(
            Value("payout", output_field=CharField()),
            "reference",
            "dispute__reference",
            "created_at",
            F("quantity_cash") + F("quantity_replaced"),
            "quantity_cash",
            "unit_value",
            "rate",
            "amount",
            "currency",
            "status",
            "id",
        )
    )
    reversals = (
        Reversal.objects.filter(seller_id__in=seller_ids, status=Reversal.Status.COMPLETED)
        .order_by()
        .values_list(
            Value("reversal", output_field=CharField()),
            "reference",
            "dispute__reference",
            "resolved_at",
            "quantity",
            "quantity",
            "unit_value",
            Value(Decimal("1"), output_field=DecimalField(max_digits=4, decimal_places=2)),
            "amount",
            "currency",
            Value("reversed", output_field=CharField()),
            "id",
        )
    )
    return payouts.union(reversals, all=True).order_by("-created_at", "-id")


def _line(row) -> StatementLine:
    kind, reference, case, when, units, cash, unit_value, rate, amount, currency, status, _pk = row
    state = SellerPayoutState.of(status)
    if state.shows_amount and cash and quantize(unit_value * cash * rate, currency) != abs(amount):
        # An amount agreed after review: show what it pays a unit, so the line adds up.
        unit_value, rate = quantize(abs(amount) / cash, currency), Decimal("1")
    return StatementLine(
        kind=kind,
        reference=reference,
        case=case,
        when=when,
        units=units,
        unit_value=unit_value,
        rate=rate,
        amount=amount if state.shows_amount else None,
        currency=currency,
        state=state,
    )


def statement_page(
    *, seller_ids, page: int, per_page: int = 50
) -> tuple[list[StatementLine], bool]:
    """One page of a seller's payouts and completed reversals, newest first, and whether more
    follow. One query."""
    offset = max(page - 1, 0) * per_page
    rows = list(_statement_queryset(seller_ids)[offset : offset + per_page + 1])
    return [_line(r) for r in rows[:per_page]], len(rows) > per_page


def iter_statement(*, seller_ids) -> Iterator[StatementLine]:
    """Every line of the statement, in chunks (the CSV download)."""
    for row in _statement_queryset(seller_ids).iterator(chunk_size=2000):
        yield _line(row)


def statement_totals(*, seller_ids) -> dict[str, dict[str, Decimal]]:
    """Per currency: approved or paid, taken back, and the net. Two queries."""
    totals: dict[str, dict[str, Decimal]] = {}
    paid = (
        Reimbursement.objects.filter(
            seller_id__in=seller_ids,
            status__in=(ReimbursementStatus.APPROVED, ReimbursementStatus.PAID),
        )
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    back = (
        Reversal.objects.filter(seller_id__in=seller_ids, status=Reversal.Status.COMPLETED)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    zero = Decimal("0")
    for row in paid:
        totals.setdefault(row["currency"], {"paid": zero, "reversed": zero})["paid"] = row["total"]
    for row in back:
        totals.setdefault(row["currency"], {"paid": zero, "reversed": zero})["reversed"] = row[
            "total"
        ]
    for line in totals.values():
        line["net"] = line["paid"] + line["reversed"]
    return dict(sorted(totals.items()))


# --- the finance export -------------------------------------------------------------------------

FINANCE_COLUMNS = [
    "kind",
    "reference",
    "dispute",
    "seller_id",
    "marketplace",
    "sku",
    "quantity_cash",
    "quantity_replaced",
    "unit_value",
    "rate",
    "amount",
    "currency",
    "date",
    "batch",
    "payment_reference",
    "approver",
    "reverses",
]


def finance_rows(
    *, date_from=None, date_to=None, marketplace: str = "", currency: str = ""
) -> Iterator[list]:
    """The header, paid payouts, completed reversals (negative), then a total per currency:
    read in chunks, so a year of records takes the same memory as a day."""
    # Inside a transaction PostgreSQL streams the server-side cursors as it reads them; outside,
    # Django declares them WITH HOLD and the whole result is copied out at the first fetch.
    with transaction.atomic():
        yield from _finance_rows(date_from, date_to, marketplace, currency)


def _finance_rows(date_from, date_to, marketplace: str, currency: str) -> Iterator[list]:
    yield FINANCE_COLUMNS
    payouts = Reimbursement.objects.filter(status=ReimbursementStatus.PAID)
    reversals = Reversal.objects.filter(status=Reversal.Status.COMPLETED)
    for name, value in (("gte", date_from), ("lt", date_to)):
        if value:
            payouts = payouts.filter(**{f"paid_at__date__{name}": value})
            reversals = reversals.filter(**{f"resolved_at__date__{name}": value})
    if marketplace:
        payouts = payouts.filter(seller__marketplace=marketplace)
        reversals = reversals.filter(seller__marketplace=marketplace)
    if currency:
        payouts, reversals = payouts.filter(currency=currency), reversals.filter(currency=currency)
    totals: dict[str, list[Decimal]] = {}
    payout_rows = payouts.order_by("paid_at", "id").values_list(
        "reference",
        "dispute__reference",
        "seller__seller_id",
        "seller__marketplace",
        "sku",
        "quantity_cash",
        "quantity_replaced",
        "unit_value",
        "rate",
        "amount",
        "currency",
        "paid_at",
        "batch__reference",
        "batch__payment_reference",
        "approver__username",
    )
    for row in payout_rows.iterator(chunk_size=2000):
        totals.setdefault(row[10], [Decimal("0"), Decimal("0")])[0] += row[9]
        yield ["payout", *row[:11], _when(row[11]), row[12], row[13], row[14] or "", ""]
    reversal_rows = reversals.order_by("resolved_at", "id").values_list(
        "reference",
        "dispute__reference",
        "seller__seller_id",
        "seller__marketplace",
        "reimbursement__sku",
        "quantity",
        "unit_value",
        "amount",
        "currency",
        "resolved_at",
        "resolved_by__username",
        "reimbursement__reference",
    )
    for row in reversal_rows.iterator(chunk_size=2000):
        totals.setdefault(row[8], [Decimal("0"), Decimal("0")])[1] += row[7]
        reference, case, seller, market, sku, units, unit, amount, cur, when, by, original = row
        yield [
            "reversal", reference, case, seller, market, sku, units, 0, unit, "1.00", amount,
            cur, _when(when), "", "", by or "", original,
        ]  # fmt: skip
    for cur, (paid, reversed_) in sorted(totals.items()):
        yield ["total", "", "", "", "", "", "", "", "", "", paid + reversed_, cur, "", "", "",
               "", f"paid {paid}, reversed {reversed_}"]  # fmt: skip
