"""Trend alerts: the Poisson test on synthetic series (a real spike alerts, noise at small counts
does not, a new key needs a real burst), the hourly detection through the database (once per
spike, however often it runs), a lead's acknowledgement, the page, the badge and the task."""

from __future__ import annotations

import math
import random
import re
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from core.errors import Conflict, InvalidInput, NotAllowed
from disputes.models import Dispute
from quality.alerts import acknowledge_alert, detect_trends, trend_window
from quality.models import DailyRollup, TrendAlert
from quality.rollups import rebuild_rollups
from quality.tasks import detect_trends_task
from quality.trends import Thresholds, assess, poisson_upper_tail
from tests.factories import DisputeFactory, UserFactory
from tests.quality.scenario import at

THRESHOLDS = Thresholds()  # the defaults, which are also the settings' values

# --- the test itself, no database ---------------------------------------------------------------


def poisson_draw(rng: random.Random, mean: float) -> int:
    """One Poisson(mean) count (Knuth's method: fine for the small means tested here)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def spikes_in(series: list[int], baseline_days: int = 28) -> list[int]:
    """The days of a daily series whose count is a spike over the days before it."""
    return [
        day
        for day in range(baseline_days, len(series))
        if assess(
            observed=series[day],
            baseline_filed=sum(series[day - baseline_days : day]),
            baseline_days=baseline_days,
            window_hours=24,
            thresholds=THRESHOLDS,
        ).spike
    ]


@pytest.mark.parametrize("mean", [0.3, 1.0, 2.0, 7.5, 40.0])
def test_the_upper_tail_is_the_poisson_distribution(mean):
    assert poisson_upper_tail(0, mean) == 1.0
    assert poisson_upper_tail(1, mean) == pytest.approx(1 - math.exp(-mean), rel=1e-12)
    previous = 1.0
    for k in range(80):
        tail, next_tail = poisson_upper_tail(k, mean), poisson_upper_tail(k + 1, mean)
        term = math.exp(-mean) * mean**k / math.factorial(k)  # P(X = k), computed directly
        # Relative where the tail is small; near 1, as close as doubles near 1 can be.
        assert tail - next_tail == pytest.approx(term, rel=1e-9, abs=1e-15 * tail)
        assert 0 <= tail <= previous
        previous = tail


def test_the_upper_tail_stays_exact_far_from_the_mean():
    # P(X ≥ 30 | 1) = e⁻¹ (1/30! + 1/31! + …), some 1.4e-33: no 1 − (almost 1) here.
    expected = math.exp(-1) * sum(1 / math.factorial(k) for k in range(30, 60))
    assert poisson_upper_tail(30, 1.0) == pytest.approx(expected, rel=1e-12)
    assert 0.0 <= poisson_upper_tail(5_000, 10.0) < 1e-300
    assert poisson_upper_tail(3, 0.0) == 0.0


def test_a_real_spike_in_a_noisy_series_alerts_on_its_day_only():
    rng = random.Random(14)
    series = [poisson_draw(rng, 2.0) for _ in range(60)]
    series[45] = 15
    assert spikes_in(series) == [45]


@pytest.mark.parametrize("mean", [0.5, 1.0, 2.0, 4.0])
def test_poisson_noise_at_small_counts_does_not_alert(mean):
    rng = random.Random(int(mean * 100))
    windows = 4000
    false_alarms = 0
    for _ in range(windows):
        baseline = sum(poisson_draw(rng, mean) for _ in range(28))
        result = assess(
            observed=poisson_draw(rng, mean),
            baseline_filed=baseline,
            baseline_days=28,
            window_hours=24,
            thresholds=THRESHOLDS,
        )
        false_alarms += result.spike
    # At most the test's own error rate (0.1 %), with room for chance in 4,000 windows.
    assert false_alarms <= windows * THRESHOLDS.p_value * 2


def test_twice_a_small_baseline_is_not_a_spike():
    # Two a day for 28 days, then four: p ≈ 0.14, and under the minimum count.
    result = assess(
        observed=4, baseline_filed=56, baseline_days=28, window_hours=24, thresholds=THRESHOLDS
    )
    assert result.expected == pytest.approx(2.0)
    assert result.p_value == pytest.approx(0.1429, abs=1e-4)
    assert not result.spike


@pytest.mark.parametrize(("observed", "spike"), [(2, False), (5, False), (6, True), (30, True)])
def test_a_key_without_history_needs_a_real_burst(observed, spike):
    result = assess(
        observed=observed,
        baseline_filed=0,
        baseline_days=28,
        window_hours=24,
        thresholds=THRESHOLDS,
    )
    assert result.expected == THRESHOLDS.floor_per_window
    assert result.spike is spike


def test_a_small_rise_at_a_busy_key_is_significant_but_not_a_spike():
    result = assess(
        observed=1_200,
        baseline_filed=28_000,
        baseline_days=28,
        window_hours=24,
        thresholds=THRESHOLDS,
    )
    assert result.p_value < 1e-6
    assert not result.spike  # 1.2 times the usual: not what an alert is for


def test_a_shorter_window_expects_its_share_of_the_day():
    result = assess(
        observed=3, baseline_filed=280, baseline_days=28, window_hours=6, thresholds=THRESHOLDS
    )
    assert result.expected == pytest.approx(2.5)


# --- detection through the database -------------------------------------------------------------

NOW = at("2026-11-30T10:20")  # the window is 29 Nov 10:00 – 30 Nov 10:00
BASELINE_DAYS = [date(2026, 10, 31) + timedelta(days=n) for n in range(28)]  # to 27 Nov


@pytest.fixture
def filer(seller_a, db):
    created_by = UserFactory(username="filer")

    def file(count: int, when, **fields) -> list[int]:
        disputes = Dispute.objects.bulk_create(
            [
                DisputeFactory.build(seller=seller_a, created_by=created_by, **fields)
                for _ in range(count)
            ]
        )
        ids = [d.pk for d in disputes]
        Dispute.objects.filter(pk__in=ids).update(created_at=when)
        return ids

    return file


@pytest.fixture
def history(filer):
    """Two a day for four weeks at PHL7 and at LGB8 (by UPS); then, in the window, a spike of
    fifteen at PHL7, four at LGB8, two at a brand new NEW1 and thirty at a brand new BIG9."""
    for day in BASELINE_DAYS:
        filer(2, at(f"{day.isoformat()}T09:00"), fulfillment_center="PHL7")
        filer(2, at(f"{day.isoformat()}T11:00"), fulfillment_center="LGB8", carrier="UPS")
    window = {
        "PHL7": filer(15, at("2026-11-30T02:00"), fulfillment_center="PHL7"),
        "LGB8": filer(4, at("2026-11-29T20:00"), fulfillment_center="LGB8", carrier="UPS"),
        "NEW1": filer(2, at("2026-11-30T03:00"), fulfillment_center="NEW1"),
        "BIG9": filer(30, at("2026-11-30T09:59"), fulfillment_center="BIG9"),
    }
    filer(9, at("2026-11-30T10:05"), fulfillment_center="PHL7")  # after the window: next hour's
    rebuild_rollups()
    return window


def raised(run) -> set[tuple[str, str]]:
    return {(alert.dimension, alert.key) for alert in run.raised}


def test_the_window_ends_on_the_hour_and_the_baseline_ends_before_it():
    window = trend_window(NOW)
    assert (window.start, window.end) == (at("2026-11-29T10:00"), at("2026-11-30T10:00"))
    assert (window.baseline_from, window.baseline_to) == (BASELINE_DAYS[0], BASELINE_DAYS[-1])
    assert window.baseline_days == 28


def test_a_real_spike_raises_an_alert_with_the_cases_behind_it(history):
    run = detect_trends(now=NOW)
    alert = TrendAlert.objects.get(dimension="fulfillment_center", key="PHL7")
    assert alert in run.raised
    assert (alert.observed, alert.baseline_filed) == (15, 56)
    assert alert.expected == pytest.approx(2.0)
    assert alert.p_value == pytest.approx(poisson_upper_tail(15, 2.0))
    assert alert.p_value < 1e-8
    assert (alert.window_start, alert.window_end) == (at("2026-11-29T10:00"), NOW.replace(minute=0))
    assert sorted(alert.disputes.values_list("pk", flat=True)) == sorted(history["PHL7"])
    assert alert.is_open


def test_noise_and_a_few_cases_on_a_new_key_do_not_alert_but_a_burst_does(history):
    run = detect_trends(now=NOW)
    assert raised(run) == {
        ("fulfillment_center", "PHL7"),
        ("fulfillment_center", "BIG9"),  # new, but thirty at once
        ("claim_type", "warehouse_damaged"),  # 51 of them where 4 a day is usual
    }
    # LGB8 and its carrier: 4 where 2 are usual; NEW1: 2 on a new key.
    assert run.tested == 6  # PHL7, LGB8, NEW1, BIG9, UPS, warehouse_damaged


def test_a_repeated_run_alerts_once(history):
    first = detect_trends(now=NOW)
    again = detect_trends(now=NOW + timedelta(minutes=30))  # the same window
    assert len(first.raised) == 3
    assert again.raised == []
    assert set(again.already_alerted) == raised(first)
    assert TrendAlert.objects.count() == 3


def test_the_same_spike_continuing_the_next_hours_does_not_raise_a_second_alert(history, filer):
    detect_trends(now=NOW)
    filer(10, at("2026-11-30T10:30"), fulfillment_center="PHL7")
    assert detect_trends(now=NOW + timedelta(hours=1)).raised == []
    # Acknowledged, the alert still stands for its spike while the windows overlap.
    TrendAlert.objects.update(acknowledged_at=NOW, acknowledged_by=UserFactory(username="ok"))
    assert detect_trends(now=NOW + timedelta(hours=6)).raised == []
    assert TrendAlert.objects.count() == 3


def test_a_spike_in_a_new_window_after_acknowledgement_is_a_new_alert(history, filer, lead):
    detect_trends(now=NOW)
    filer(20, at("2026-11-30T18:00"), fulfillment_center="PHL7")
    tomorrow = NOW + timedelta(days=1)  # the window starts where the first one ended
    assert detect_trends(now=tomorrow).raised == []  # the first alert is still open
    acknowledge_alert(alert=TrendAlert.objects.get(key="PHL7"), by=lead)
    run = detect_trends(now=tomorrow)
    assert ("fulfillment_center", "PHL7") in raised(run)
    assert TrendAlert.objects.filter(key="PHL7").count() == 2


def test_the_database_refuses_a_second_alert_for_the_same_spike(history):
    alert = detect_trends(now=NOW).raised[0]
    fields = {
        f.name: getattr(alert, f.name)
        for f in TrendAlert._meta.concrete_fields
        if f.name not in ("id", "acknowledged_by")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        TrendAlert.objects.create(**fields)  # the same key and window
    later = {**fields, "window_end": alert.window_end + timedelta(hours=1)}
    with pytest.raises(IntegrityError), transaction.atomic():
        TrendAlert.objects.create(**later)  # a second open alert for the key


def test_the_task_detects_and_is_safe_to_run_twice(history, time_machine):
    time_machine.move_to(NOW, tick=False)
    assert detect_trends_task() == 3
    assert detect_trends_task() == 0
    assert TrendAlert.objects.count() == 3


def test_the_task_runs_hourly_on_the_analytics_queue(settings):
    assert settings.CELERY_TASK_ROUTES["quality.detect_trends"] == {"queue": "analytics"}
    schedule = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "quality.detect_trends"
    )
    assert schedule["schedule"].hour == set(range(24))


def test_the_baseline_is_read_from_the_rollups(history):
    DailyRollup.objects.filter(fulfillment_center="PHL7").update(filed=0)  # as if never filed
    run = detect_trends(now=NOW)
    alert = next(a for a in run.raised if a.key == "PHL7")
    assert (alert.baseline_filed, alert.expected) == (0, THRESHOLDS.floor_per_window)


# --- acknowledging ------------------------------------------------------------------------------


@pytest.fixture
def alert(history) -> TrendAlert:
    detect_trends(now=NOW)
    return TrendAlert.objects.get(dimension="fulfillment_center", key="PHL7")


def test_a_team_lead_acknowledges_an_alert_with_a_note(alert, lead):
    acknowledge_alert(alert=alert, by=lead, note="  Called the PHL7 site manager.  ")
    alert.refresh_from_db()
    assert alert.acknowledged_by == lead and alert.acknowledged_at is not None
    assert alert.note == "Called the PHL7 site manager."
    assert not alert.is_open


def test_an_alert_is_acknowledged_once(alert, lead, lead2):
    acknowledge_alert(alert=alert, by=lead)
    with pytest.raises(Conflict, match="lead already acknowledged this alert"):
        acknowledge_alert(alert=TrendAlert.objects.get(pk=alert.pk), by=lead2)
    alert.refresh_from_db()
    assert alert.acknowledged_by == lead


@pytest.mark.parametrize("who", ["specialist", "qa"])
def test_a_specialist_or_a_qa_reviewer_cannot_acknowledge(alert, who, request):
    with pytest.raises(NotAllowed, match="Only a team lead"):
        acknowledge_alert(alert=alert, by=request.getfixturevalue(who))
    alert.refresh_from_db()
    assert alert.is_open


def test_a_note_has_a_length_limit(alert, lead):
    with pytest.raises(InvalidInput) as refused:
        acknowledge_alert(alert=alert, by=lead, note="x" * 2001)
    assert "note" in refused.value.fields


# --- the page, the badge, the service dashboard ------------------------------------------------


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


ALERTS = "/workspace/dashboard/alerts/"


def test_the_alerts_page_lives_under_the_dashboards():
    assert reverse("quality:alerts") == ALERTS


def test_a_lead_sees_open_alerts_with_their_cases_and_can_acknowledge(alert, lead):
    page = browser_for(lead).get(ALERTS)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-alert="{alert.pk}"' in html
    for reference in alert.disputes.values_list("reference", flat=True):
        assert f'href="/workspace/cases/{reference}/"' in html
    assert reverse("quality:acknowledge_alert", args=[alert.pk]) in html
    assert 'data-figure="observed">15<' in html
    assert page.context["selected"] == page.context["open_alerts"][0]


def test_the_chart_shows_the_keys_daily_filings_and_the_window(alert, lead):
    page = browser_for(lead).get(ALERTS, {"alert": alert.pk})
    chart = page.context["alert_chart"]
    filed, expected = chart["data"]["datasets"]
    assert filed["data"] == [2] * 28 + [15]
    assert expected["type"] == "line" and expected["data"][-1] == 2.0
    assert chart["data"]["labels"][-1] == "Last 24 h"
    assert b'data-chart="chart-alert"' in page.content


def test_a_qa_reviewer_sees_alerts_read_only(alert, qa):
    page = browser_for(qa).get(ALERTS)
    assert page.status_code == 200
    assert reverse("quality:acknowledge_alert", args=[alert.pk]).encode() not in page.content
    assert b"A team lead acknowledges this alert." in page.content


def test_a_specialist_cannot_open_the_alerts(alert, specialist):
    assert browser_for(specialist).get(ALERTS).status_code == 403


def test_acknowledging_through_the_page(alert, lead):
    client = browser_for(lead)
    url = reverse("quality:acknowledge_alert", args=[alert.pk])
    response = client.post(url, {"note": "Damage at the PHL7 dock, fixed."}, follow=True)
    assert response.redirect_chain[-1][0] == f"{ALERTS}?alert={alert.pk}"
    alert.refresh_from_db()
    assert alert.acknowledged_by == lead and alert.note == "Damage at the PHL7 dock, fixed."
    html = response.content.decode()
    assert "Alert acknowledged" in html
    assert "No open alerts." not in html  # BIG9 and the claim type are still open
    again = client.post(url, follow=True)
    assert "already acknowledged this alert" in again.content.decode()


def test_a_qa_reviewers_acknowledgement_is_refused_in_words(alert, qa):
    url = reverse("quality:acknowledge_alert", args=[alert.pk])
    response = browser_for(qa).post(url, {"note": "seen"}, follow=True)
    assert "Only a team lead can acknowledge a trend alert" in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open


def test_a_specialist_cannot_post_an_acknowledgement(alert, specialist):
    url = reverse("quality:acknowledge_alert", args=[alert.pk])
    assert browser_for(specialist).post(url).status_code == 403
    alert.refresh_from_db()
    assert alert.is_open


def test_an_unknown_alert_is_a_404(lead, db):
    client = browser_for(lead)
    assert client.get(ALERTS, {"alert": 999999}).status_code == 404
    assert client.post(reverse("quality:acknowledge_alert", args=[999999])).status_code == 404


def test_no_alerts_show_an_empty_page_and_no_badge(lead):
    page = browser_for(lead).get(ALERTS)
    assert page.status_code == 200
    assert b"No open alerts." in page.content
    assert b"No alert has been acknowledged yet." in page.content
    assert b'data-count="alerts"' not in page.content


def badge(html: bytes) -> int | None:
    found = re.search(rb'data-count="alerts"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else None


def test_the_navigation_counts_open_alerts_for_leads_and_qa_only(alert, lead, qa, specialist):
    for user in (lead, qa):
        assert badge(browser_for(user).get(reverse("workspace:cases")).content) == 3
    assert badge(browser_for(specialist).get(reverse("workspace:cases")).content) is None
    acknowledge_alert(alert=alert, by=lead)
    assert badge(browser_for(qa).get(reverse("workspace:cases")).content) == 2


def test_the_service_dashboard_shows_open_alerts_at_the_top(alert, lead):
    html = browser_for(lead).get(reverse("quality:service")).content.decode()
    panel = html.index('id="open-alerts"')
    assert panel < html.index('data-figure="breaches-today"')
    assert "3 open trend alerts" in html
    assert f"{ALERTS}?alert={alert.pk}#alert-history" in html


def test_the_service_dashboard_has_no_alert_panel_without_alerts(lead):
    assert b'id="open-alerts"' not in browser_for(lead).get(reverse("quality:service")).content


def many_alerts(count: int, seller, *, acknowledged_by=None) -> None:
    start = TrendAlert.objects.count()
    for n in range(start, start + count):
        alert = TrendAlert.objects.create(
            dimension="carrier",
            key=f"CARRIER-{n}",
            window_start=at("2026-11-29T10:00"),
            window_end=at("2026-11-30T10:00"),
            observed=6,
            expected=1.0,
            p_value=0.0006,
            baseline_from=BASELINE_DAYS[0],
            baseline_to=BASELINE_DAYS[-1],
            baseline_filed=0,
            acknowledged_by=acknowledged_by,
            acknowledged_at=NOW if acknowledged_by else None,
            note="seen" if acknowledged_by else "",
        )
        alert.disputes.set([DisputeFactory(seller=seller).pk for _ in range(2)])


def test_the_alerts_page_runs_the_same_queries_whatever_the_number_of_alerts(
    lead, seller_a, django_assert_max_num_queries
):
    client = browser_for(lead)
    client.get(ALERTS)  # warm the session and the content types
    many_alerts(2, seller_a)
    many_alerts(2, seller_a, acknowledged_by=lead)
    with django_assert_max_num_queries(20) as few:
        assert client.get(ALERTS).status_code == 200
    many_alerts(20, seller_a)
    many_alerts(20, seller_a, acknowledged_by=lead)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(ALERTS)
    assert len(page.context["open_alerts"]) == 22
    assert badge(page.content) == 22


def test_the_badge_costs_one_query_whatever_the_number_of_alerts(
    qa, seller_a, django_assert_max_num_queries
):
    client = browser_for(qa)
    url = reverse("workspace:cases")
    client.get(url)
    with django_assert_max_num_queries(40) as none_open:
        client.get(url)
    many_alerts(20, seller_a)
    with django_assert_max_num_queries(len(none_open.captured_queries)) as some_open:
        assert badge(client.get(url).content) == 20
    alert_queries = [q for q in some_open.captured_queries if "quality_trendalert" in q["sql"]]
    assert len(alert_queries) == 1
