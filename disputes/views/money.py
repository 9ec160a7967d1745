"""The money pages of the workspace: the approvals queue (team leads), the reversals queue
(specialists) and payouts (finance). Thin: a form, a service or selector, a page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.csv_stream import csv_response
from core.errors import DomainError, NotFound
from core.pagination import paginate_keyset
from disputes import forms
from disputes.views.common import staff_with
from reimbursements import selectors
from reimbursements.filters import FinanceExportForm
from reimbursements.services import (
    cancel_reversal,
    complete_reversal,
    create_payout_batch,
    mark_batch_paid,
    review_many,
)

PAGE_SIZE = 50


lead_required = staff_with("reimbursements.approve_reimbursement")
specialist_required = staff_with("disputes.work_dispute")
finance_required = staff_with("reimbursements.pay_reimbursement")


def _page(request: HttpRequest, queryset, ordering):
    try:
        return paginate_keyset(
            queryset, ordering=ordering, cursor=request.GET.get("cursor"), page_size=PAGE_SIZE
        )
    except DomainError:
        return paginate_keyset(queryset, ordering=ordering, cursor=None, page_size=PAGE_SIZE)


def _say(request: HttpRequest, error: DomainError) -> None:
    problems = [message for field in error.fields.values() for message in field]
    messages.error(request, " ".join([error.message, *problems]))


# --- approvals ----------------------------------------------------------------------------------


@require_GET
@lead_required
def approvals(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.list_pending_approvals(), selectors.APPROVALS_ORDER)
    return render(
        request,
        "workspace/approvals.html",
        {"page": page, "nav": "approvals", "user_id": request.user.pk},
    )


@require_POST
@lead_required
def review_payouts(request: HttpRequest) -> HttpResponse:
    data = request.POST.copy()
    verdict, _sep, row = request.POST.get("row", "").partition(":")
    if row.isdigit():  # one row's own button: that row, with its own reason
        data.setlist("ids", [row])
        data["verdict"] = verdict
        data["reason"] = request.POST.get(f"reason_{row}", "")
    form = forms.ReviewPayoutsForm(data)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("workspace:approvals")
    data = form.cleaned_data
    try:
        result = review_many(
            reimbursement_ids=data["ids"],
            by=request.user,
            verdict=data["verdict"],
            reason=data["reason"],
        )
    except DomainError as error:
        _say(request, error)
        return redirect("workspace:approvals")
    if result.done:
        text = (
            _("Approved: %(refs)s.") if data["verdict"] == "approve" else _("Rejected: %(refs)s.")
        )
        messages.success(request, text % {"refs": ", ".join(result.done)})
    for reference, why in result.refused.items():
        messages.error(request, f"{reference}: {why}")
    return redirect("workspace:approvals")


# --- reversals ----------------------------------------------------------------------------------


@require_GET
@specialist_required
def reversals(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.list_pending_reversals(), ("created_at", "id"))
    return render(
        request,
        "workspace/reversals.html",
        {"page": page, "nav": "reversals", "cancel_form": forms.CancelReversalForm()},
    )


@require_POST
@specialist_required
def resolve_reversal(request: HttpRequest, reversal_id: int, verdict: str) -> HttpResponse:
    if verdict not in ("complete", "cancel"):
        raise Http404
    try:
        reversal = selectors.get_reversal(reversal_id=reversal_id)
    except NotFound as error:
        raise Http404(error.message) from error
    back = request.POST.get("back", "")
    back = back if url_has_allowed_host_and_scheme(back, allowed_hosts=None) else None
    try:
        if verdict == "complete":
            complete_reversal(reversal=reversal, by=request.user)
            messages.success(
                request, _("Reversal %(ref)s completed.") % {"ref": reversal.reference}
            )
        else:
            cancel_reversal(
                reversal=reversal, by=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(
                request, _("Reversal %(ref)s cancelled.") % {"ref": reversal.reference}
            )
    except DomainError as error:
        _say(request, error)
    return redirect(back or "workspace:reversals")


# --- payouts (finance) --------------------------------------------------------------------------


@require_GET
@finance_required
def payouts(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.list_batches(), ("-created_at", "-id"))
    return render(
        request,
        "workspace/payouts.html",
        {
            "ready": selectors.list_ready_to_batch(),
            "page": page,
            "paid_form": forms.MarkPaidForm(),
            "export_form": FinanceExportForm(),
            "nav": "payouts",
        },
    )


@require_POST
@finance_required
def create_batch(request: HttpRequest) -> HttpResponse:
    form = forms.PayoutBatchForm(request.POST)
    if form.is_valid():
        try:
            batch, _created = create_payout_batch(by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("Batch %(ref)s: %(n)s payouts, %(total)s %(currency)s.")
                % {
                    "ref": batch.reference,
                    "n": batch.item_count,
                    "total": batch.total,
                    "currency": batch.currency,
                },
            )
        except DomainError as error:
            _say(request, error)
    return redirect("workspace:payouts")


@require_POST
@finance_required
def batch_paid(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        batch = selectors.get_batch(reference=reference)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        mark_batch_paid(
            batch=batch,
            by=request.user,
            payment_reference=request.POST.get("payment_reference", ""),
        )
        messages.success(request, _("Batch %(ref)s is paid.") % {"ref": reference})
    except DomainError as error:
        _say(request, error)
    return redirect("workspace:payouts")


@require_GET
@staff_with("reimbursements.export_reimbursement")
def finance_export(request: HttpRequest) -> HttpResponse:
    form = FinanceExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("workspace:payouts")
    return csv_response(selectors.finance_rows(**form.cleaned_data), "finance-export.csv")
