"""The partner API's own, shorter middleware stack.

Partner API requests carry a Basic API key and JSON, never a cookie, a session, a form or a
page: sessions, CSRF, messages, the admin's user and lockout and the static files have
nothing to do for them (their views are CSRF-exempt and authenticate the key themselves),
yet those middlewares cost every call. This middleware, first in MIDDLEWARE, hands requests
under MARIOHR_PARTNER_API_PREFIXES to a handler built with MARIOHR_PARTNER_API_MIDDLEWARE,
which keeps every middleware that shapes an API response: security headers and HTTPS
redirect, Content-Security-Policy, the unstorable-input guard, X-Frame-Options.
"""

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.test.utils import override_settings


class PartnerAPIMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.MARIOHR_PARTNER_API_PREFIXES)
        api_handler = BaseHandler()
        # Django builds a chain from settings.MIDDLEWARE only; this runs once per handler.
        with override_settings(MIDDLEWARE=settings.MARIOHR_PARTNER_API_MIDDLEWARE):
            api_handler.load_middleware()
        self.api_response = api_handler._middleware_chain

    def __call__(self, request):
        if request.path_info.startswith(self.prefixes):
            return self.api_response(request)
        return self.get_response(request)
