"""The weekly report: its figures against a direct computation over the cases, the change
against the week before, an empty week, the page (who may open it, the week picker, the CSV),
and the Monday e-mail: to team leads only, once per week, in each lead's language."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import translation

from disputes.claim_types import ClaimTypeCode
from disputes.models import Decision, Dispute, StaffProfile
from disputes.status import Outcome
from quality.models import WeeklyReportDelivery
from quality.report_mail import send_weekly_report
from quality.reports import Change, Week, weekly_report
from quality.rollups import roll_up
from quality.tasks import send_weekly_report_task
from reimbursements import services as money_services
from reimbursements.models import Reimbursement
from tests.factories import DisputeFactory, SkuFactory, StaffFactory, in_status
from tests.quality.scenario import Story, at, direct_figures
from tests.quality.test_rollups import a_week_of_cases

pytestmark = pytest.mark.django_db

W45 = Week(2026, 45)  # Monday 2 November 2026: a_week_of_cases
W44 = Week(2026, 44)


@pytest.fixture
def story(seller_a, seller_a_user, time_machine):
    return Story(seller=seller_a, seller_user=seller_a_user, time_machine=time_machine)


@pytest.fixture
def finance(db):
    return StaffFactory(username="finance", role="Finance")


def pay_everything_approved(story, when: str, finance) -> None:
    story.clock.move_to(at(when), tick=False)
    batch, _made = money_services.create_payout_batch(by=finance, currency="USD")
    money_services.mark_batch_paid(batch=batch, by=finance, payment_reference=f"BANK-{when}")


def two_weeks(story, specialist, specialist2, finance) -> None:
    """Two cases the week before (one approved and paid, one denied), then a_week_of_cases and
    a payout of what it approved (once: its two partial approvals are of the same two units)."""
    SkuFactory(seller=story.seller, sku="MUG-2", reference_value=Decimal("12.50"))
    paid = story.file("2026-10-27T09:00", sku="MUG-2")
    story.assign(paid, "2026-10-27T10:00", specialist)
    story.decide(paid, "2026-10-27T11:00", specialist, outcome="approved")
    denied = story.file("2026-10-27T09:30")
    story.assign(denied, "2026-10-27T10:00", specialist2)
    story.decide(denied, "2026-10-27T12:00", specialist2)
    pay_everything_approved(story, "2026-10-28T09:00", finance)
    a_week_of_cases(story, specialist, specialist2)
    pay_everything_approved(story, "2026-11-05T09:00", finance)
    roll_up(now=at("2026-11-09T00:00"))
    story.clock.move_to(at("2026-11-09T07:00"), tick=False)


def direct_week(week: Week) -> dict:
    """The week's sums and rates straight from the case rows (scenario.direct_figures)."""
    sums: Counter = Counter()
    for (figure, day, _specialist), n in direct_figures().items():
        if week.monday <= day <= week.sunday:
            sums[figure] += n
    first = sums["decided"] - sums["appeal_decided"]

    def pct(part, whole):
        return round(100 * part / whole, 1) if whole else None

    return defaultdict(int, sums) | {
        "first_contact_rate": pct(sums["first_contact"], first),
        "appeal_rate": pct(sums["appealed"], first),
        "overturn_rate": pct(sums["overturned"], sums["appeal_decided"]),
        "first_response_compliance": pct(
            sums["first_response_met"],
            sums["first_response_met"] + sums["first_response_breached"],
        ),
        "resolution_compliance": pct(
            sums["resolution_met"], sums["resolution_met"] + sums["resolution_breached"]
        ),
        "paid": Reimbursement.objects.filter(
            paid_at__date__gte=week.monday, paid_at__date__lte=week.sunday
        ).aggregate(total=Sum("amount"))["total"]
        or Decimal(0),
    }


def lead_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- weeks ---------------------------------------------------------------------------------------


def test_a_week_runs_monday_to_sunday_and_defaults_to_the_last_complete_one():
    assert (W45.monday, W45.sunday, W45.label) == (date(2026, 11, 2), date(2026, 11, 8), "2026-W45")
    assert Week.parse("2026-W45") == W45 and W45.previous() == W44
    assert Week.parse("2027-W01").previous() == Week(2026, 53)  # 2026 has 53 ISO weeks
    assert Week.last_complete(date(2026, 11, 9)) == W45  # Monday: last week is complete
    assert Week.last_complete(date(2026, 11, 8)) == W44  # Sunday: this week is not
    for bad in ("2026-47", "2025-W53", "W45", ""):
        with pytest.raises(ValueError):
            Week.parse(bad)


