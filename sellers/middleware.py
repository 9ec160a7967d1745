"""Portal users see Arbiter in their seller's preferred language until they pick another."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class SellerLanguageMiddleware:
    """After LocaleMiddleware: no language cookie yet means the seller's preference."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_staff
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            language = (
                user.seller_memberships.values_list("seller__preferred_language", flat=True)
                .order_by("seller__name")
                .first()
            )
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
