"""The specialist workspace: thin views that parse input, call a service or selector, render."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, NotFound
from core.pagination import paginate_keyset
from disputes import forms, selectors, services
from disputes import permissions as perms
from disputes.filters import ORDERINGS, DisputeFilterSet
from disputes.models import Dispute, ResponseTemplate
from disputes.responses import render_template
from disputes.status import Priority

PAGE_SIZE = 25


def staff_required(view):
    """Staff only: anonymous users go to the login page, sellers are refused."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied(_("The workspace is for marketplace staff."))
        return view(request, *args, **kwargs)

    return wrapper


def _dispute(request: HttpRequest, reference: str) -> Dispute:
    try:
        return selectors.get_dispute_for(user=request.user, reference=reference)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspace/home.html",
        {
            "queues": selectors.count_queue_overview_for(user=request.user),
            "mine": selectors.count_my_work(user=request.user),
            "saved_views": selectors.list_saved_views_for(user=request.user),
            "nav": "home",
        },
    )


@require_POST
@staff_required
def next_case(request: HttpRequest) -> HttpResponse:
    try:
        dispute = services.take_next_case(user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("workspace:home")
    if dispute is None:
        messages.info(request, _("No case is waiting in your queues. Well done."))
        return redirect("workspace:home")
    messages.success(request, _("%(ref)s is yours.") % {"ref": dispute.reference})
    return redirect("workspace:case", reference=dispute.reference)


@require_GET
@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    filterset = DisputeFilterSet(
        request.GET or None,
        queryset=selectors.list_case_rows_for(user=request.user),
        user=request.user,
    )
    if filterset.is_bound and not filterset.is_valid():
        queryset = filterset.queryset.none()  # keeps the sort keys the paginator orders by
    else:
        queryset = filterset.qs
    try:
        page = paginate_keyset(
            queryset,
            ordering=ORDERINGS[filterset.ordering_key],
            cursor=request.GET.get("cursor"),
            page_size=PAGE_SIZE,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('workspace:cases')}?{_without(request.GET, 'cursor')}")
    query = _without(request.GET, "cursor")
    return render(
        request,
        "workspace/case_list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query,
            "next_url": _page_url(query, page.next_cursor),
            "previous_url": _page_url(query, page.previous_cursor),
            "saved_views": selectors.list_saved_views_for(user=request.user),
            "bulk_form": forms.BulkForm(),
            "priorities": Priority.choices,
            "nav": "cases",
        },
    )


def _without(params: QueryDict, name: str) -> str:
    copy = params.copy()
    copy.pop(name, None)
    return copy.urlencode()


def _page_url(query: str, cursor: str | None) -> str | None:
    if not cursor:
        return None
    return "?" + "&".join(p for p in (query, urlencode({"cursor": cursor})) if p)


@require_POST
@staff_required
def save_view(request: HttpRequest) -> HttpResponse:
    form = forms.SaveViewForm(request.POST)
    if form.is_valid():
        services.save_view(
            owner=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
        )
        messages.success(request, _("View “%(name)s” saved.") % form.cleaned_data)
    else:
        messages.error(request, _("Give the view a name."))
    return redirect(f"{reverse('workspace:cases')}?{form.data.get('query', '')}")


@require_POST
@staff_required
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    services.delete_saved_view(owner=request.user, view_id=view_id)
    return redirect("workspace:home")


@require_POST
@staff_required
def bulk_action(request: HttpRequest) -> HttpResponse:
    form = forms.BulkForm(request.POST)
    back = request.POST.get("back") or reverse("workspace:cases")
    if not back.startswith("/"):
        back = reverse("workspace:cases")
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(
            request, " ".join(str(e) for e in errors) or _("Choose cases and an action.")
        )
        return redirect(back)
    data = form.cleaned_data
    done, failed = 0, []
    target = None
    if data["action"] == "merge":
        try:
            target = selectors.get_dispute_for(user=request.user, reference=data["into"].strip())
        except NotFound:
            messages.error(request, _("No dispute %(ref)s.") % {"ref": data["into"]})
            return redirect(back)
    for reference in data["references"]:
        try:
            dispute = selectors.get_dispute_for(user=request.user, reference=reference)
            if data["action"] == "assign":
                services.assign_dispute(dispute=dispute, assignee=data["assignee"], by=request.user)
            elif data["action"] == "priority":
                services.change_priority(
                    dispute=dispute, by=request.user, priority=data["priority"]
                )
            elif data["action"] == "merge":
                if dispute.pk == target.pk:
                    continue
                services.merge_dispute(dispute=dispute, into=target, by=request.user)
            done += 1
        except DomainError as exc:
            failed.append(f"{reference}: {exc.message}")
    if done:
        messages.success(request, _("%(n)s cases updated.") % {"n": done})
    for line in failed:
        messages.error(request, line)
    return redirect(back)


