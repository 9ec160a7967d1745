from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [path("<int:evidence_id>/", views.evidence_file, name="file")]
