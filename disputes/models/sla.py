"""SLA configuration and clocks: business calendars, policies per queue and priority, timers."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.business_time import Calendar
from core.public_holidays import subdivisions, supported_countries
from disputes.status import Priority

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as Asia/Tokyo."), params={"value": value}
        )


def validate_country(value: str) -> None:
    if value not in supported_countries():
        raise ValidationError(
            _(
                "%(value)s is not a country the holidays package knows: use an ISO 3166 "
                "two-letter code such as CN, JP or US."
            ),
            code="unknown_country",
            params={"value": value},
        )


class BusinessCalendar(models.Model):
    """When a team works: a time zone, hours per weekday, public holidays and added days."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        validators=[validate_country],
        help_text=_(
            "Two-letter ISO 3166 code (CN, JP, US, …): that country's public holidays, from "
            "the holidays package, are days off. Blank: no public holidays, only added days."
        ),
    )
    subdivision = models.CharField(
        _("subdivision"),
        max_length=10,
        blank=True,
        help_text=_(
            "Optional region whose own holidays apply too, e.g. ENG (England) in GB; "
            "blank: the country's national holidays only."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")

    def __str__(self) -> str:
        return f"{self.name} ({self.time_zone})"

    def clean(self) -> None:
        super().clean()
        if self.subdivision and not self.country:
            raise ValidationError({"subdivision": _("A subdivision needs a country.")})
        if not self.subdivision or self.country not in supported_countries():
            return
        known = subdivisions(self.country)
        if self.subdivision not in known:
            raise ValidationError(
                {
                    "subdivision": ValidationError(
                        _(
                            "%(value)s is not a subdivision of %(country)s in the holidays "
                            "package (it knows: %(known)s)."
                        ),
                        code="unknown_subdivision",
                        params={
                            "value": self.subdivision,
                            "country": self.country,
                            "known": ", ".join(known) or "—",
                        },
                    )
                }
            )

    def as_calendar(self) -> Calendar:
        """The plain Calendar the arithmetic works on (uses prefetched hours and holidays)."""
        hours: dict[int, list] = {}
        for row in self.hours.all():
            hours.setdefault(row.weekday, []).append((row.start, row.end))
        added = list(self.holidays.all())
        return Calendar(
            time_zone=self.time_zone,
            hours={day: tuple(sorted(spans)) for day, spans in hours.items()},
            holidays=frozenset(h.date for h in added if not h.is_working_day),
            working_days=frozenset(h.date for h in added if h.is_working_day),
            country=self.country,
            subdivision=self.subdivision if self.country else "",
        )


class WorkingHours(models.Model):
    """One working interval on a weekday; an end of 00:00 means midnight."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.end != self.end.replace(hour=0, minute=0) and self.end <= self.start:
            raise ValidationError(_("The interval must end after it starts (00:00 = midnight)."))


class Holiday(models.Model):
    """A hand-added date of a calendar: a day off on top of the public holidays (a company
    day, one the holidays package lacks) or, ticked, a working day that overrides them."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80, blank=True)
    is_working_day = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_(
            "Ticked: the team works this date although it is a public holiday or a weekend "
            "(a weekend day is worked with the hours of the calendar's first working weekday)."
        ),
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Targets in business minutes for cases of a queue and priority (blank = any)."""

    class BreachAction(models.TextChoices):
        NOTIFY_LEAD = "notify_lead", _("Raise priority and notify the team lead")
        ESCALATE = "escalate", _("Also escalate the case to the team lead")

    name = models.CharField(_("name"), max_length=80)
    queue = models.ForeignKey(
        "disputes.Queue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="policies"
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    warning_ratio = models.DecimalField(
        _("warn when this share is used"), max_digits=3, decimal_places=2, default=Decimal("0.80")
    )
    breach_action = models.CharField(
        max_length=16, choices=BreachAction.choices, default=BreachAction.NOTIFY_LEAD
    )

    class Meta:
        ordering = ["queue__name", "priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["queue", "priority"], name="sla_policy_unique", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=Q(warning_ratio__gt=0) & Q(warning_ratio__lt=1),
                name="sla_policy_ratio_share",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def target_minutes(self, kind: str) -> int:
        return {
            "first_response": self.first_response_minutes,
            "next_response": self.next_response_minutes,
            "resolution": self.resolution_minutes,
        }[kind]


class SlaTimer(models.Model):
    """One deadline of one case; the sweep reads rows whose next check is due."""

    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next response")
        RESOLUTION = "resolution", _("Resolution")

    dispute = models.ForeignKey(
        "disputes.Dispute", on_delete=models.CASCADE, related_name="sla_timers"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    # While paused: the business seconds that were left, restored on resume.
    paused_remaining_seconds = models.FloatField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispute", "kind"], name="sla_timer_one_per_kind")
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="sla_timer_due",
                condition=Q(next_check_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.kind} due {self.due_at}"

    @property
    def running(self) -> bool:
        return self.met_at is None and self.stopped_at is None and self.due_at is not None

    def schedule_next_check(self) -> None:
        if not self.running:
            self.next_check_at = None
        elif self.warned_at is None and self.warn_at is not None:
            self.next_check_at = self.warn_at
        elif self.breached_at is None:
            self.next_check_at = self.due_at
        else:
            self.next_check_at = None
