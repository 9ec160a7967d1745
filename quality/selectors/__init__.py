"""What the dashboards read: the daily rollups for figures over days (plus what the next rollup
run will add, counted live), and indexed live reads for what is true right now. One module per
dashboard; every function runs a fixed number of queries."""

from quality.selectors.calibration import (
    CalibrationPage,
    CalibrationResults,
    calibration_results,
    get_calibration_for,
    get_calibration_page_for,
    list_calibration_candidates,
    list_waiting_calibrations_for,
    page_calibrations_for,
)
from quality.selectors.common import (
    AGE_BUCKETS,
    BACKLOG_STATUSES,
    DUE_SOON,
    LIST_LIMIT,
    DashboardFilters,
    Rollups,
    queue_names,
    ratio,
    user_names,
)
from quality.selectors.defects import DefectsDashboard, defects_dashboard, top_sellers
from quality.selectors.money import MoneyDashboard, money_dashboard
from quality.selectors.productivity import ProductivityDashboard, productivity_dashboard
from quality.selectors.qa import (
    CurrencyAccuracy,
    InboxPage,
    ReviewPage,
    SpecialistQA,
    count_due_qa_for,
    get_decision_to_sample,
    get_review_for,
    get_review_page_for,
    list_qa_inbox_for,
    list_reviews_of,
    list_reviews_of_case,
    page_qa_inbox_for,
    qa_figures,
)
from quality.selectors.service import ServiceDashboard, service_dashboard

__all__ = [
    "AGE_BUCKETS",
    "BACKLOG_STATUSES",
    "DUE_SOON",
    "LIST_LIMIT",
    "CalibrationPage",
    "CalibrationResults",
    "CurrencyAccuracy",
    "DashboardFilters",
    "DefectsDashboard",
    "InboxPage",
    "MoneyDashboard",
    "ProductivityDashboard",
    "ReviewPage",
    "Rollups",
    "ServiceDashboard",
    "SpecialistQA",
    "calibration_results",
    "count_due_qa_for",
    "defects_dashboard",
    "get_calibration_for",
    "get_calibration_page_for",
    "get_decision_to_sample",
    "get_review_for",
    "get_review_page_for",
    "list_calibration_candidates",
    "list_qa_inbox_for",
    "list_reviews_of",
    "list_reviews_of_case",
    "list_waiting_calibrations_for",
    "money_dashboard",
    "page_calibrations_for",
    "page_qa_inbox_for",
    "productivity_dashboard",
    "qa_figures",
    "queue_names",
    "ratio",
    "service_dashboard",
    "top_sellers",
    "user_names",
]
