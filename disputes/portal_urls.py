from django.urls import path

from disputes.views import portal as views

app_name = "portal"

urlpatterns = [
    path("", views.dispute_list, name="home"),
    path("account/", views.choose_seller, name="choose_seller"),
    path("file/", views.choose_claim_type, name="choose_claim_type"),
    path("file/<str:claim_type>/", views.file_dispute, name="file"),
    path("advice/", views.advice, name="advice"),
    path("reimbursements/", views.reimbursements, name="reimbursements"),
    path("reimbursements.csv", views.reimbursements_csv, name="reimbursements_csv"),
    path("disputes/<ref:reference>/", views.dispute_detail, name="dispute"),
    # One URL per form of the case page (views.portal.PORTAL_ACTIONS), named after it.
    *[
        path(f"disputes/<ref:reference>/{name}/", views.case_action, {"action": name}, name=name)
        for name in views.PORTAL_ACTIONS
    ],
]
