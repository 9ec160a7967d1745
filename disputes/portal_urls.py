from django.urls import path

from disputes.views import portal as views

app_name = "portal"

urlpatterns = [
    path("", views.dispute_list, name="home"),
    path("account/", views.choose_seller, name="choose_seller"),
    path("file/", views.choose_claim_type, name="choose_claim_type"),
    path("file/<str:claim_type>/", views.file_dispute, name="file"),
    path("advice/", views.advice, name="advice"),
    path("disputes/<str:reference>/", views.dispute_detail, name="dispute"),
    path("disputes/<str:reference>/reply/", views.reply, name="reply"),
    path("disputes/<str:reference>/evidence/", views.add_evidence, name="evidence"),
    path("disputes/<str:reference>/appeal/", views.appeal, name="appeal"),
    path("disputes/<str:reference>/withdraw/", views.withdraw, name="withdraw"),
]
