"""The language switch: Django's set_language, remembered for a year instead of a session."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import check_for_language
from django.views import i18n
from django.views.decorators.http import require_POST

REMEMBER_SECONDS = 365 * 24 * 3600


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase | HttpResponse:
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if language and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=REMEMBER_SECONDS,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
