"""Reachability probes for /healthz."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection

from config.celery import app as celery_app


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the probe must answer, whatever broke
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "transport": str(transport)}


def check_cache() -> dict:
    """The cache (Redis in production): sign-in and API rate limits fail open without it."""
    try:
        cache.set("healthz-probe", "1", 10)
        ok = cache.get("healthz-probe") == "1"
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": ok, "backend": cache.__class__.__name__}
