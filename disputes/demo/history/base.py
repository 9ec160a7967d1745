"""What every played case starts from: the run's shared rules, the plan of one case, and the
case's clock and rows (events, moves and messages written as the services write them)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from core.business_time import Calendar, add_business_time
from core.money import Money
from disputes import sla
from disputes.demo.data import SellerSpec, SkuSpec
from disputes.demo.texts import TEXTS, signed
from disputes.models import (
    CaseEvent,
    CheckResult,
    CheckRun,
    Decision,
    Dispute,
    Escalation,
    Message,
    SlaPolicy,
    SlaTimer,
)
from disputes.status import ALLOWED, Channel, Priority, Status
from reimbursements.models import Reimbursement, ReimbursementPolicy, Reversal

Kind = CaseEvent.Kind
Timer = SlaTimer.Kind
PAYING = ("pending_approval", "rejected", "approved", "paid")
FINAL_DECISION_CLOSES_AFTER = timedelta(days=1)  # disputes.services.periodic
CANCEL_REASON = "The units found belong to a later inbound shipment; the reimbursed ones are lost."
OVERRIDE_REASON = "The seller's invoice shows a different unit cost than the catalogue value."


@dataclass
class Rules:
    """What every case of a run shares: the policies and calendars, who does what, the payout
    batches, and the totals the run writes once at the end (units paid per source)."""

    now: datetime
    lead: int
    finance: int
    usernames: dict[int, str]
    reimbursement_policies: dict[str, ReimbursementPolicy]
    batch_for: object  # (currency, ready at) -> (PayoutBatch, created at, paid at) | None
    evidence: bool  # write the seller's evidence files (the demo) or not (the benchmark)
    signatures: dict[int, str] = field(default_factory=dict)  # as World.signatures
    sources: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # [cap, paid]
    _policies: dict[tuple, SlaPolicy] = field(default_factory=dict)
    _calendars: dict[int, Calendar] = field(default_factory=dict)

    def signature(self, user_id: int) -> str:
        """How this staff member signs what they send to a seller."""
        return self.signatures.get(user_id) or self.usernames.get(user_id, "")

    def policy(self, queue_id: int, priority: int) -> SlaPolicy:
        key = (queue_id, priority)
        if key not in self._policies:
            self._policies[key] = sla.policy_for(
                SimpleNamespace(queue_id=queue_id, priority=priority)
            )
        return self._policies[key]

    def calendar(self, policy: SlaPolicy) -> Calendar:
        if policy.calendar_id not in self._calendars:
            self._calendars[policy.calendar_id] = policy.calendar.as_calendar()
        return self._calendars[policy.calendar_id]


@dataclass
class HistorySeller:
    """A seller whose cases the run files: its spec (catalog, centres, carriers, words) and who
    acts for it (None: the seller's own system, e.g. in the benchmark)."""

    spec: SellerSpec
    pk: int
    filer: int
    actor: int | None
    weight: float = 1.0


@dataclass
class Plan:
    """Which case to file, decided by history.py's schedule."""

    n: int
    reference: str
    key: str
    seller: HistorySeller
    claim_type: str
    final: str  # the decision the case is heading for: approve, partial or deny
    filed_at: datetime
    queue_id: int
    queue_slug: str
    sku: SkuSpec
    fields: dict
    records: dict[str, list[dict]]
    pool: tuple[int, ...]  # the specialists who work the seller's language
    velocity: dict  # the seller_velocity check's figures when the case was filed
    rng: random.Random


class Stop(Exception):
    """The next step would happen after now: the case stays where it is."""


class Case:
    """One case being played: its clock and its rows, built in time order. The team's clocks
    (`_sweep`, `_policy`) come from clocks.Clocks, mixed in with the rest by life.Life."""

    timers: dict[str, SlaTimer]

    def __init__(self, rules: Rules, plan: Plan):
        self.rules, self.plan, self.rng = rules, plan, plan.rng
        self.events: list[CaseEvent] = []
        self.messages: list[Message] = []
        self.decisions: list[Decision] = []
        self.escalations: list[Escalation] = []
        self.payouts: list[Reimbursement] = []
        self.reversals: list[Reversal] = []
        self.evidence: list[tuple[str, bytes, str]] = []  # (name, content, kind)
        self.results: list[CheckResult] = []
        self.found: list[dict] = []  # ledger rows of units found after they were paid
        self.timers: dict[str, SlaTimer] = {}
        self.run: CheckRun | None = None
        self.clock = plan.filed_at
        self.money_waits_until = plan.filed_at
        self.unit: Money | None = None
        self.rate = Decimal("1")
        self.dispute = self._dispute()

    # --- the clock ------------------------------------------------------------------------------

    def at(self, moment: datetime) -> None:
        """Move the case's clock on to `moment`, with the sweep's work on the way."""
        if moment > self.rules.now:
            self._sweep(self.rules.now)
            raise Stop
        moment = max(moment, self.clock)
        self._sweep(moment)
        self.clock = moment

    def later(self, moment: datetime, hours: float) -> datetime:
        """`hours` of the team's working time after `moment` (staff work in business hours)."""
        policy = self.timers[Timer.FIRST_RESPONSE].policy if self.timers else self._policy()
        return add_business_time(self.rules.calendar(policy), moment, hours * 3600)

    def tick(self, moment: datetime, most: float = 30) -> datetime:
        """When a periodic task running every `most` seconds next sees `moment`."""
        return moment + timedelta(seconds=self.rng.uniform(0.5, most))

    # --- rows -----------------------------------------------------------------------------------

    def _dispute(self) -> Dispute:
        plan = self.plan
        spec = plan.seller.spec
        channel = Channel.API if plan.rng.random() < 0.2 else Channel.PORTAL
        return Dispute(
            reference=plan.reference,
            seller_id=plan.seller.pk,
            claim_type=plan.claim_type,
            currency=spec.currency,
            language=spec.language,
            channel=channel,
            created_by_id=plan.seller.filer,
            submission_key=plan.key,
            status=Status.SUBMITTED,
            priority=Priority.NORMAL,
            created_at=plan.filed_at,
            updated_at=plan.filed_at,
            last_activity_at=plan.filed_at,
            **{k: v for k, v in plan.fields.items() if k != "currency"},
        )

    def event(self, kind: str, *, actor: int | None, data: dict | None = None, **moves) -> None:
        self.events.append(
            CaseEvent(
                dispute=self.dispute,
                actor_id=actor,
                kind=kind,
                data=data or {},
                created_at=self.clock,
                **moves,
            )
        )

    def _changed(self, **fields) -> None:
        """A compare-and-set on the case: the fields, a new version, the activity time."""
        d = self.dispute
        for name, value in fields.items():
            setattr(d, name, value)
        d.version += 1
        d.updated_at = d.last_activity_at = self.clock

    def move(self, to: Status, kind: str, *, actor: int | None, data=None, **fields) -> None:
        """disputes.case.move_status: only the moves the transition table allows."""
        current = Status(self.dispute.status)
        if to not in ALLOWED[current]:
            raise ValueError(f"{self.dispute.reference}: {current} → {to} is not allowed")
        self._changed(status=to, **fields)
        self.event(kind, actor=actor, data=data, from_status=current, to_status=to)

    def touch(self, kind: str, *, actor: int | None, data=None, **fields) -> None:
        self._changed(**fields)
        self.event(kind, actor=actor, data=data)

    def message(self, body: str, *, by: int | None, side: str, internal=False) -> Message:
        message = Message(
            dispute=self.dispute,
            author_id=by,
            side=side,
            body=body,
            visibility=Message.Visibility.INTERNAL if internal else Message.Visibility.PUBLIC,
            created_at=self.clock,
        )
        self.messages.append(message)
        return message

    @property
    def texts(self) -> dict:
        return TEXTS[self.plan.seller.spec.language]

    def signed_text(self, name: str, *, by: int) -> str:
        """One of the seller's-language texts a specialist sends, signed by that specialist."""
        return signed(self.texts[name], by=self.rules.signature(by))
