"""The seller portal: filing and following one's own disputes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csv_stream import csv_response
from core.errors import DomainError, NotFound
from core.pagination import paginate_keyset
from disputes import portal_forms as forms
from disputes import selectors, services
from disputes.advice import ADVICE
from disputes.claim_types import CLAIM_TYPES
from disputes.filters import ORDERINGS, DisputeFilterSet
from disputes.models import Dispute
from disputes.views.common import say_ignored_ordering, signed_in_and, submit_form
from evidence.services import attach_evidence_files
from reimbursements.selectors import iter_statement, statement_page, statement_totals

PAGE_SIZE = 20
SESSION_SELLER = "portal_seller_id"


def _acting_seller(request: HttpRequest) -> HttpResponse | None:
    """Set request.seller to the seller the user acts for, or send them to choose one."""
    sellers = selectors.list_sellers_for(user=request.user)
    if not sellers:
        raise PermissionDenied(_("This account is not linked to a seller account."))
    chosen = next((s for s in sellers if s.pk == request.session.get(SESSION_SELLER)), None)
    if chosen is None and len(sellers) == 1:
        chosen = sellers[0]
    if chosen is None:
        return redirect(f"/portal/account/?next={request.get_full_path()}")
    request.seller = chosen
    request.sellers = sellers
    return None


# A signed-in portal user acting for one of their sellers (request.seller).
seller_required = signed_in_and(_acting_seller)


@require_http_methods(["GET", "POST"])
def choose_seller(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    sellers = selectors.list_sellers_for(user=request.user)
    if request.method == "POST":
        wanted = request.POST.get("seller")
        match = next((s for s in sellers if str(s.pk) == wanted), None)
        if match is not None:
            request.session[SESSION_SELLER] = match.pk
            target = request.POST.get("next") or "/portal/"
            return redirect(target if target.startswith("/portal/") else "/portal/")
        messages.error(request, _("Choose one of your seller accounts."))
    return render(
        request,
        "portal/choose_seller.html",
        {"sellers": sellers, "next": request.GET.get("next", "")},
    )


@require_GET
@seller_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    filterset = DisputeFilterSet(
        request.GET or None,
        queryset=selectors.list_portal_disputes(user=request.user, seller=request.seller),
        user=request.user,
        lenient_ordering=True,
    )
    say_ignored_ordering(request, filterset)
    queryset = (
        filterset.qs
        if not filterset.is_bound or filterset.is_valid()
        else filterset.queryset.none()
    )
    try:
        page = paginate_keyset(
            queryset,
            ordering=ORDERINGS["newest"],
            cursor=request.GET.get("cursor"),
            page_size=PAGE_SIZE,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:home")
    query = request.GET.copy()
    query.pop("cursor", None)
    base = query.urlencode()
    return render(
        request,
        "portal/dispute_list.html",
        {
            "filterset": filterset,
            "page": page,
            "next_url": f"?{base}&cursor={page.next_cursor}" if page.next_cursor else None,
            "previous_url": f"?{base}&cursor={page.previous_cursor}"
            if page.previous_cursor
            else None,
            "nav": "disputes",
        },
    )


@require_GET
@seller_required
def choose_claim_type(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/choose_claim_type.html",
        {"claim_types": CLAIM_TYPES.values(), "nav": "file"},
    )


@require_http_methods(["GET", "POST"])
@seller_required
def file_dispute(request: HttpRequest, claim_type: str) -> HttpResponse:
    if claim_type not in CLAIM_TYPES:
        raise Http404
    duplicates, warnings = [], []
    if request.method == "POST":
        form = forms.ClaimForm(request.POST, request.FILES, claim_type=claim_type)
        if form.is_valid() and not form.cleaned_data["file_anyway"]:
            # Warn before filing the same thing twice, or out of its window; the seller may
            # still file.
            try:
                warnings = services.precheck_filing(
                    seller=request.seller,
                    submitted_by=request.user,
                    claim_type=claim_type,
                    fields=form.claim_fields(),
                )
            except DomainError:
                warnings = []  # the filing itself says what is wrong, below
            if any(w["code"] == "duplicate_claim" for w in warnings):
                duplicates = selectors.list_duplicates_of_filing(
                    seller=request.seller, claim_type=claim_type, fields=form.claim_fields()
                )
        if warnings:
            form.data = form.data.copy()
            form.data["file_anyway"] = "1"
            messages.warning(request, _("Read the warning below before you file."))
        elif form.is_valid():
            try:
                dispute = services.file_dispute(
                    seller=request.seller,
                    submitted_by=request.user,
                    claim_type=claim_type,
                    fields=form.claim_fields(),
                    uploads=form.cleaned_data["evidence"],
                    evidence_kind=form.cleaned_data["evidence_kind"],
                    language=request.LANGUAGE_CODE,
                    submission_key=form.cleaned_data["submission_key"],
                )
            except DomainError as exc:
                for name, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Thank you. We received dispute %(ref)s and will e-mail you when it moves.")
                    % {"ref": dispute.reference},
                )
                return _to_case(request, dispute.reference)
        else:
            messages.error(request, _("Some details of the claim need your attention."))
        status = 200 if warnings else 400
    else:
        form = forms.ClaimForm(initial={"submission_key": uuid.uuid4().hex}, claim_type=claim_type)
        status = 200
    return render(
        request,
        "portal/file_dispute.html",
        {
            "form": form,
            "claim_type": CLAIM_TYPES[claim_type],
            "duplicates": duplicates,
            "window_warnings": [w for w in warnings if w["code"] == "filing_window"],
            "nav": "file",
        },
        status=status,
    )


def _to_case(request: HttpRequest, reference: str) -> HttpResponse:
    """Redirect to the case page. The upload script (portal.js) asks for the address instead:
    an XHR follows redirects itself, which would spend the flash message on a page nobody sees."""
    url = reverse("portal:dispute", kwargs={"reference": reference})
    if request.headers.get("X-Upload-Progress"):
        return JsonResponse({"location": url})
    return redirect(url)


def _case(request: HttpRequest, reference: str):
    try:
        return selectors.get_portal_case(
            user=request.user, seller=request.seller, reference=reference
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
@seller_required
def dispute_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        return _render_detail(request, reference)
    except Http404:
        # A case of another of the user's accounts (a link in an e-mail): switch to that one.
        seller = selectors.find_own_seller_of_case(user=request.user, reference=reference)
        if seller is None or seller.pk == request.seller.pk:
            raise
        request.session[SESSION_SELLER] = seller.pk
        messages.info(request, _("You are now acting for %(name)s.") % {"name": seller.name})
        return redirect(request.get_full_path())


def _render_detail(request, reference, *, status=200, **form_overrides):
    case = _case(request, reference)
    context = {
        "case": case,
        "dispute": case.dispute,
        "nav": "disputes",
        "message_form": forms.SellerMessageForm(),
        "evidence_form": forms.EvidenceForm(),
        "appeal_form": forms.AppealForm(),
        "withdraw_form": forms.WithdrawForm(),
        "claim_type": CLAIM_TYPES[case.dispute.claim_type],
    }
    context.update(form_overrides)
    return render(request, "portal/dispute_detail.html", context, status=status)


@dataclass(frozen=True)
class PortalAction:
    """A form on the seller's case page and the service it calls."""

    form: type[Form]
    form_key: str  # the form's name in the page's context
    run: Callable[[Dispute, object, dict], object]
    success: str | Promise


