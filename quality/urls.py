from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("service/", views.service, name="service"),
    path("productivity/", views.productivity, name="productivity"),
    path("money/", views.money, name="money"),
    path("defects/", views.defects, name="defects"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge_alert"),
    path("weekly/", views.weekly, name="weekly"),
    path("me/", views.my_numbers, name="mine"),
]