# --- figures -------------------------------------------------------------------------------------

COUNTS = ["filed", "decided", "approved", "partially_approved", "denied"]
RATES = [
    "first_contact_rate",
    "appeal_rate",
    "overturn_rate",
    "first_response_compliance",
    "resolution_compliance",
]


def test_the_report_equals_a_direct_computation_over_the_cases(
    story, specialist, specialist2, finance
):
    two_weeks(story, specialist, specialist2, finance)
    report = weekly_report(W45)
    now, before = direct_week(W45), direct_week(W44)
    for key in COUNTS + RATES:
        change = report.by_key[key].change
        assert (change.current, change.previous) == (now[key], before[key]), key
    # The scenario spelled out: four filed against two, one overturned, one first response missed.
    assert (now["filed"], before["filed"], now["overturned"]) == (4, 2, 1)
    assert now["first_response_breached"] == 1
    # Handle time in business hours (08:00–20:00 UTC): 1 + 16 + 4 + 2 hours over four decisions;
    # the week before 1 and 2 hours.
    handle = report.by_key["handle_hours"].change
    assert (handle.current, handle.previous) == (5.8, 1.5)
    (usd,) = report.money
    assert usd["currency"] == "USD"
    assert (usd["paid"].current, usd["paid"].previous) == (now["paid"], before["paid"])
    assert (before["paid"], now["paid"]) == (Decimal("50.00"), Decimal("25.00"))
    assert (usd["payouts"].current, usd["payouts"].previous) == (1, 1)


def test_the_top_lists_and_the_backlog_are_this_weeks(story, specialist, specialist2, finance):
    two_weeks(story, specialist, specialist2, finance)
    report = weekly_report(W45)
    (claim_type,) = report.top_claim_types
    assert (claim_type["code"], claim_type["change"].current) == ("warehouse_damaged", 4)
    assert claim_type["change"].previous == 2
    # Confirmed root causes: what the approvals (in full or in part) of the week named.
    confirmed = Counter(
        Decision.objects.filter(
            decided_at__date__gte=W45.monday,
            decided_at__date__lte=W45.sunday,
            outcome__in=["approved", "partially_approved"],
        )
        .exclude(root_cause="")
        .values_list("root_cause", flat=True)
    )
    assert {row["code"]: row["change"].current for row in report.top_root_causes} == confirmed
    assert report.backlog_total == Dispute.objects.filter(status="open").count() == 1
    assert [row["count"] for row in report.backlog] == [1]


