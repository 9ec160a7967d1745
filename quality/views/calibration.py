"""The calibration pages: the list of the viewer's calibrations, a team lead starting one, and
the calibration page (the case read-only beside the viewer's scorecard; the results once the
blind phase is over for the viewer; the lead closing it).

What the viewer may see is the selector's call, what they may do the services'; the page only
offers the forms that apply."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from disputes.views.common import staff_with, submit_form
from quality import selectors
from quality.qa import close_calibration, start_calibration, submit_calibration_score
from quality.selectors import CalibrationPage
from quality.views.common import team_pages
from quality.views.forms import CalibrationScoreForm, StartCalibrationForm

lead_pages = staff_with(
    "disputes.supervise_dispute", gettext_lazy("Only a team lead can start a calibration.")
)


@require_GET
@team_pages
def calibrations(request: HttpRequest) -> HttpResponse:
    """The calibrations the viewer takes part in, open and closed, newest first."""
    try:
        page = selectors.page_calibrations_for(user=request.user, cursor=request.GET.get("cursor"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("quality:calibrations")
    return render(
        request, "quality/qa_calibrations.html", {"page": page, "nav": "qa", "tab": "calibrations"}
    )


@require_http_methods(["GET", "POST"])
@lead_pages
def calibration_new(request: HttpRequest) -> HttpResponse:
    """A team lead picks a decided case (`?case=` fills it in) and the reviewers."""
    candidates = selectors.list_calibration_candidates(exclude=request.user)
    if request.method == "GET":
        form = StartCalibrationForm(
            initial={"case": request.GET.get("case", "")}, candidates=candidates
        )
        return _render_new(request, form)
    form = StartCalibrationForm(request.POST, candidates=candidates)
    started = []

    def start(cleaned: dict) -> None:
        try:
            decision = selectors.get_decision_to_sample(
                user=request.user, reference=cleaned["case"].strip()
            )
        except NotFound as exc:
            # A reference typed in a form: the field says what is wrong, not a 404 page.
            raise InvalidInput(exc.message, fields={"case": [exc.message]}) from exc
        started.append(
            start_calibration(
                decision=decision,
                reviewers=cleaned["reviewers"] or [],
                by=request.user,
                due_on=cleaned["due_on"],
                note=cleaned["note"],
            )
        )

    return submit_form(
        request,
        form=form,
        call=start,
        success=_("The calibration is started: score the case yourself too."),
        done=lambda: redirect("quality:calibration", started[0].pk),
        show_again=lambda bound, status: _render_new(request, bound, status=status),
    )


def _render_new(request: HttpRequest, form: StartCalibrationForm, *, status: int = 200):
    return render(
        request,
        "quality/qa_calibration_new.html",
        {"form": form, "nav": "qa", "tab": "calibrations"},
        status=status,
    )


def _page(request: HttpRequest, calibration_id: int) -> CalibrationPage:
    try:
        return selectors.get_calibration_page_for(user=request.user, calibration_id=calibration_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _render(
    request: HttpRequest,
    page: CalibrationPage,
    *,
    status: int = 200,
    score_form: CalibrationScoreForm | None = None,
) -> HttpResponse:
    scored = page.mine.score.submitted_at is not None
    if page.is_open and not scored:
        score_form = score_form or CalibrationScoreForm(page.calibration)
    return render(
        request,
        "quality/qa_calibration.html",
        {
            "page": page,
            "calibration": page.calibration,
            "results": page.results,
            "case": page.case,
            "dispute": page.case.dispute,
            "read_only": True,
            "nav": "qa",
            "score_form": score_form if page.is_open and not scored else None,
            "close_offered": page.is_open and page.is_lead and scored,
        },
        status=status,
    )


@require_GET
@team_pages
def calibration(request: HttpRequest, calibration_id: int) -> HttpResponse:
    """The case beside the viewer's scorecard; the results once the viewer may see them."""
    return _render(request, _page(request, calibration_id))


@require_POST
@team_pages
def calibration_score(request: HttpRequest, calibration_id: int) -> HttpResponse:
    page = _page(request, calibration_id)
    form = CalibrationScoreForm(page.calibration, request.POST)
    return submit_form(
        request,
        form=form,
        call=lambda _cleaned: submit_calibration_score(
            calibration=page.calibration, by=request.user, **form.arguments()
        ),
        success=_("Your scorecard is in."),
        done=lambda: redirect("quality:calibration", calibration_id),
        show_again=lambda bound, status: _render(request, page, status=status, score_form=bound),
    )


@require_POST
@team_pages
def calibration_close(request: HttpRequest, calibration_id: int) -> HttpResponse:
    """The lead ends the blind phase."""
    try:
        calibration = selectors.get_calibration_for(
            user=request.user, calibration_id=calibration_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        close_calibration(calibration=calibration, by=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The calibration is closed: everyone who scored it now sees the results.")
        )
    return redirect("quality:calibration", calibration_id)
