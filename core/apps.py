from django.apps import AppConfig
from django.urls import register_converter

from core.converters import ReferenceConverter


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        register_converter(ReferenceConverter, "ref")
        # Connects the sign-in throttle's signal receivers, whichever way sign-in comes.
        from core import auth  # noqa: F401, PLC0415 - importing registers the receivers
