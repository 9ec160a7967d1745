"""Sign-in with throttling: repeated failures for one username or address lock it for a while."""

from __future__ import annotations

import hashlib

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


def _keys(request, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{user_key}", f"login-fail:ip:{address}"]


def _limits(key: str) -> int:
    # Many users can share one address (an office): allow it more attempts than one username.
    return MAX_FAILURES * 4 if ":ip:" in key else MAX_FAILURES


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-in attempts. Wait 15 minutes and try again, or "
            "reset your password."
        ),
    }

    def clean(self):
        username = self.data.get("username", "")
        keys = _keys(self.request, username)
        if any((cache.get(k) or 0) >= _limits(k) for k in keys):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                if cache.add(key, 1, LOCK_SECONDS) is False:
                    try:
                        cache.incr(key)
                    except ValueError:
                        cache.set(key, 1, LOCK_SECONDS)
            raise


class ArbiterLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True
