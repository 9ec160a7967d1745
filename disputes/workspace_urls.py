from django.urls import path

from disputes.views import workspace as views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("next/", views.next_case, name="next"),
    path("cases/", views.case_list, name="cases"),
    path("cases/bulk/", views.bulk_action, name="bulk"),
    path("views/", views.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", views.delete_view, name="delete_view"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/take/", views.take, name="take"),
    path("cases/<str:reference>/reply/", views.reply, name="reply"),
    path("cases/<str:reference>/request-info/", views.request_info, name="request_info"),
    path("cases/<str:reference>/note/", views.add_note, name="note"),
    path("cases/<str:reference>/escalate/", views.escalate, name="escalate"),
    path(
        "cases/<str:reference>/resolve-escalation/",
        views.resolve_escalation,
        name="resolve_escalation",
    ),
    path("cases/<str:reference>/decide/", views.decide, name="decide"),
    path("cases/<str:reference>/merge/", views.merge, name="merge"),
    path("cases/<str:reference>/assign/", views.assign, name="assign"),
    path("cases/<str:reference>/priority/", views.set_priority, name="priority"),
    path("cases/<str:reference>/restrict/", views.recommend_restriction, name="restrict"),
    path("cases/<str:reference>/close/", views.close, name="close"),
    path(
        "cases/<str:reference>/template/<int:template_id>/",
        views.template_text,
        name="template_text",
    ),
    path(
        "cases/<str:reference>/reimbursements/<int:reimbursement_id>/<str:verdict>/",
        views.reimbursement_decision,
        name="reimbursement_decision",
    ),
]
