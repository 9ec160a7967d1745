"""The QA pages: a reviewer's inbox (reviews and calibration scorecards waiting), the review
page (score; the specialist's contest; a team lead's verdict) and a team lead sending a decided
case to QA from the case page.

Who may do what is the services' call; the page only offers the forms that apply."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, NotAllowed, NotFound
from disputes.views.common import submit_form
from disputes.views.workspace import staff_required
from quality import selectors
from quality.permissions import can_resolve_qa_contest, can_review_qa
from quality.qa import (
    contest_review,
    reassign_review,
    resolve_contest,
    send_to_qa,
    submit_review,
)
from quality.qa_status import QAStatus
from quality.selectors import ReviewPage
from quality.views.common import team_pages
from quality.views.forms import ContestForm, ReassignForm, ResolveForm, ReviewForm


@require_GET
@team_pages
def qa_inbox(request: HttpRequest) -> HttpResponse:
    """The viewer's due reviews, oldest sample first, a keyset page at a time."""
    try:
        page = selectors.page_qa_inbox_for(user=request.user, cursor=request.GET.get("cursor"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("quality:qa_inbox")
    return render(
        request,
        "quality/qa_inbox.html",
        {
            "page": page,
            "calibrations": selectors.list_waiting_calibrations_for(user=request.user),
            "nav": "qa",
            "tab": "inbox",
        },
    )


def _page(request: HttpRequest, review_id: int) -> ReviewPage:
    try:
        return selectors.get_review_page_for(user=request.user, review_id=review_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _render(request: HttpRequest, page: ReviewPage, *, status: int = 200, **forms):
    review, user = page.review, request.user
    involved = user.pk in (review.specialist_id, review.reviewer_id)
    offered = {
        "review_form": review.status == QAStatus.DUE
        and can_review_qa(user)
        and user.pk != review.specialist_id
        and (user.pk == review.reviewer_id or can_resolve_qa_contest(user)),
        "contest_form": review.status == QAStatus.SUBMITTED and user.pk == review.specialist_id,
        "resolve_form": review.status == QAStatus.CONTESTED
        and can_resolve_qa_contest(user)
        and not involved,
        "reassign_form": review.status == QAStatus.DUE and can_resolve_qa_contest(user),
    }
    make = {
        "review_form": lambda: ReviewForm(review),
        "contest_form": ContestForm,
        "resolve_form": lambda: ResolveForm(review),
        "reassign_form": lambda: _reassign_form(review),
    }
    context = {name: forms.get(name) or make[name]() for name, shown in offered.items() if shown}
    return render(
        request,
        "quality/qa_review.html",
        {
            "page": page,
            "review": review,
            "case": page.case,
            "dispute": page.case.dispute,
            "read_only": True,
            "nav": "qa",
            **context,
        },
        status=status,
    )


@require_GET
@staff_required
def qa_review(request: HttpRequest, review_id: int) -> HttpResponse:
    """The review beside the case, read-only; with the form the viewer may act with."""
    return _render(request, _page(request, review_id))


def _post(request: HttpRequest, page: ReviewPage, *, name: str, form, call, success: str):
    """Call the service with the form; on a refusal, the page again with the form and the
    service's words on it."""
    return submit_form(
        request,
        form=form,
        call=lambda _cleaned: call(page.review, form),
        success=success,
        done=lambda: redirect("quality:qa_review", page.review.pk),
        show_again=lambda bound, status: _render(request, page, status=status, **{name: bound}),
    )


@require_POST
@staff_required
def qa_score(request: HttpRequest, review_id: int) -> HttpResponse:
    page = _page(request, review_id)
    return _post(
        request,
        page,
        name="review_form",
        form=ReviewForm(page.review, request.POST),
        call=lambda review, form: submit_review(review=review, by=request.user, **form.arguments()),
        success=_("The review is scored."),
    )


@require_POST
@staff_required
def qa_contest(request: HttpRequest, review_id: int) -> HttpResponse:
    return _post(
        request,
        _page(request, review_id),
        name="contest_form",
        form=ContestForm(request.POST),
        call=lambda review, form: contest_review(
            review=review, by=request.user, reason=form.cleaned_data["reason"]
        ),
        success=_("Your contest is sent to the team leads."),
    )


@require_POST
@staff_required
def qa_resolve(request: HttpRequest, review_id: int) -> HttpResponse:
    page = _page(request, review_id)
    return _post(
        request,
        page,
        name="resolve_form",
        form=ResolveForm(page.review, request.POST),
        call=lambda review, form: resolve_contest(
            review=review, by=request.user, **form.arguments()
        ),
        success=_("The contest is settled."),
    )


def _reassign_form(review, data=None) -> ReassignForm:
    return ReassignForm(review, data, candidates=selectors.list_calibration_candidates())


@require_POST
@staff_required
def qa_reassign(request: HttpRequest, review_id: int) -> HttpResponse:
    page = _page(request, review_id)
    return _post(
        request,
        page,
        name="reassign_form",
        form=_reassign_form(page.review, request.POST),
        call=lambda review, form: reassign_review(
            review=review, to=form.cleaned_data["reviewer"], by=request.user
        ),
        success=_("The review has a new reviewer."),
    )


@require_POST
@staff_required
def qa_send(request: HttpRequest, reference: str) -> HttpResponse:
    """A team lead sends the case's latest decision to QA, from the case page."""
    try:
        decision = selectors.get_decision_to_sample(user=request.user, reference=reference)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        review = send_to_qa(
            decision=decision, by=request.user, reason=request.POST.get("reason", "")
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if review.reviewer_id:
            messages.success(
                request,
                _("Sent to QA: %(reviewer)s reviews it.")
                % {"reviewer": review.reviewer.get_username()},
            )
        else:
            messages.success(request, _("Sent to QA: it waits for a free reviewer."))
    return redirect("workspace:case", reference)
