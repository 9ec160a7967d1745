"""Writing played cases: table by table, parents first, in bulk, with their own times."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F

from disputes.demo.history.base import Rules
from disputes.demo.history.life import Life
from disputes.demo.history.schedule import World
from disputes.models import (
    CaseEvent,
    CheckResult,
    CheckRun,
    Decision,
    Dispute,
    Escalation,
    Message,
    SlaTimer,
)
from evidence.models import (
    CarrierScan,
    CustomerReturn,
    EvidenceFile,
    LedgerEvent,
    RemovalOrderLine,
    ShipmentLine,
)
from reimbursements.models import PayoutBatch, PayoutSource, Reimbursement, Reversal
from sellers.models import Seller

RECORD_MODELS = {
    "ledger": LedgerEvent,
    "shipments": ShipmentLine,
    "returns": CustomerReturn,
    "carrier-scans": CarrierScan,
    "removals": RemovalOrderLine,
}
# Finance pays each currency's approved payouts on Mondays and Thursdays.
BATCH_DAYS, BATCH_HOUR, PAID_AFTER = (0, 3), 10, timedelta(hours=5)

TIMESTAMPED = (
    Dispute,
    CheckRun,
    Message,
    Escalation,
    Decision,
    PayoutBatch,
    Reimbursement,
    Reversal,
    EvidenceFile,
    CaseEvent,
    *RECORD_MODELS.values(),
)


@contextmanager
def historical_times(*models) -> Iterator[None]:
    """Let bulk_create keep the times given instead of now (auto_now / auto_now_add)."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# --- payout batches -----------------------------------------------------------------------------


class Batches:
    """Finance's payout runs: each currency's approved payouts twice a week, paid that day."""

    def __init__(self, world: World, now: datetime):
        self.world, self.now = world, now
        self.made: dict[tuple[str, datetime], PayoutBatch] = {}
        self.totals: dict[int, list] = {}  # id(batch) → [batch, payouts, total]

    def slot(self, currency: str, ready: datetime):
        """(batch, created at, paid at) of the first run after `ready`; None before it comes."""
        day = (ready + timedelta(minutes=30)).date()
        while True:
            run = datetime.combine(day, time(BATCH_HOUR), tzinfo=UTC)
            if day.weekday() in BATCH_DAYS and run > ready + timedelta(minutes=30):
                break
            day += timedelta(days=1)
        if run > self.now:
            return None
        paid_at = run + PAID_AFTER
        key = (currency, run)
        if key not in self.made:
            paid = paid_at <= self.now
            digest = hashlib.sha256(f"{self.world.key}{currency}{run}".encode()).hexdigest()
            self.made[key] = PayoutBatch(
                reference=f"PAY-{run:%Y%m%d}-{currency}-{digest[:6].upper()}",
                currency=currency,
                status=PayoutBatch.Status.PAID if paid else PayoutBatch.Status.OPEN,
                item_count=0,
                total=Decimal("0"),
                created_by_id=self.world.finance,
                paid_by_id=self.world.finance if paid else None,
                paid_at=paid_at if paid else None,
                payment_reference=f"ACH-{run:%Y%m%d}-{currency}" if paid else "",
                created_at=run,
                updated_at=paid_at if paid else run,
            )
        return self.made[key], run, paid_at


# --- writing ------------------------------------------------------------------------------------