def test_each_figure_says_how_it_changed_against_the_week_before(
    story, specialist, specialist2, finance, lead
):
    two_weeks(story, specialist, specialist2, finance)
    report = weekly_report(W45)
    filed = report.by_key["filed"].change
    assert (filed.delta, filed.percent, filed.direction, filed.arrow) == (2, 100.0, "up", "▲")
    denied = report.by_key["denied"].change  # one the week before; two this week
    assert (denied.delta, denied.percent, denied.direction) == (1, 100.0, "up")
    (usd,) = report.money  # 25.00 paid against 50.00
    assert (usd["paid"].delta, usd["paid"].percent, usd["paid"].arrow) == (-25, -50.0, "▼")
    handle = report.by_key["handle_hours"].change  # slower: bad news
    assert (handle.delta, handle.direction, handle.tone) == (4.3, "up", "bad")
    # A rate changes in points, not in a percentage of a percentage.
    first_response = report.by_key["first_response_compliance"].change
    assert first_response.rate and first_response.percent is None

    page = lead_client(lead).get(reverse("quality:weekly"), {"week": "2026-W45"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "▲ +2 (+100.0%)" in html and "▲ +4.3 h (+286.7%)" in html
    assert 'data-week="2026-W45"' in html and "2026-W44" in html


def test_change_handles_nothing_to_compare_with():
    assert Change(3, 0).percent is None and Change(3, 0).direction == "up"
    assert (Change(2, 2).direction, Change(2, 2).arrow, Change(2, 2).percent) == ("same", "=", 0.0)
    assert Change(None, 50.0, rate=True).delta is None
    assert Change(None, 50.0, rate=True).direction == ""
    assert Change(40.0, 50.0, rate=True, better="up").tone == "bad"
    assert Change(Decimal("10.00"), Decimal("8.00")).delta == Decimal("2.00")


def test_an_empty_week_has_zeros_no_rates_and_says_so(lead):
    report = weekly_report(W45)
    assert report.is_empty
    assert all(report.by_key[key].change.current == 0 for key in COUNTS)
    assert all(report.by_key[key].change.current is None for key in RATES)
    assert report.by_key["handle_hours"].change.delta is None
    assert (report.money, report.top_claim_types, report.backlog) == ([], [], [])
    page = lead_client(lead).get(reverse("quality:weekly"), {"week": "2026-W45"})
    assert page.status_code == 200
    assert "No dispute was filed or decided in these two weeks." in page.content.decode()
    assert b"data-chart" not in page.content


def test_filters_narrow_the_report_and_are_printed_with_it(
    story, specialist, specialist2, finance, lead
):
    two_weeks(story, specialist, specialist2, finance)
    assert weekly_report(W45).by_key["filed"].change.current == 4
    page = lead_client(lead).get(
        reverse("quality:weekly"), {"week": "2026-W45", "claim_type": "carrier_damaged"}
    )
    report = page.context["report"]
    assert report.by_key["filed"].change.current == 0 and report.is_empty
    label = str(dict(ClaimTypeCode.choices)["carrier_damaged"])
    assert page.context["scope"] == [("Claim type", label)]
    assert label in page.content.decode()


# --- the page ------------------------------------------------------------------------------------


def test_team_leads_and_qa_open_the_weekly_report_and_a_specialist_cannot(lead, qa, specialist):
    assert lead_client(lead).get(reverse("quality:weekly")).status_code == 200
    assert lead_client(qa).get(reverse("quality:weekly")).status_code == 200
    assert lead_client(specialist).get(reverse("quality:weekly")).status_code == 403


def test_the_page_shows_the_last_complete_week_unless_one_is_chosen(lead, time_machine):
    time_machine.move_to(at("2026-11-11T12:00"), tick=False)  # a Wednesday of W46
    client = lead_client(lead)
    assert client.get(reverse("quality:weekly")).context["report"].week == W45
    assert client.get(reverse("quality:weekly"), {"week": "2026-W40"}).context[
        "report"
    ].week == Week(2026, 40)
    for bad, message in (
        ("nonsense", "Choose a week such as 2026-W45."),
        ("2026-W48", "That week has not begun yet."),
    ):
        page = client.get(reverse("quality:weekly"), {"week": bad})
        assert page.status_code == 200 and page.context["report"].week == W45
        assert message in page.content.decode()


def test_the_weekly_report_downloads_as_csv(story, specialist, specialist2, finance, lead):
    two_weeks(story, specialist, specialist2, finance)
    response = lead_client(lead).get(
        reverse("quality:weekly"), {"week": "2026-W45", "export": "figures"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Figure", "2026-W45", "2026-W44", "Week on week", "Week on week %"]
    assert rows[1] == ["Disputes filed", "4", "2", "2", "100.0"]
    assert ["Paid (USD)", "25.00", "50.00", "-25.00", "-50.0"] in rows


def test_the_weekly_page_runs_the_same_queries_whatever_the_number_of_cases(
    lead, seller_a, django_assert_max_num_queries
):
    client = lead_client(lead)
    client.get(reverse("quality:weekly"))
    for _ in range(2):
        DisputeFactory(seller=seller_a)
        in_status("awaiting_seller", seller=seller_a)
    roll_up()
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("quality:weekly"))
    for _ in range(20):
        DisputeFactory(seller=seller_a)
        in_status("awaiting_seller", seller=seller_a)
    roll_up()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("quality:weekly"))


# --- the e-mail ----------------------------------------------------------------------------------


@pytest.fixture
def leads(lead, lead2):
    StaffProfile.objects.create(user=lead2, languages=["ja", "en"])
    return lead, lead2


def test_the_report_goes_to_every_active_team_lead_and_nobody_else(
    story, specialist, specialist2, finance, leads, qa, mailoutbox
):
    two_weeks(story, specialist, specialist2, finance)
    StaffFactory(username="gone", role="Team Lead", is_active=False)
    StaffFactory(username="nomail", role="Team Lead", email="")
    assert send_weekly_report(week=W45) == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(lead.email for lead in leads)
    mail = next(m for m in mailoutbox if m.to == [leads[0].email])
    assert mail.subject == "Weekly report 2026-W45: 4 filed, 4 decided"
    assert mail.extra_headers["Message-ID"] == f"<weekly-report-2026-W45.{leads[0].pk}@arbiter>"
    assert "- Disputes filed: 4 (2026-W44: 2) ▲ +2 (+100.0%)" in mail.body
    assert "- Paid · USD: 25.00 USD (2026-W44: 50.00 USD) ▼ -25.00 USD (-50.0%)" in mail.body
    (html, kind) = mail.alternatives[0]
    assert kind == "text/html" and "<table" in html and "▲ +2 (+100.0%)" in html
    # E-mail clients ignore style sheets: the template's classes became style attributes.
    assert 'style="' in html and 'class="' not in html


def test_the_report_is_sent_once_per_week(leads, mailoutbox, time_machine):
    time_machine.move_to(at("2026-11-09T07:00"), tick=False)
    assert send_weekly_report() == 2  # the last complete week: W45
    assert send_weekly_report(week=W45) == 0
    assert send_weekly_report_task.delay().get() == 0  # the beat's run, again: nothing
    assert len(mailoutbox) == 2
    assert send_weekly_report(week=Week(2026, 46)) == 2  # the next week is another report
    assert len(mailoutbox) == 4


def test_a_new_lead_gets_the_weeks_report_on_a_repeated_run(leads, mailoutbox):
    assert send_weekly_report(week=W45) == 2
    late = StaffFactory(username="late", role="Team Lead")
    assert send_weekly_report(week=W45) == 1
    assert mailoutbox[-1].to == [late.email]


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_report_that_did_not_leave_is_sent_by_the_retry(leads, mailoutbox, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        send_weekly_report(week=W45)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_weekly_report(week=W45) == 2
    assert len(mailoutbox) == 2


def test_a_send_whose_worker_died_is_tried_again_only_after_its_lease(
    leads, mailoutbox, time_machine, settings
):
    """A worker killed after the mail left but before it was marked sent leaves an attempt:
    no second copy until the lease has run out, then one with the same Message-ID."""
    settings.ARBITER = {**settings.ARBITER, "NOTIFICATION_LEASE_SECONDS": 600}
    time_machine.move_to(at("2026-11-09T07:00"), tick=False)
    for lead in leads:
        WeeklyReportDelivery.objects.create(
            week="2026-W45", user=lead, attempted_at=at("2026-11-09T07:00")
        )
    time_machine.move_to(at("2026-11-09T07:09"), tick=False)
    assert send_weekly_report(week=W45) == 0
    time_machine.move_to(at("2026-11-09T07:11"), tick=False)
    assert send_weekly_report(week=W45) == 2
    assert {m.extra_headers["Message-ID"] for m in mailoutbox} == {
        f"<weekly-report-2026-W45.{lead.pk}@arbiter>" for lead in leads
    }
    assert WeeklyReportDelivery.objects.filter(sent_at__isnull=False).count() == 2


def test_each_lead_reads_the_report_in_their_language(
    story, specialist, specialist2, finance, leads, mailoutbox
):
    two_weeks(story, specialist, specialist2, finance)
    send_weekly_report(week=W45)
    english = next(m for m in mailoutbox if m.to == [leads[0].email])
    japanese = next(m for m in mailoutbox if m.to == [leads[1].email])
    with translation.override("ja"):
        approved_ja = str(Outcome.APPROVED.label)
        paid_ja = translation.gettext("Paid")
    assert approved_ja != "Approved"
    assert f"- {approved_ja}: " in japanese.body and paid_ja in japanese.alternatives[0][0]
    assert 'lang="ja"' in japanese.alternatives[0][0]
    assert "- Approved: " in english.body and approved_ja not in english.body


def test_the_task_is_routed_to_analytics_and_beats_on_monday_at_seven_utc(leads, mailoutbox):
    assert settings.CELERY_TASK_ROUTES["quality.send_weekly_report"] == {"queue": "analytics"}
    (entry,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "quality.send_weekly_report"
    ]
    assert entry["schedule"] == crontab(minute=0, hour=7, day_of_week="mon")
    assert settings.CELERY_TIMEZONE == "UTC"
    assert send_weekly_report_task.delay("2026-W45").get() == 2
    assert {m.extra_headers["Message-ID"] for m in mailoutbox} == {
        f"<weekly-report-2026-W45.{lead.pk}@arbiter>" for lead in leads
    }


def test_no_team_lead_means_no_mail(mailoutbox):
    assert send_weekly_report(week=W45) == 0 and mailoutbox == []
