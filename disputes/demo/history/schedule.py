"""Who files what and when over the history's days, and each filing made a claim (fields,
records, number, the case it is heading for) by the demo plan's own claim builder."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from disputes.claim_types import CLAIM_TYPES
from disputes.demo.data import SkuSpec
from disputes.demo.history.base import HistorySeller, Plan
from disputes.demo.plan import claim_of
from disputes.models import ReferenceSequence
from disputes.selectors.cases import hash_submission_key
from disputes.services.decision import PAID_IN_MONEY

# How often sellers file each kind of claim (weights).
CLAIM_MIX = {
    "warehouse_lost": 16,
    "warehouse_damaged": 12,
    "inbound_shortage": 9,
    "return_not_received": 9,
    "return_damaged": 9,
    "return_wrong_item": 5,
    "carrier_damaged": 9,
    "removal_lost": 5,
    "fee_overcharge": 7,
    "reimbursement_amount": 4,
    "payment_issue": 3,
    "order_defect_appeal": 6,
    "buyer_claim": 6,
}
# Claims about units that passed through a fulfilment centre name it.
AT_A_CENTRE = {
    "warehouse_lost",
    "warehouse_damaged",
    "inbound_shortage",
    "removal_lost",
    "return_not_received",
    "return_damaged",
    "return_wrong_item",
}


@dataclass(frozen=True)
class Spike:
    """One fulfilment centre files several times its usual count in the last hours."""

    fulfillment_center: str
    hours: int = 30
    times: float = 6.0


@dataclass
class World:
    """Who files and who works the cases of a history, and how many a day."""

    key: str  # names the run: its submission keys and payout batch references
    sellers: list[HistorySeller]
    specialists: dict[str, tuple[int, ...]]  # language → the specialists who work it
    usernames: dict[int, str]
    lead: int
    finance: int
    # How each specialist signs to sellers (selectors.signature_of); their username if absent.
    signatures: dict[int, str] = field(default_factory=dict)
    days: int = 90
    per_day: tuple[int, int] = (15, 40)
    weekend: float = 0.4  # a weekend day's share of a weekday's filings
    spike: Spike | None = None
    evidence: bool = True
    seed: int = 14
    first_n: int = 1000  # numbers the claims' own ids (orders, tracking) apart from others'


# --- who files what, when -----------------------------------------------------------------------


@dataclass(frozen=True)
class Filing:
    at: datetime
    seller: HistorySeller
    claim_type: str
    fulfillment_center: str


def _moment(day: date, rng: random.Random) -> datetime:
    """A filing time on `day`: most in the working day, a few at night (UTC)."""
    seconds = int((rng.gauss(13.5, 4.5) % 24) * 3600)
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(seconds=seconds)


def _claim_type(rng: random.Random) -> str:
    return rng.choices(list(CLAIM_MIX), weights=list(CLAIM_MIX.values()))[0]


def schedule(world: World, now: datetime, rng: random.Random) -> list[Filing]:
    """Every filing of the history, oldest first: a number a day (fewer at weekends), spread
    over the sellers by weight, plus the spike's extra filings at the end."""
    filings = []
    weights = [s.weight for s in world.sellers]
    first = now.date() - timedelta(days=world.days)
    for offset in range(world.days + 1):
        day = first + timedelta(days=offset)
        count = rng.randint(*world.per_day)
        if day.weekday() >= 5:
            count = round(count * world.weekend)
        for _ in range(count):
            at = _moment(day, rng)
            if at > now - timedelta(minutes=10):
                continue
            seller = rng.choices(world.sellers, weights=weights)[0]
            claim_type = _claim_type(rng)
            centre = rng.choice(seller.spec.fcs) if claim_type in AT_A_CENTRE else ""
            filings.append(Filing(at, seller, claim_type, centre))
    if world.spike is not None:
        filings += _spike(world.spike, filings, world, now, rng)
    return sorted(filings, key=lambda f: f.at)