class Writer:
    """Writes played cases table by table, parents first, ids filled in on the way."""

    def __init__(self, batches: Batches):
        self.batches = batches
        self.rows: Counter = Counter()
        self.written_batches: set[int] = set()
        self.decided: dict[int, Counter] = defaultdict(Counter)

    def create(self, model, rows: list) -> None:
        if rows:
            model.objects.bulk_create(rows, batch_size=2000)
            self.rows[model.__name__] += len(rows)

    def write(self, lives: list[Life]) -> None:
        self.create(Dispute, [life.dispute for life in lives])
        runs = [life for life in lives if life.run is not None]
        self.create(CheckRun, [life.run for life in runs])
        for life in runs:
            life.dispute.latest_check_run = life.run
        Dispute.objects.bulk_update([life.dispute for life in runs], ["latest_check_run"], 500)
        self.create(CheckResult, [r for life in runs for r in life.results])
        self.create(EvidenceFile, [e for life in lives for e in self._evidence(life)])
        self.create(Message, [m for life in lives for m in life.messages])
        self.create(Escalation, [e for life in lives for e in life.escalations])
        self.create(SlaTimer, [t for life in lives for t in life.timers.values()])
        self.create(Decision, [d for life in lives for d in life.decisions])
        payouts = [p for life in lives for p in life.payouts]
        # Unsaved batches are told apart by identity (a model without an id is unhashable).
        new = {id(p.batch): p.batch for p in payouts if p.batch is not None}
        new = [b for key, b in new.items() if key not in self.written_batches]
        self.create(PayoutBatch, sorted(new, key=lambda b: b.created_at))
        self.written_batches |= {id(b) for b in new}
        for payout in payouts:
            if payout.batch is not None:
                totals = self.batches.totals.setdefault(id(payout.batch), [payout.batch, 0, 0])
                totals[1] += 1
                totals[2] += payout.amount
        self.create(Reimbursement, payouts)
        self.create(Reversal, [r for life in lives for r in life.reversals])
        self._records(lives)
        for life in lives:
            for event in life.events:
                event.data = {k: getattr(v, "pk", v) for k, v in event.data.items()}
            first = next((d for d in life.decisions if not d.on_appeal), None)
            if first is not None:
                self.decided[life.dispute.seller_id][first.outcome == "denied"] += 1
        self.create(CaseEvent, [e for life in lives for e in life.events])

    def _evidence(self, life: Life) -> Iterator[EvidenceFile]:
        d = life.dispute
        for name, content, kind in life.evidence:
            extension, content_type = (
                (".png", "image/png") if name.endswith(".png") else (".pdf", "application/pdf")
            )
            path = default_storage.save(
                f"evidence/{d.pk}/{uuid.uuid4().hex}{extension}", ContentFile(content)
            )
            yield EvidenceFile(
                dispute=d,
                uploaded_by_id=d.created_by_id,
                file=path,
                original_name=name,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                kind=kind,
                uploaded_at=d.created_at,
            )

    def _records(self, lives: list[Life]) -> None:
        """The operational records behind the claims, imported before they were filed."""
        rows: dict[str, list] = defaultdict(list)
        for life in lives:
            seller = life.dispute.seller_id
            imported = life.plan.filed_at - timedelta(hours=2)
            for kind, kind_rows in life.plan.records.items():
                for row in kind_rows:
                    values = {k: v for k, v in row.items() if v != "" and k != "seller_id"}
                    values.setdefault("imported_at", imported)
                    rows[kind].append(RECORD_MODELS[kind](seller_id=seller, **values))
            for row in life.found:
                rows["ledger"].append(LedgerEvent(seller_id=seller, **row))
        for kind, instances in rows.items():
            self.create(RECORD_MODELS[kind], instances)

    def finish(self, rules: Rules) -> None:
        """What the run adds up: reference numbers, batch totals, the units each source paid,
        and each seller's claim-quality score (its first decisions)."""
        for batch, count, total in self.batches.totals.values():
            PayoutBatch.objects.filter(pk=batch.pk).update(item_count=count, total=total)
        existing = {
            (s.seller_id, s.key): s
            for s in PayoutSource.objects.filter(
                seller_id__in={seller for seller, _ in rules.sources},
                key__in={key for _, key in rules.sources},
            )
        }
        new, changed = [], []
        for (seller, key), (cap, paid) in rules.sources.items():
            source = existing.get((seller, key))
            if source is None:
                new.append(PayoutSource(seller_id=seller, key=key, units_cap=cap, units_paid=paid))
            else:
                source.units_cap += cap
                source.units_paid += paid
                changed.append(source)
        self.create(PayoutSource, new)
        PayoutSource.objects.bulk_update(changed, ["units_cap", "units_paid"], batch_size=500)
        for seller, counts in self.decided.items():
            Seller.objects.filter(pk=seller).update(
                claims_decided=F("claims_decided") + counts[False] + counts[True],
                claims_denied=F("claims_denied") + counts[True],
            )
