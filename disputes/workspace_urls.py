from django.urls import path

from disputes.actions import WORKSPACE_ACTIONS
from disputes.views import money
from disputes.views import workspace as views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("queues/", views.queues, name="queues"),
    path("next/", views.next_case, name="next"),
    path("cases/", views.case_list, name="cases"),
    path("cases/bulk/", views.bulk_action, name="bulk"),
    path("approvals/", money.approvals, name="approvals"),
    path("approvals/review/", money.review_payouts, name="review_payouts"),
    path("reversals/", money.reversals, name="reversals"),
    path(
        "reversals/<int:reversal_id>/<str:verdict>/",
        money.resolve_reversal,
        name="resolve_reversal",
    ),
    path("payouts/", money.payouts, name="payouts"),
    path("payouts/batch/", money.create_batch, name="create_batch"),
    path("payouts/export.csv", money.finance_export, name="finance_export"),
    path("payouts/<ref:reference>/paid/", money.batch_paid, name="batch_paid"),
    path("views/", views.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", views.delete_view, name="delete_view"),
    path("cases/<ref:reference>/", views.case_detail, name="case"),
    path("cases/<ref:reference>/take/", views.take, name="take"),
    path("cases/<ref:reference>/panels/<str:action>/", views.case_panel, name="panel"),
    # One URL per row of the action table (disputes/actions.py), named after the action.
    *[
        path(
            f"cases/<ref:reference>/{action.path}/",
            views.case_action,
            {"action": action.name},
            name=action.name,
        )
        for action in WORKSPACE_ACTIONS.values()
    ],
    path(
        "cases/<ref:reference>/template/<int:template_id>/",
        views.template_text,
        name="template_text",
    ),
    path(
        "cases/<ref:reference>/reimbursements/<int:reimbursement_id>/<str:verdict>/",
        views.reimbursement_decision,
        name="reimbursement_decision",
    ),
]
