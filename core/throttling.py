"""The API's rate limits, failing open: when the cache (Redis) cannot be reached, a request is
let through with a log line instead of answering 500. Filing must not stop because the counter
of requests is down."""

from __future__ import annotations

import logging

from rest_framework import throttling

log = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # a cache outage: count nothing, refuse nothing
            log.warning("API rate limit skipped: the cache is unreachable", exc_info=True)
            return True


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass
