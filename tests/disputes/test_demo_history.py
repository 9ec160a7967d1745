"""`seed_demo`'s 90 days of history: every dashboard has something to show (breaches, appeals,
overturns, payouts, one fulfilment centre's spike), and the rows read as the services write them.

The demo is seeded once for the module (about 2,000 cases) inside a transaction rolled back at
the end; each test runs in a savepoint of it."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from disputes.models import CaseEvent, Decision, Dispute, SlaTimer
from disputes.services.periodic import close_lapsed_disputes
from disputes.sla.sweep import remind_sellers, sweep_sla
from disputes.status import ACTIVE, ALLOWED, Status
from quality.alerts import detect_trends
from quality.models import DailyRollup, QAReview, TrendAlert
from quality.rollups import roll_up
from quality.selectors import (
    DashboardFilters,
    defects_dashboard,
    money_dashboard,
    productivity_dashboard,
    service_dashboard,
)
from quality.selectors.qa_dashboard import quality_dashboard
from reimbursements.models import PayoutBatch, PayoutSource, Reimbursement, Reversal

pytestmark = pytest.mark.django_db
SPIKE = "ONT8"


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@dataclass(frozen=True)
class Seeded:
    output: str
    at: datetime  # the seed's clock, held still while it ran


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Seeded:
    """The whole demo with its history, seeded once and rolled back after the module."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    # Half past the hour: the trend window ends on the hour, so the minute the suite happens to
    # run at must not decide how much of the spike falls inside it.
    at = timezone.now().replace(minute=30, second=0, microsecond=0)
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=hashers, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        with time_machine.travel(at, tick=False):
            output = seed()
        yield Seeded(output, at)
        transaction.set_rollback(True)


def history(seeded: Seeded):
    """The history's cases: filed with a form key, before today's demo cases."""
    return Dispute.objects.exclude(submission_key="").filter(created_at__lt=seeded.at)


def last_90_days(seeded: Seeded) -> DashboardFilters:
    today = timezone.localdate(seeded.at)
    return DashboardFilters(day_from=today - timedelta(days=89), day_to=today)


def test_the_seed_says_how_much_history_it_wrote(seeded):
    assert "90 days of history" in seeded.output
    assert 1500 <= history(seeded).count() <= 3500


def test_every_dashboard_shows_ninety_days(seeded):
    filters = last_90_days(seeded)
    filed_days = DailyRollup.objects.filter(filed__gt=0).values("day").distinct().count()
    assert filed_days >= 85

    service = service_dashboard(filters)
    assert {row["status"] for row in service.backlog} >= {Status.OPEN, Status.IN_REVIEW}
    assert service.awaiting_total > 0
    days_measured = [row for row in service.compliance_by_day if row["first_response_met"]]
    assert len(days_measured) >= 60
    assert sum(row["first_response_breached"] for row in service.compliance_by_day) > 0
    assert sum(row["resolution_breached"] for row in service.compliance_by_day) > 0

    productivity = productivity_dashboard(filters)
    assert len(productivity.specialists) >= 3
    totals = productivity.totals
    assert totals["decided"] > 1000
    assert totals["handle_hours"] and totals["first_contact_rate"] and totals["appeal_rate"]
    assert 10 < totals["overturn_rate"] < 90

    money = money_dashboard(filters)
    paid = {row["currency"]: row["paid_amount"] for row in money.by_marketplace}
    assert set(paid) == {"USD", "CNY", "JPY"} and all(paid.values())
    assert sum(row["reversals_completed"] for row in money.by_claim_type) > 0
    assert money.overrides

    defects = defects_dashboard(filters)
    assert len(defects.by_fulfillment_center) == 9
    assert len(defects.by_root_cause) >= 5
    assert defects.by_carrier
    assert len(defects.top_sellers_by_disputes) == 3
    assert len(defects.top_sellers_by_invalid) == 3

    quality = quality_dashboard(filters)
    assert quality.reviews > 100 and quality.critical_failures > 0
    assert len([week for week in quality.weeks if week.reviews]) >= 11
    assert {m.currency for m in quality.money} == {"USD", "CNY", "JPY"}
    assert all(m.money_error_gross for m in quality.money)


def test_the_nights_sampled_the_history_for_qa_and_the_last_days_wait_in_the_inbox(seeded):
    reasons = set(QAReview.objects.values_list("reason", flat=True))
    assert {"random", "override", "outcome_moved", "high_amount"} <= reasons
    assert not QAReview.objects.filter(reviewer=F("specialist")).exists()
    qa = get_user_model().objects.get(username="qa")
    assert QAReview.objects.filter(status="due", reviewer=qa).exists()
    first_scored = QAReview.objects.filter(submitted_at__isnull=False).earliest("submitted_at")
    assert timezone.now() - first_scored.submitted_at > timedelta(days=80)
    # Each review's history reads in the order it happened, at the moments it happened.
    for review in QAReview.objects.filter(submitted_at__isnull=False)[:50]:
        times = [event.created_at for event in review.events.order_by("id")]
        assert times == sorted(times) and times[0] == review.sampled_at
        assert times[-1] == review.submitted_at