@require_GET
@staff_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_case(request, reference)


def _render_case(
    request: HttpRequest,
    reference: str,
    *,
    forms_override=None,
    status: int = 200,
    open_panel: str = "",
) -> HttpResponse:
    try:
        case = selectors.get_case_page(user=request.user, reference=reference)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    dispute = case.dispute
    proposal = None
    if dispute.quantity:
        from reimbursements.selectors import get_active_policy
        from reimbursements.services import propose_amount

        proposal = propose_amount(
            dispute=dispute,
            quantity=dispute.quantity,
            policy=get_active_policy(claim_type=dispute.claim_type),
        )
    initial = {"version": dispute.version}
    context_forms = {
        "reply_form": forms.MessageForm(initial=initial, prefix="reply"),
        "info_form": forms.MessageForm(initial=initial, prefix="info"),
        "note_form": forms.NoteForm(prefix="note"),
        "escalate_form": forms.EscalateForm(initial=initial),
        "resolve_form": forms.ResolveEscalationForm(),
        "decide_form": forms.DecideForm(initial={**initial, "approved_quantity": dispute.quantity}),
        "merge_form": forms.MergeForm(),
        "assign_form": forms.AssignForm(initial=initial),
        "priority_form": forms.PriorityForm(initial={"priority": dispute.priority}),
        "restrict_form": forms.ReasonForm(prefix="restrict"),
        "close_form": forms.ReasonForm(prefix="close"),
    }
    context_forms.update(forms_override or {})
    return render(
        request,
        "workspace/case_detail.html",
        {
            "case": case,
            "dispute": dispute,
            "proposal": proposal,
            "can_work": perms.can_work(request.user, dispute),
            "open_panel": open_panel,
            "nav": "cases",
            **context_forms,
        },
        status=status,
    )


# --- actions ----------------------------------------------------------------------------------


def _act(request: HttpRequest, reference: str, *, form, form_key: str, call, success: str):
    """Validate the form, call the service; on refusal show the page again with the input kept."""
    dispute = _dispute(request, reference)
    if form.is_valid():
        try:
            call(dispute, form.cleaned_data)
        except DomainError as exc:
            for name, errors in exc.fields.items():
                if name in form.fields:
                    for error in errors:
                        form.add_error(name, error)
            messages.error(request, exc.message)
            return _render_case(
                request,
                reference,
                forms_override={form_key: form},
                status=exc.http_status,
                open_panel=form_key,
            )
        messages.success(request, success)
        return redirect("workspace:case", reference=reference)
    messages.error(request, _("Please correct the highlighted fields."))
    return _render_case(
        request, reference, forms_override={form_key: form}, status=400, open_panel=form_key
    )


def _version(data) -> int | None:
    return data.get("version")


@require_POST
@staff_required
def reply(request, reference):
    return _act(
        request,
        reference,
        form=forms.MessageForm(request.POST, prefix="reply"),
        form_key="reply_form",
        success=_("Reply sent to the seller."),
        call=lambda d, c: services.reply_to_seller(
            dispute=d, by=request.user, body=c["body"], expected_version=_version(c)
        ),
    )


@require_POST
@staff_required
def request_info(request, reference):
    return _act(
        request,
        reference,
        form=forms.MessageForm(request.POST, prefix="info"),
        form_key="info_form",
        success=_("Information requested; the SLA clock is paused."),
        call=lambda d, c: services.request_information(
            dispute=d, by=request.user, body=c["body"], expected_version=_version(c)
        ),
    )


@require_POST
@staff_required
def add_note(request, reference):
    return _act(
        request,
        reference,
        form=forms.NoteForm(request.POST, prefix="note"),
        form_key="note_form",
        success=_("Internal note added."),
        call=lambda d, c: services.add_internal_note(dispute=d, by=request.user, body=c["body"]),
    )


@require_POST
@staff_required
def escalate(request, reference):
    return _act(
        request,
        reference,
        form=forms.EscalateForm(request.POST),
        form_key="escalate_form",
        success=_("Escalated."),
        call=lambda d, c: services.escalate_dispute(
            dispute=d,
            by=request.user,
            team=c["team"],
            reason=c["reason"],
            expected_version=_version(c),
        ),
    )


@require_POST
@staff_required
def resolve_escalation(request, reference):
    return _act(
        request,
        reference,
        form=forms.ResolveEscalationForm(request.POST),
        form_key="resolve_form",
        success=_("Answer recorded; the case is back in review."),
        call=lambda d, c: services.resolve_escalation(
            dispute=d, by=request.user, answer=c["answer"]
        ),
    )


