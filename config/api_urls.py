"""/api/v1/: one router for every app's viewsets."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from disputes.api.views import DisputeViewSet, SellerViewSet
from evidence.api.views import RecordImportView
from reimbursements.api.views import PayoutBatchViewSet, ReimbursementViewSet, ReversalViewSet

router = SimpleRouter(trailing_slash=True)
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("sellers", SellerViewSet, basename="seller")
router.register("reimbursements", ReimbursementViewSet, basename="reimbursement")
router.register("reversals", ReversalViewSet, basename="reversal")
router.register("payout-batches", PayoutBatchViewSet, basename="payout-batch")

app_name = "api"
urlpatterns = [
    *router.urls,
    path("records/<str:kind>/", RecordImportView.as_view(), name="records-import"),
]