PORTAL_ACTIONS = {
    "reply": PortalAction(
        form=forms.SellerMessageForm,
        form_key="message_form",
        success=gettext_lazy("Your message was sent."),
        run=lambda d, by, c: services.reply_with_evidence(
            dispute=d,
            by=by,
            body=c["body"],
            uploads=c["evidence"],
            evidence_kind=c["evidence_kind"],
        ),
    ),
    "evidence": PortalAction(
        form=forms.EvidenceForm,
        form_key="evidence_form",
        success=gettext_lazy("Your files were added."),
        run=lambda d, by, c: attach_evidence_files(
            dispute=d, uploaded_by=by, uploads=c["evidence"], kind=c["evidence_kind"]
        ),
    ),
    "appeal": PortalAction(
        form=forms.AppealForm,
        form_key="appeal_form",
        success=gettext_lazy("Your appeal was filed. A different specialist will review it."),
        run=lambda d, by, c: services.appeal_dispute(dispute=d, by=by, reason=c["reason"]),
    ),
    "withdraw": PortalAction(
        form=forms.WithdrawForm,
        form_key="withdraw_form",
        success=gettext_lazy("The dispute was withdrawn."),
        run=lambda d, by, c: services.withdraw_dispute(dispute=d, by=by, reason=c["reason"]),
    ),
}


