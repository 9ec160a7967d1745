"""What the workspace and the portal share: who may open a page, and how a form calls a service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError

# Looks at a signed-in request: raises to refuse, returns a response to send instead (e.g. a
# redirect), or None to let the view run.
Gate = Callable[[HttpRequest], HttpResponse | None]


def signed_in_and(gate: Gate):
    """A view decorator: anonymous users go to the login page, then `gate` has its say."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            response = gate(request)
            if response is not None:
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


NOT_YOUR_ROLE = gettext_lazy("This page is not part of your role.")


def staff_with(permission: str, refusal=NOT_YOUR_ROLE):
    """A view decorator: signed in, an active staff user holding `permission`; anyone else gets
    a 403 whose page says `refusal`."""

    def check(request: HttpRequest) -> None:
        user = request.user
        if not (user.is_active and user.is_staff and user.has_perm(permission)):
            raise PermissionDenied(str(refusal))

    return signed_in_and(check)


def submit_form(
    request: HttpRequest,
    *,
    form: Form,
    call: Callable[[dict], object],
    success: str,
    done: Callable[[], HttpResponse],
    show_again: Callable[[Form, int], HttpResponse],
) -> HttpResponse:
    """Validate the form and call the service with its data; on a refusal show the page again
    with the input kept, the service's message on top and its field errors on the fields."""
    if not form.is_valid():
        messages.error(request, _("Please correct the highlighted fields."))
        return show_again(form, 400)
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        for name, errors in exc.fields.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        messages.error(request, exc.message)
        return show_again(form, exc.http_status)
    messages.success(request, success)
    return done()


def say_ignored_ordering(request: HttpRequest, filterset) -> None:
    """A list page ignores a sort it does not offer (DisputeFilterSet, lenient_ordering) and
    says so above the list."""
    if filterset.ignored_ordering:
        messages.warning(
            request,
            _("The list cannot be sorted by “%(value)s”: it is shown in its usual order.")
            % {"value": filterset.ignored_ordering},
        )