@require_POST
@staff_required
def decide(request, reference):
    return _act(
        request,
        reference,
        form=forms.DecideForm(request.POST),
        form_key="decide_form",
        success=_("Decision recorded and sent to the seller."),
        call=lambda d, c: services.decide_dispute(
            dispute=d,
            by=request.user,
            outcome=c["outcome"],
            reason_code=c["reason_code"],
            approved_quantity=c["approved_quantity"],
            amount=c["amount"],
            amount_change_reason=c["amount_change_reason"],
            explanation=c["explanation"],
            expected_version=_version(c),
        ),
    )


@require_POST
@staff_required
def merge(request, reference):
    def call(dispute, cleaned):
        into = selectors.get_dispute_for(user=request.user, reference=cleaned["into"].strip())
        services.merge_dispute(dispute=dispute, into=into, by=request.user)

    return _act(
        request,
        reference,
        form=forms.MergeForm(request.POST),
        form_key="merge_form",
        success=_("Merged."),
        call=call,
    )


@require_POST
@staff_required
def assign(request, reference):
    return _act(
        request,
        reference,
        form=forms.AssignForm(request.POST),
        form_key="assign_form",
        success=_("Assigned."),
        call=lambda d, c: services.assign_dispute(
            dispute=d, assignee=c["assignee"], by=request.user, expected_version=_version(c)
        ),
    )


@require_POST
@staff_required
def take(request, reference):
    dispute = _dispute(request, reference)
    try:
        services.assign_dispute(dispute=dispute, assignee=request.user, by=request.user)
        messages.success(request, _("%(ref)s is yours.") % {"ref": reference})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("workspace:case", reference=reference)


@require_POST
@staff_required
def set_priority(request, reference):
    return _act(
        request,
        reference,
        form=forms.PriorityForm(request.POST),
        form_key="priority_form",
        success=_("Priority changed."),
        call=lambda d, c: services.change_priority(
            dispute=d, by=request.user, priority=c["priority"]
        ),
    )


@require_POST
@staff_required
def recommend_restriction(request, reference):
    return _act(
        request,
        reference,
        form=forms.ReasonForm(request.POST, prefix="restrict"),
        form_key="restrict_form",
        success=_("Restriction recommended; a team lead will review it."),
        call=lambda d, c: services.recommend_restriction(
            dispute=d, by=request.user, reason=c["reason"]
        ),
    )


@require_POST
@staff_required
def close(request, reference):
    return _act(
        request,
        reference,
        form=forms.ReasonForm(request.POST, prefix="close"),
        form_key="close_form",
        success=_("Closed."),
        call=lambda d, c: services.close_dispute(dispute=d, by=request.user, reason=c["reason"]),
    )


@require_POST
@staff_required
def reimbursement_decision(request, reference, reimbursement_id: int, verdict: str):
    from reimbursements.models import Reimbursement
    from reimbursements.services import (
        approve_reimbursement,
        reject_reimbursement,
        revise_reimbursement,
    )

    if verdict not in ("approve", "reject", "revise"):
        raise Http404
    dispute = _dispute(request, reference)
    reimbursement = Reimbursement.objects.filter(pk=reimbursement_id, dispute=dispute).first()
    if reimbursement is None:
        raise Http404
    try:
        if verdict == "approve":
            approve_reimbursement(reimbursement=reimbursement, by=request.user)
            messages.success(request, _("Reimbursement approved."))
        elif verdict == "reject":
            reject_reimbursement(
                reimbursement=reimbursement, by=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Reimbursement rejected."))
        else:
            revised = revise_reimbursement(
                reimbursement=reimbursement,
                by=request.user,
                amount=request.POST.get("amount", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(
                request,
                _("Revised reimbursement proposed: %(amount)s %(currency)s.")
                % {"amount": revised.amount, "currency": revised.currency},
            )
    except DomainError as exc:
        # These small inline forms have no field slots: say every problem in the message.
        problems = [message for field in exc.fields.values() for message in field]
        messages.error(request, " ".join([exc.message, *problems]))
    return redirect("workspace:case", reference=reference)


@require_GET
@staff_required
def template_text(request, reference, template_id: int):
    """The template's body with the case's placeholders filled, for the reply box (htmx)."""
    dispute = _dispute(request, reference)
    template = ResponseTemplate.objects.filter(pk=template_id, is_active=True).first()
    if template is None:
        raise Http404
    return HttpResponse(
        render_template(template, dispute=dispute, specialist=request.user),
        content_type="text/plain; charset=utf-8",
    )
