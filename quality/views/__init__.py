"""The team lead dashboards: a filter, a selector, charts and tables, and each table as CSV.

Team pages are for team leads and QA reviewers (read-only, except that a team lead acknowledges
a trend alert); a specialist opens only their own numbers."""

from quality.views.alerts import acknowledge, alerts
from quality.views.calibration import (
    calibration,
    calibration_close,
    calibration_new,
    calibration_score,
    calibrations,
)
from quality.views.dashboards import (
    dashboard_home,
    defects,
    money,
    my_numbers,
    productivity,
    quality,
    service,
)
from quality.views.qa import (
    qa_contest,
    qa_inbox,
    qa_reassign,
    qa_resolve,
    qa_review,
    qa_score,
    qa_send,
)
from quality.views.weekly import weekly

__all__ = [
    "acknowledge",
    "alerts",
    "calibration",
    "calibration_close",
    "calibration_new",
    "calibration_score",
    "calibrations",
    "dashboard_home",
    "defects",
    "money",
    "my_numbers",
    "productivity",
    "qa_contest",
    "qa_inbox",
    "qa_reassign",
    "qa_resolve",
    "qa_review",
    "qa_score",
    "qa_send",
    "quality",
    "service",
    "weekly",
]
