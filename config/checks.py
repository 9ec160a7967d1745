"""Start-up safety rules: production must not run on the development secret key."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY_MESSAGE = (
    "DEBUG is off but SECRET_KEY is the development key: set SECRET_KEY in the environment."
)


def refuse_development_key(*, debug: bool, secret_key: str, development_key: str) -> None:
    """Raise at import time so gunicorn, Celery and manage.py all refuse to start."""
    if not debug and secret_key == development_key:
        raise ImproperlyConfigured(DEVELOPMENT_KEY_MESSAGE)


@register("security", deploy=False)
def check_secret_key(app_configs, **kwargs):
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [Error(DEVELOPMENT_KEY_MESSAGE, id="arbiter.E001")]
    return []