def test_the_history_has_breaches_appeals_overturns_and_paid_payouts(seeded):
    breached = SlaTimer.objects.filter(breached_at__isnull=False)
    assert breached.filter(kind="first_response").count() > 50
    assert breached.filter(kind="resolution").exists()
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SLA_BREACHED).count() >= breached.count()
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.APPEALED).count() > 100
    outcomes = defaultdict(dict)
    for dispute_id, on_appeal, outcome in Decision.objects.values_list(
        "dispute_id", "on_appeal", "outcome"
    ):
        outcomes[dispute_id][on_appeal] = outcome
    overturned = [o for o in outcomes.values() if True in o and o[True] != o[False]]
    assert len(overturned) > 20
    assert PayoutBatch.objects.filter(status="paid").count() > 20
    assert Reimbursement.objects.filter(status="paid").count() > 500
    assert Reimbursement.objects.filter(status="approved", batch__isnull=True).exists()
    assert Reversal.objects.filter(status="completed").exists()


def test_cases_near_today_are_still_being_worked(seeded):
    recent = history(seeded).filter(created_at__gte=seeded.at - timedelta(days=3))
    statuses = Counter(recent.values_list("status", flat=True))
    assert statuses[Status.IN_REVIEW] and statuses[Status.OPEN]
    assert history(seeded).filter(status=Status.AWAITING_SELLER).exists()
    assert history(seeded).filter(status=Status.DECIDED).count() > 100  # in the appeal window


def test_one_fulfilment_centre_files_several_times_its_usual_count(seeded):
    now = seeded.at
    day = now - timedelta(days=1)

    def ratio(centre: str) -> float:
        filed = Dispute.objects.filter(fulfillment_center=centre)
        last_day = filed.filter(created_at__gte=day).count()
        usual = filed.filter(created_at__lt=now - timedelta(days=2)).count() / 88
        return last_day / usual

    centres = Dispute.objects.exclude(fulfillment_center="").values_list(
        "fulfillment_center", flat=True
    )
    ratios = {centre: ratio(centre) for centre in centres.order_by().distinct()}
    assert ratios[SPIKE] >= 4
    assert max(ratios, key=ratios.get) == SPIKE


def test_the_seed_raises_the_spikes_trend_alert_for_that_centre_alone(seeded):
    raised = set(TrendAlert.objects.values_list("dimension", "key"))
    assert ("fulfillment_center", SPIKE) in raised
    assert not {key for dimension, key in raised if dimension == "fulfillment_center"} - {SPIKE}
    # The hourly task, run again on the same data, finds the spike already alerted.
    assert detect_trends(now=seeded.at).raised == []


def test_history_timelines_read_as_the_services_write_them(seeded):
    now = seeded.at
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("created_at", "id").values(
        "dispute_id", "kind", "from_status", "to_status", "created_at"
    ):
        events[event["dispute_id"]].append(event)
    decisions = Counter(Decision.objects.values_list("dispute_id", flat=True))
    for dispute in history(seeded):
        timeline = events[dispute.pk]
        assert timeline[0]["kind"] == CaseEvent.Kind.SUBMITTED, dispute.reference
        assert timeline[-1]["created_at"] <= now
        status = Status.SUBMITTED
        for event in timeline[1:]:
            if event["to_status"]:
                assert event["from_status"] == status, dispute.reference
                assert Status(event["to_status"]) in ALLOWED[status], dispute.reference
                status = Status(event["to_status"])
        assert status == dispute.status, dispute.reference
        decided = sum(1 for e in timeline if e["kind"] == CaseEvent.Kind.DECIDED)
        assert decided == decisions[dispute.pk], dispute.reference
        if dispute.status not in (Status.SUBMITTED, Status.WITHDRAWN):
            assert dispute.latest_check_run_id is not None
    assert not Reimbursement.objects.filter(status="paid", batch__isnull=True).exists()
    for source in PayoutSource.objects.all():
        assert 0 <= source.units_paid <= source.units_cap, source.key
    for batch in PayoutBatch.objects.all():
        assert batch.item_count == batch.reimbursements.count()
    running = SlaTimer.objects.filter(next_check_at__isnull=False)
    assert not running.exclude(dispute__status__in=ACTIVE).exists()


def test_the_history_is_up_to_date_with_its_own_clocks(seeded):
    """What the periodic tasks would have done by the time of the seed, the history did (all
    but their last few minutes: the sweep runs every 30 s, reminders and closing every 5)."""
    at = seeded.at
    assert sweep_sla(now=at - timedelta(seconds=30)) == {"warned": 0, "breached": 0}
    assert remind_sellers(now=at - timedelta(minutes=5)) == 0
    assert close_lapsed_disputes(now=at - timedelta(minutes=5)) == 0
    assert roll_up(now=at + timedelta(hours=1)).cases == 0


def test_a_second_seed_adds_nothing(seeded):
    before = (Dispute.objects.count(), CaseEvent.objects.count(), DailyRollup.objects.count())
    with override_settings(DEBUG=True):
        output = seed()
    assert "0 disputes created this run" in output
    assert (Dispute.objects.count(), CaseEvent.objects.count(), DailyRollup.objects.count()) == (
        before
    )
