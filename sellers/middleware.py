"""Portal users see Arbiter in their seller's preferred language until they pick another."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from sellers.selectors import list_sellers_for


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
            sellers = list_sellers_for(user=user)  # the portal reads the same list after us
            language = sellers[0].preferred_language if sellers else ""
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
