"""The weekly report by e-mail: HTML and plain text, to every active team lead, in their language.

Once per week and lead: a WeeklyReportDelivery row (unique per week and lead) records the
attempt before the mail leaves and the sending after, so a repeated run skips whoever has it.
A worker killed between the two leaves an attempt that is tried again only after the lease, with
the same Message-ID (derived from the week and the lead), so a repeat is recognisably the same
mail."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from quality.models import WeeklyReportDelivery
from quality.reports import Week, WeeklyReport, weekly_report

TEAM_LEAD = "Team Lead"
# E-mail clients ignore style sheets, and the site's templates carry no style attribute (the
# Content-Security-Policy): the mail's template names these classes, and render_weekly_report
# writes them into style attributes.
MAIL_STYLES = {
    "body": "margin:0;padding:24px;background:#f5f6f8;color:#1d2330;font-size:14px;"
    "line-height:1.5;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
    "'Noto Sans CJK SC','Noto Sans CJK JP',sans-serif",
    "sheet": "max-width:680px;margin:0 auto;background:#ffffff;border:1px solid #dfe3ea;"
    "border-radius:8px;padding:24px",
    "h1": "font-size:22px;margin:0 0 4px",
    "h2": "font-size:16px;margin:20px 0 8px",
    "table": "width:100%;border-collapse:collapse",
    "th": "text-align:left;padding:6px 8px;border-bottom:2px solid #dfe3ea;font-size:12px",
    "td": "text-align:left;padding:6px 8px;border-bottom:1px solid #dfe3ea",
    "num": "text-align:right",
    "strong": "font-weight:700",
    "muted": "color:#5d6677",
    "small": "font-size:13px;margin-top:24px",
    "change": "white-space:nowrap",
    "good": "color:#146c2e",
    "bad": "color:#b42318",
    "neutral": "color:#3f4756",
}
CLASS_ATTRIBUTE = re.compile(r'\sclass="([a-z0-9 -]+)"')


def team_leads() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=TEAM_LEAD)
        .exclude(email="")
        .select_related("staff_profile")
        .order_by("pk")
        .distinct()
    )


def language_of(user) -> str:
    """The first of the lead's languages that Arbiter speaks; English when they name none."""
    profile = getattr(user, "staff_profile", None)
    spoken = dict(settings.LANGUAGES)
    for code in profile.languages if profile is not None else ():
        if code in spoken:
            return code
    return "en"


def message_id(week: Week, user) -> str:
    """The same Message-ID on every attempt for this week and lead."""
    return f"<weekly-report-{week.label}.{user.pk}@arbiter>"


def _claim(week: Week, user, now: datetime) -> WeeklyReportDelivery | None:
    """Record this run's attempt for the lead, unless the report was sent or another attempt
    still holds its lease (compare-and-set: of two runs at once, one wins)."""
    delivery, _ = WeeklyReportDelivery.objects.get_or_create(week=week.label, user=user)
    lease_ended = now - timedelta(seconds=settings.ARBITER["NOTIFICATION_LEASE_SECONDS"])
    taken = (
        WeeklyReportDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True)
        .filter(Q(attempted_at__isnull=True) | Q(attempted_at__lt=lease_ended))
        .update(attempted_at=now)
    )
    return delivery if taken else None


def render_weekly_report(report: WeeklyReport, language: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) in that language."""
    context = {"report": report}
    with translation.override(language):
        subject = render_to_string("quality/email/weekly_subject.txt", context)
        text = render_to_string("quality/email/weekly_body.txt", context)
        html = inline_styles(render_to_string("quality/email/weekly_body.html", context))
    return " ".join(subject.split()), text, html


def inline_styles(html: str) -> str:
    """Each class="a b" of the mail's template as style="<a's style>;<b's style>"."""

    def style(match: re.Match) -> str:
        css = ";".join(MAIL_STYLES[name] for name in match[1].split() if name in MAIL_STYLES)
        return f' style="{css}"' if css else ""

    return CLASS_ATTRIBUTE.sub(style, html)


def send_weekly_report(*, week: Week | None = None) -> int:
    """E-mail the week's report (the last complete week by default) to every team lead who has
    not had it yet; returns how many were sent."""
    week = week or Week.last_complete()
    report = None  # computed once, and only when somebody still needs it
    rendered: dict[str, tuple[str, str, str]] = {}
    sent = 0
    for lead in team_leads():
        delivery = _claim(week, lead, timezone.now())
        if delivery is None:
            continue
        try:
            language = language_of(lead)
            if language not in rendered:
                report = report or weekly_report(week)
                rendered[language] = render_weekly_report(report, language)
            subject, text, html = rendered[language]
            email = EmailMultiAlternatives(
                subject, text, None, [lead.email], headers={"Message-ID": message_id(week, lead)}
            )
            email.attach_alternative(html, "text/html")
            email.send()
        except Exception:  # it did not leave: a retry may send it
            WeeklyReportDelivery.objects.filter(pk=delivery.pk).update(attempted_at=None)
            raise
        WeeklyReportDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
        sent += 1
    return sent
