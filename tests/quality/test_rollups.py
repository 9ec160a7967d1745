"""Daily rollups: equal to the figures computed from the cases, incremental, safe to run twice,
equal when rebuilt, and counted on the day of the case's business calendar."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db.models import Sum

from disputes.models import BusinessCalendar, SlaPolicy
from quality.models import (
    AMOUNTS,
    COUNTS,
    FULL,
    GRAINS,
    CaseContribution,
    DailyRollup,
    SellerDailyRollup,
    grain_for,
)
from quality.rollups import pending_delta, rebuild_rollups, roll_up
from tests.quality.scenario import Story, at, direct_figures

pytestmark = pytest.mark.django_db

# What direct_figures computes; handle time and money have their own tests.
CHECKED = {
    "filed",
    "decided",
    "approved",
    "partially_approved",
    "denied",
    "first_contact",
    "appealed",
    "appeal_decided",
    "overturned",
    "first_response_met",
    "first_response_breached",
    "resolution_met",
    "resolution_breached",
}


def rolled_up() -> Counter:
    figures: Counter = Counter()
    for row in DailyRollup.objects.filter(grain=FULL):
        for name in CHECKED:
            figures[name, row.day, row.specialist_pk] += getattr(row, name)
    return +figures


def every_row() -> list[tuple]:
    fields = [*DailyRollup.KEY, *COUNTS, *AMOUNTS]
    return sorted(DailyRollup.objects.values_list(*fields))


@pytest.fixture
def story(seller_a, seller_a_user, time_machine):
    return Story(seller=seller_a, seller_user=seller_a_user, time_machine=time_machine)


def a_week_of_cases(story, specialist, specialist2):
    """Monday 2 November 2026 onwards, in UTC business hours (08:00–20:00 on weekdays)."""
    quick = story.file("2026-11-02T09:00")
    story.assign(quick, "2026-11-02T10:00", specialist)
    story.decide(quick, "2026-11-02T11:00", specialist)

    asked = story.file("2026-11-02T09:30")
    story.assign(asked, "2026-11-02T10:00", specialist2)
    story.ask(asked, "2026-11-02T10:30", specialist2)
    story.answer(asked, "2026-11-03T12:00")
    story.decide(asked, "2026-11-03T14:00", specialist2, outcome="partially_approved")

    appealed = story.file("2026-11-02T10:00")
    story.assign(appealed, "2026-11-02T11:00", specialist)
    story.decide(appealed, "2026-11-02T15:00", specialist)
    story.appeal(appealed, "2026-11-04T09:00")
    story.assign(appealed, "2026-11-04T10:00", specialist2)
    story.decide(appealed, "2026-11-04T12:00", specialist2, outcome="partially_approved")

    story.file("2026-11-02T08:00")  # never worked: its first response is breached
    story.sweep("2026-11-03T20:00")
    return quick, asked, appealed


def test_no_cases_roll_up_to_nothing():
    run = roll_up()
    assert (run.cases, run.last_event_id) == (0, 0)
    assert not DailyRollup.objects.exists() and pending_delta() == {}


def test_rollups_equal_the_figures_computed_from_the_cases(story, specialist, specialist2):
    a_week_of_cases(story, specialist, specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    expected = direct_figures()
    assert rolled_up() == expected
    # The scenario's own story, spelled out: one case decided at first contact, one overturned.
    assert expected["first_contact", date(2026, 11, 2), specialist.pk] == 1
    assert expected["overturned", date(2026, 11, 4), specialist2.pk] == 1
    assert expected["appealed", date(2026, 11, 4), specialist.pk] == 1
    assert expected["first_response_breached", date(2026, 11, 3), 0] == 1


def test_a_rollup_run_twice_changes_nothing(story, specialist, specialist2):
    a_week_of_cases(story, specialist, specialist2)
    first = roll_up(now=at("2026-11-05T00:00"))
    rows = every_row()
    again = roll_up(now=at("2026-11-05T00:00"))
    assert again.cases == 0 and again.last_event_id == first.last_event_id
    assert every_row() == rows


def test_rolling_up_as_the_week_goes_equals_one_run_and_a_rebuild(
    story, specialist, specialist2, time_machine
):
    quick = story.file("2026-11-02T09:00")
    roll_up(now=at("2026-11-02T09:30"))
    story.assign(quick, "2026-11-02T10:00", specialist)
    story.decide(quick, "2026-11-02T11:00", specialist)
    roll_up(now=at("2026-11-02T12:00"))
    # The appeal reaches back: the first decision is no longer a first-contact resolution.
    story.appeal(quick, "2026-11-03T09:00")
    roll_up(now=at("2026-11-03T10:00"))
    story.assign(quick, "2026-11-03T10:00", specialist2)
    story.decide(quick, "2026-11-03T12:00", specialist2, outcome="approved")
    time_machine.move_to(at("2026-11-04T00:00"), tick=False)
    roll_up(now=at("2026-11-04T00:00"))
    incremental = every_row()
    assert rolled_up() == direct_figures()
    assert rolled_up()["first_contact", date(2026, 11, 2), specialist.pk] == 0

    rebuilt = rebuild_rollups()
    assert rebuilt.cases == 1
    assert every_row() == incremental
    assert roll_up(now=at("2026-11-04T00:00")).cases == 0


def projected(grain: str) -> Counter:
    """The full grain summed over what `grain` keeps: what that grain's rows must hold."""
    kept = ("day", *GRAINS[grain])
    sums: Counter = Counter()
    for row in DailyRollup.objects.filter(grain=FULL).values():
        for figure in (*COUNTS, *AMOUNTS):
            sums[(*(row[name] for name in kept), figure)] += row[figure]
    return +sums


