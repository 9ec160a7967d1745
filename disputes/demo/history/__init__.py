"""Months of cases behind the demo (and behind the benchmark's recent days): each case played by
`life.Life` from its filing to its end, then written in bulk with the times things happened.

Playing thousands of cases through the services under a moved clock would take minutes; the
rows are the same ones the services write (a decided case has its Decision and DECIDED event, a
payout its source key, PayoutSource and batch, every timer its policy), so the dashboards, the
rollups and the case pages read them as any other case. `add_history` marks its run by the
submission key of its first case: a second run finds it and adds nothing.

schedule: who files what and when · base, clocks, checks, payouts, life: one case played, step
by step (its clock and rows, the SLA timers and sweep, the intake report, the money, the story) ·
writer: the rows written in bulk, with their own times.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from disputes.demo.history.base import HistorySeller, Rules
from disputes.demo.history.life import Life
from disputes.demo.history.schedule import References, Spike, World, planned, schedule
from disputes.demo.history.writer import TIMESTAMPED, Batches, Writer, historical_times
from disputes.models import Dispute, Queue
from disputes.selectors.cases import hash_submission_key
from reimbursements.models import ReimbursementPolicy

__all__ = ["HistorySeller", "Result", "Spike", "World", "add_history", "has_history"]


CHUNK = 1000  # cases played and written at a time: memory stays flat at any size


@dataclass
class Result:
    """What a run added: cases, and rows per table."""

    cases: int = 0
    rows: Counter = field(default_factory=Counter)


def marker(world: World) -> str:
    """The stored submission key of the run's first case: its presence marks the run done."""
    return hash_submission_key(f"{world.key}-00000")


def has_history(world: World) -> bool:
    """Whether the world's history was written already."""
    return Dispute.objects.filter(submission_key=marker(world)).exists()


@transaction.atomic
def add_history(
    world: World, *, now: datetime | None = None, log: Callable[[str], None] | None = None
) -> Result:
    """Play and write the world's history, unless an earlier run did (then nothing)."""
    if has_history(world):
        return Result()
    now = now or timezone.now()
    rng = random.Random(world.seed)
    policies = {p.claim_type: p for p in ReimbursementPolicy.objects.filter(is_active=True)}
    queues = {q.slug: q.pk for q in Queue.objects.all()}
    batches = Batches(world, now)
    rules = Rules(
        now=now,
        lead=world.lead,
        finance=world.finance,
        usernames=world.usernames,
        signatures=world.signatures,
        reimbursement_policies=policies,
        batch_for=batches.slot,
        evidence=world.evidence,
    )
    filings = schedule(world, now, rng)
    references = References()
    writer = Writer(batches)
    result = Result()
    with historical_times(*TIMESTAMPED):
        plans = planned(world, filings, policies, queues, references, now.date())
        while chunk := [next(plans, None) for _ in range(CHUNK)]:
            lives = [Life(rules, plan).play() for plan in chunk if plan is not None]
            if not lives:
                break
            writer.write(lives)
            result.cases += len(lives)
            if log:
                log(f"  history: {result.cases:,} of {len(filings):,} cases")
    references.save()
    writer.finish(rules)
    result.rows = writer.rows
    return result
