from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("service/", views.service, name="service"),
    path("productivity/", views.productivity, name="productivity"),
    path("money/", views.money, name="money"),
    path("defects/", views.defects, name="defects"),
    path("quality/", views.quality, name="quality"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge_alert"),
    path("weekly/", views.weekly, name="weekly"),
    path("me/", views.my_numbers, name="mine"),
    path("qa/", views.qa_inbox, name="qa_inbox"),
    path("qa/<int:review_id>/", views.qa_review, name="qa_review"),
    path("qa/<int:review_id>/score/", views.qa_score, name="qa_score"),
    path("qa/<int:review_id>/contest/", views.qa_contest, name="qa_contest"),
    path("qa/<int:review_id>/resolve/", views.qa_resolve, name="qa_resolve"),
    path("qa/<int:review_id>/reassign/", views.qa_reassign, name="qa_reassign"),
    path("qa/send/<str:reference>/", views.qa_send, name="qa_send"),
    path("qa/calibrations/", views.calibrations, name="calibrations"),
    path("qa/calibrations/new/", views.calibration_new, name="calibration_new"),
    path("qa/calibrations/<int:calibration_id>/", views.calibration, name="calibration"),
    path(
        "qa/calibrations/<int:calibration_id>/score/",
        views.calibration_score,
        name="calibration_score",
    ),
    path(
        "qa/calibrations/<int:calibration_id>/close/",
        views.calibration_close,
        name="calibration_close",
    ),
]
