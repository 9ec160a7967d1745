"""Evidence files are served only through this view, after checking who is asking."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from core.errors import NotFound
from disputes.selectors import get_evidence_file_for

# Shown in the page: pictures only. A PDF can carry scripts (OpenAction), so it is a download.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}


@require_GET
def evidence_file(request: HttpRequest, evidence_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        evidence = get_evidence_file_for(user=request.user, evidence_id=evidence_id)
    except NotFound as exc:
        raise Http404 from exc  # someone else's evidence does not exist for this user
    inline = request.GET.get("inline") == "1" and evidence.content_type in INLINE_TYPES
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=not inline,
        filename=evidence.download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response
