"""The specialist workspace: thin views that parse input, call a service or selector, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, NotFound
from core.pagination import paginate_keyset
from disputes import forms, selectors, services
from disputes import permissions as perms
from disputes.actions import (
    PANELS_BY_NAME,
    WORKSPACE_ACTIONS,
    CaseAction,
    panel_open_first,
    panels_offered,
)
from disputes.filters import ORDERINGS, DisputeFilterSet
from disputes.models import Dispute
from disputes.status import QUEUED, Priority
from disputes.views.common import say_ignored_ordering, signed_in_and, submit_form
from quality.selectors import list_reviews_of_case
from reimbursements.selectors import get_reimbursement_on
from reimbursements.services import (
    approve_reimbursement,
    reject_reimbursement,
    revise_reimbursement,
)

PAGE_SIZE = 25


def _staff_only(request: HttpRequest) -> None:
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied(_("The workspace is for marketplace staff."))


# Staff only: anonymous users go to the login page, sellers are refused.
staff_required = signed_in_and(_staff_only)


def _dispute(request: HttpRequest, reference: str) -> Dispute:
    try:
        return selectors.get_dispute_for(user=request.user, reference=reference)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """Team leads and QA reviewers start on the service dashboard, everyone else on queues."""
    if request.user.has_perm("disputes.review_quality"):
        return redirect("quality:service")
    return queues(request)


@require_GET
@staff_required
def queues(request: HttpRequest) -> HttpResponse:
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
        lenient_ordering=True,
    )
    say_ignored_ordering(request, filterset)
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
    back = request.POST.get("back") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None):  # only our own paths
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
    open_form=None,
    status: int = 200,
    open_panel: str = "",
) -> HttpResponse:
    """The case page; `open_panel` is shown open with its form (`open_form`, or a fresh one)."""
    try:
        case = selectors.get_case_page(user=request.user, reference=reference)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    dispute = case.dispute
    panels = panels_offered(request.user, dispute)
    context = {}
    if open_panel:
        panel = WORKSPACE_ACTIONS[open_panel]
        context = {"open_form": open_form or _fresh_form(panel, dispute), **panel.context(dispute)}
    # The case's QA reviews, for those who send cases to QA or score them.
    sees_qa = request.user.has_perm("disputes.supervise_dispute") or request.user.has_perm(
        "disputes.review_quality"
    )
    return render(
        request,
        "workspace/case_detail.html",
        {
            "case": case,
            "dispute": dispute,
            "can_work": perms.can_work(request.user, dispute),
            "can_take": dispute.status in QUEUED and perms.can_take(request.user, dispute),
            "qa_reviews": list_reviews_of_case(dispute) if sees_qa and case.decisions else [],
            "sees_qa": sees_qa,
            "panels": panels,
            "open_panel": open_panel,
            "load_panel": "" if open_panel else panel_open_first(panels, dispute),
            "nav": "cases",
            **context,
        },
        status=status,
    )


def _fresh_form(panel: CaseAction, dispute: Dispute, *, seen: str = ""):
    """The panel's form; `seen` is the version of the case the page showed when the panel was
    opened later, so that a change made in between is refused as stale, not sent blind."""
    initial = panel.initial(dispute)
    if "version" in initial and seen.isdigit():
        initial["version"] = int(seen)
    return panel.form(initial=initial, prefix=panel.prefix)


@require_GET
@staff_required
def case_panel(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """One action panel's form, fetched when the case page opens it (htmx); without htmx, the
    case page with that panel open."""
    panel = PANELS_BY_NAME.get(action)
    if panel is None:
        raise Http404("No such action.")
    if not request.headers.get("HX-Request"):
        return _render_case(request, reference, open_panel=action)
    dispute = _dispute(request, reference)
    if not panel.offered(request.user, dispute):
        return render(
            request, "workspace/panels/not_offered.html", {"dispute": dispute}, status=403
        )
    return render(
        request,
        panel.template,
        {
            "dispute": dispute,
            "form": _fresh_form(panel, dispute, seen=request.GET.get("seen", "")),
            **panel.context(dispute),
        },
    )


# --- actions ----------------------------------------------------------------------------------


@require_POST
@staff_required
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """Any action of the table (disputes/actions.py): validate its form, call its service."""
    row = WORKSPACE_ACTIONS[action]
    dispute = _dispute(request, reference)

    def show_again(form, status: int) -> HttpResponse:
        return _render_case(request, reference, open_form=form, status=status, open_panel=row.name)

    return submit_form(
        request,
        form=row.form(request.POST, prefix=row.prefix),
        call=lambda cleaned: row.run(dispute, request.user, cleaned),
        success=row.success,
        done=lambda: redirect("workspace:case", reference=reference),
        show_again=show_again,
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
def reimbursement_decision(request, reference, reimbursement_id: int, verdict: str):
    if verdict not in ("approve", "reject", "revise"):
        raise Http404
    dispute = _dispute(request, reference)
    try:
        reimbursement = get_reimbursement_on(dispute=dispute, reimbursement_id=reimbursement_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
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
    try:
        text = selectors.get_filled_template(
            template_id=template_id, dispute=dispute, specialist=request.user
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