def _spike(spike: Spike, filings, world: World, now: datetime, rng) -> list[Filing]:
    """Enough filings at the centre in its last hours for `times` its usual daily count."""
    seller = next(s for s in world.sellers if spike.fulfillment_center in s.spec.fcs)
    start = now - timedelta(hours=spike.hours)
    usual = [f for f in filings if f.fulfillment_center == spike.fulfillment_center]
    before = [f for f in usual if f.at < start]
    per_day = len(before) / max(world.days - spike.hours / 24, 1)
    wanted = max(10, round(spike.times * per_day * spike.hours / 24))
    extra = wanted - (len(usual) - len(before))
    span = (now - timedelta(minutes=15) - start).total_seconds()
    # The centre's usual mix of claims, so that the spike is the centre's, not a claim type's.
    types = sorted(AT_A_CENTRE)
    weights = [CLAIM_MIX[t] for t in types]
    return [
        Filing(
            start + timedelta(seconds=rng.uniform(0, span)),
            seller,
            rng.choices(types, weights=weights)[0],
            spike.fulfillment_center,
        )
        for _ in range(max(extra, 0))
    ]


def _final(claim_type: str, rng: random.Random) -> str:
    """Where the case is heading: most claims are confirmed, about a third are not."""
    draw = rng.random()
    if draw < 0.56:
        return "approve"
    if claim_type in PAID_IN_MONEY and claim_type != "return_not_received" and draw < 0.70:
        return "partial"
    return "deny"


class References:
    """DSP-YYYY-NNNNNN numbers after those handed out already, in filing order."""

    def __init__(self):
        self.last = dict(ReferenceSequence.objects.values_list("year", "last_value"))

    def next(self, year: int) -> str:
        self.last[year] = self.last.get(year, 0) + 1
        return f"DSP-{year}-{self.last[year]:06d}"

    def save(self) -> None:
        for year, value in self.last.items():
            ReferenceSequence.objects.update_or_create(year=year, defaults={"last_value": value})


def planned(world, filings, policies, queues, references, today) -> Iterator[Plan]:
    """Each filing as a claim: its fields and records, its number, the case it is heading for."""
    rng = random.Random(world.seed + 1)
    times: dict[int, list[datetime]] = defaultdict(list)
    for filing in filings:
        times[filing.seller.pk].append(filing.at)
    finals: dict[int, Counter] = defaultdict(Counter)
    start = filings[0].at if filings else None
    for index, filing in enumerate(filings):
        seller, spec = filing.seller, filing.seller.spec
        policy = policies[filing.claim_type]
        n = world.first_n + index
        final = _final(filing.claim_type, rng)
        # An event inside the filing window, and past the wait of a claim that has one.
        earliest = policy.opens_after_days + 1
        latest = max(earliest, min(policy.filing_window_days - 1, earliest + 40))
        day = filing.at.date() - timedelta(days=max(3, rng.randint(earliest, latest)))
        skus = spec.skus[:-1] if len(spec.skus) > 1 else spec.skus
        sku: SkuSpec = spec.skus[-1] if rng.random() < 0.04 else rng.choice(skus)
        claim = claim_of(
            spec,
            filing.claim_type,
            ref=f"{spec.seller_id}-H{n:05d}",
            n=n,
            variant=n,
            sku=sku,
            quantity=rng.randint(1, 5),
            day=day,
            fc=filing.fulfillment_center or spec.fcs[0],
            carrier=rng.choice(spec.carriers),
            final=final,
            today=today,
        )
        if filing.fulfillment_center:
            claim["fields"]["fulfillment_center"] = filing.fulfillment_center
        mine = times[seller.pk]
        rate = len(mine) / max(world.days, 1)
        recent = bisect_left(mine, filing.at) - bisect_left(mine, filing.at - timedelta(days=30))
        before_history = max(0.0, 30 - (filing.at - start).total_seconds() / 86400)
        decided = finals[seller.pk]
        spec_type = CLAIM_TYPES[filing.claim_type]
        yield Plan(
            n=n,
            reference=references.next(filing.at.year),
            key=hash_submission_key(f"{world.key}-{index:05d}"),
            seller=seller,
            claim_type=filing.claim_type,
            final=final,
            filed_at=filing.at,
            queue_id=queues[spec_type.default_queue],
            queue_slug=spec_type.default_queue,
            sku=sku,
            fields=claim["fields"],
            records=claim["records"],
            pool=world.specialists[spec.language],
            velocity={
                "recent": recent + round(before_history * rate),
                "baseline": round(rate * 30, 1),
                "denied": round(100 * decided["deny"] / sum(decided.values())) if decided else 0,
            },
            rng=random.Random(f"{world.seed}-{n}"),
        )
        decided[final] += 1