@require_POST
@seller_required
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """A form of the case page (PORTAL_ACTIONS): validate it, call its service."""
    row = PORTAL_ACTIONS[action]
    case = _case(request, reference)
    return submit_form(
        request,
        form=row.form(request.POST, request.FILES),
        call=lambda cleaned: row.run(case.dispute, request.user, cleaned),
        success=row.success,
        done=lambda: _to_case(request, reference),
        show_again=lambda form, status: _render_detail(
            request, reference, status=status, **{row.form_key: form}
        ),
    )


@require_GET
@seller_required
def advice(request: HttpRequest) -> HttpResponse:
    counts = selectors.count_defects_by_month(seller=request.seller)
    months = sorted({row["month"] for row in counts["by_month"]})
    types = sorted({row["claim_type"] for row in counts["by_month"]})
    series = {t: [0] * len(months) for t in types}
    for row in counts["by_month"]:
        series[row["claim_type"]][months.index(row["month"])] = row["n"]
    chart = {
        "labels": [m.strftime("%Y-%m") for m in months],
        "datasets": [{"label": str(CLAIM_TYPES[t].label), "data": series[t]} for t in types],
    }
    rows = [
        {
            **row,
            "label": CLAIM_TYPES[row["claim_type"]].label,
            "advice": ADVICE.get(row["claim_type"], ""),
        }
        for row in counts["by_type"]
    ]
    return render(
        request,
        "portal/advice.html",
        {"chart": chart, "rows": rows, "causes": counts["by_root_cause"], "nav": "advice"},
    )


@require_GET
@seller_required
def reimbursements(request: HttpRequest) -> HttpResponse:
    """Every payout and reversal of the seller, newest first, with totals per currency."""
    seller_ids = [request.seller.pk]
    page_number = request.GET.get("page", "1")
    page_number = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
    lines, has_more = statement_page(seller_ids=seller_ids, page=page_number)
    return render(
        request,
        "portal/reimbursements.html",
        {
            "lines": lines,
            "totals": statement_totals(seller_ids=seller_ids),
            "page_number": page_number,
            "next_page": page_number + 1 if has_more else None,
            "previous_page": page_number - 1 if page_number > 1 else None,
            "nav": "reimbursements",
        },
    )


@require_GET
@seller_required
def reimbursements_csv(request: HttpRequest) -> HttpResponse:
    """The statement as CSV, in the seller's language, streamed."""
    language = translation.get_language()
    lines = iter_statement(seller_ids=[request.seller.pk])

    def rows():
        with translation.override(language):
            yield [str(label) for label in STATEMENT_HEADER]
            for line in lines:
                yield [
                    line.when.date().isoformat() if line.when else "",
                    _("Payout") if line.kind == "payout" else _("Reversal"),
                    line.reference,
                    line.case,
                    line.units,
                    line.unit_value,
                    line.rate,
                    "" if line.amount is None else line.amount,
                    line.currency,
                    str(line.state.label),
                ]

    return csv_response(rows(), "reimbursements.csv")


STATEMENT_HEADER = [
    gettext_lazy("Date"),
    gettext_lazy("Kind"),
    gettext_lazy("Reference"),
    gettext_lazy("Dispute"),
    gettext_lazy("Units"),
    gettext_lazy("Unit value"),
    gettext_lazy("Rate"),
    gettext_lazy("Amount"),
    gettext_lazy("Currency"),
    gettext_lazy("Status"),
]
