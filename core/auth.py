"""One sign-in throttle for every way in: repeated failures for one username or one address lock
it for a while, whether they came through the login page, the admin, the browsable API or a
token request.

It hooks Django's authentication itself, as django-axes does: failures are counted from the
`user_login_failed` signal, and `ThrottledModelBackend` refuses a locked username or address
before checking the password (raising PermissionDenied stops `authenticate()` there). A cache
outage lets sign-in through (with a log line) rather than locking everybody out.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
log = logging.getLogger(__name__)


def _keys(request, username: str | None) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    user_key = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{user_key}", f"login-fail:ip:{address}"]


def _limit(key: str) -> int:
    # Many users can share one address (an office): allow it more attempts than one username.
    return MAX_FAILURES * 4 if ":ip:" in key else MAX_FAILURES


def is_locked(request, username: str | None) -> bool:
    try:
        counts = cache.get_many(_keys(request, username))
    except Exception:  # the cache is down: let people in rather than lock everybody out
        log.warning("sign-in throttle skipped: the cache is unreachable", exc_info=True)
        return False
    return any(count >= _limit(key) for key, count in counts.items())


@receiver(user_login_failed, dispatch_uid="arbiter-count-sign-in-failures")
def count_failure(sender, credentials, request=None, **kwargs) -> None:
    for key in _keys(request, credentials.get("username")):
        try:
            if not cache.add(key, 1, LOCK_SECONDS):
                cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, LOCK_SECONDS)
        except Exception:
            log.warning("sign-in failure not counted: the cache is unreachable", exc_info=True)
            return


@receiver(user_logged_in, dispatch_uid="arbiter-forget-sign-in-failures")
def forget_failures(sender, request, user, **kwargs) -> None:
    """A correct password clears the username's count (not the address's)."""
    try:
        cache.delete(_keys(request, user.get_username())[0])
    except Exception:
        log.warning("sign-in failures not cleared: the cache is unreachable", exc_info=True)


class ThrottledModelBackend(ModelBackend):
    """Django's backend, refusing a locked username or address before the password is read."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if is_locked(request, username):
            raise PermissionDenied("Too many failed sign-in attempts")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        return get_user_model().USERNAME_FIELD


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login page says why it refuses a locked account instead of "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-in attempts. Wait 15 minutes and try again, or "
            "reset your password."
        ),
    }

    def clean(self):
        if is_locked(self.request, self.data.get("username", "")):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        return super().clean()


class ArbiterLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True
