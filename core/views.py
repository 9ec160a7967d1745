"""Pages that belong to no app: the front door, the health checks and the API docs."""

from __future__ import annotations

from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularSwaggerView

from core.health import check_broker, check_cache, check_database


@require_GET
def home(request: HttpRequest):
    """Signed-in people go straight to their side of Arbiter; others see the front door."""
    user = request.user
    if user.is_authenticated and user.is_staff:
        return redirect("workspace:home")
    if user.is_authenticated:
        try:
            return redirect(reverse("portal:home"))
        except NoReverseMatch:
            pass
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 (with which one failed) otherwise.
    Without the cache Arbiter still works (rate limits fail open): "degraded", still 200."""
    checks = {"database": check_database(), "broker": check_broker(), "cache": check_cache()}
    healthy = checks["database"]["ok"] and checks["broker"]["ok"]
    state = "unavailable" if not healthy else "ok" if checks["cache"]["ok"] else "degraded"
    return JsonResponse({"status": state, "checks": checks}, status=200 if healthy else 503)


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """The process answers: no database, no broker (a liveness probe; the benchmark's floor)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers one query (a readiness probe; the benchmark's one-query floor)."""
    database = check_database()
    return JsonResponse(
        {"status": "ok" if database["ok"] else "unavailable", "checks": {"database": database}},
        status=200 if database["ok"] else 503,
    )


# Swagger UI starts from an inline script and an inline style block: this page alone lets in
# the two that carry its nonce, and the images its stylesheet embeds as data: URIs.
@method_decorator(
    csp_update({"script-src": NONCE, "style-src": NONCE, "img-src": "data:"}), name="dispatch"
)
class ApiDocsView(SpectacularSwaggerView):
    """/api/docs/: Swagger UI (served from our own static files) under the site's CSP."""

    template_name = "core/swagger_ui.html"
