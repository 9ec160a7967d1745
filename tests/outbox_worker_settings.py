"""Settings of a test worker whose e-mail leaves through tests.mail_outbox (DJANGO_SETTINGS_MODULE
of the worker subprocess): the product's settings, with only the e-mail backend changed."""

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.mail_outbox.OutboxBackend"