def stored(grain: str) -> Counter:
    kept = ("day", *GRAINS[grain])
    sums: Counter = Counter()
    for row in DailyRollup.objects.filter(grain=grain).values():
        left_out = {name for name in DailyRollup.KEY[2:] if name not in kept}
        assert all(row[name] in (0, "") for name in left_out), row
        for figure in (*COUNTS, *AMOUNTS):
            sums[(*(row[name] for name in kept), figure)] += row[figure]
    return +sums


def test_every_grain_is_the_full_rows_summed_over_what_it_keeps(story, specialist, specialist2):
    a_week_of_cases(story, specialist, specialist2)
    moved = story.file("2026-11-04T13:00")
    story.assign(moved, "2026-11-04T13:30", specialist)
    story.decide(moved, "2026-11-04T14:00", specialist)
    roll_up(now=at("2026-11-04T15:00"))
    # A reassignment moves the case's SLA figures to another specialist: rows at the staff and
    # full grains change, the coarser ones add nothing.
    story.appeal(moved, "2026-11-04T16:00")
    story.assign(moved, "2026-11-04T16:30", specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    assert {row.grain for row in DailyRollup.objects.all()} == set(GRAINS)
    for grain in GRAINS:
        assert stored(grain) == projected(grain), grain
    # A grain holds one row per day and kept key: "total" has the fewest.
    counts = {grain: DailyRollup.objects.filter(grain=grain).count() for grain in GRAINS}
    assert counts["total"] == min(counts.values()) and counts[FULL] == max(counts.values())


def test_a_dashboard_reads_the_smallest_grain_that_has_its_dimensions():
    picks = {
        ("day",): "total",
        ("claim_type", "marketplace"): "total",
        ("carrier", "claim_type"): "carrier",
        ("specialist_pk", "day"): "people",
        ("queue_pk", "specialist_pk"): "people",
        ("queue_pk", "marketplace"): "staff",
        ("fulfillment_center", "specialist_pk"): FULL,
    }
    assert {dimensions: grain_for(dimensions) for dimensions in picks} == picks
    with pytest.raises(ValueError, match="not a rollup dimension"):
        grain_for(["seller"])


def test_events_not_rolled_up_yet_are_counted_live(story, specialist):
    quick = story.file("2026-11-02T09:00")
    roll_up(now=at("2026-11-02T09:30"))
    story.assign(quick, "2026-11-02T10:00", specialist)
    story.decide(quick, "2026-11-02T11:00", specialist)
    delta = pending_delta()
    decided = {key: figures for key, figures in delta.items() if "decided" in figures}
    assert [(key[1], key[3], figures["decided"]) for key, figures in decided.items()] == [
        ("2026-11-02", specialist.pk, 1)
    ]


def test_events_younger_than_the_settling_time_wait_for_the_next_run(story, settings):
    settings.ARBITER = {**settings.ARBITER, "ROLLUP_SETTLE_SECONDS": 120}
    story.file("2026-11-02T09:00")
    assert roll_up(now=at("2026-11-02T09:01")).cases == 0
    assert roll_up(now=at("2026-11-02T09:02")).cases == 1


def test_a_case_decided_before_midnight_in_tokyo_counts_on_the_tokyo_day(story, specialist):
    tokyo = BusinessCalendar.objects.get(time_zone="Asia/Tokyo")
    SlaPolicy.objects.filter(queue=None).update(calendar=tokyo)
    # 14:30 UTC is 23:30 in Tokyo; 15:30 UTC is 00:30 the next day there.
    before = story.file("2026-11-02T01:00")
    story.assign(before, "2026-11-02T02:00", specialist)
    story.decide(before, "2026-11-02T14:30", specialist)
    after = story.file("2026-11-02T01:30")
    story.assign(after, "2026-11-02T02:00", specialist)
    story.decide(after, "2026-11-02T15:30", specialist)
    roll_up(now=at("2026-11-03T00:00"))
    decided = rolled_up()
    assert decided["decided", date(2026, 11, 2), specialist.pk] == 1
    assert decided["decided", date(2026, 11, 3), specialist.pk] == 1
    assert rolled_up() == direct_figures("Asia/Tokyo")


def test_handle_time_is_assignment_to_decision_in_business_time(story, specialist):
    # Assigned Friday 19:00, decided Monday 09:00 UTC: one business hour Friday, one Monday.
    case = story.file("2026-11-06T18:00")
    story.assign(case, "2026-11-06T19:00", specialist)
    story.decide(case, "2026-11-09T09:00", specialist)
    roll_up(now=at("2026-11-10T00:00"))
    rows = DailyRollup.objects.covering(["specialist_pk"])
    row = rows.filter(day=date(2026, 11, 9), specialist_pk=specialist.pk).aggregate(
        handled=Sum("handled"), seconds=Sum("handle_seconds")
    )
    assert (row["handled"], row["seconds"]) == (1, 2 * 3600)


def test_top_sellers_count_filings_and_final_denials(story, specialist, specialist2):
    a_week_of_cases(story, specialist, specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    rows = SellerDailyRollup.objects.filter(seller=story.seller)
    assert sum(r.filed for r in rows) == 4
    # The appealed case was denied, then partly approved: only the quick one ends denied.
    assert sum(r.denied for r in rows) == 1
    assert CaseContribution.objects.count() == 4
