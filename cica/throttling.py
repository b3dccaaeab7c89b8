"""API throttles: per user when signed in, per address when anonymous, and a
tighter one on the sign-in endpoint.

Rates are read from ``settings.CICA_THROTTLE_RATES`` at each request (DRF
copies its own setting once at import, which tests and operators cannot
change later); a rate of ``None`` turns that throttle off. The counters live
in the default cache (Redis when ``REDIS_URL`` is set, so every process
shares them). If the cache is down the request is let through and logged:
a throttle must not turn a Redis outage into an API outage.
"""

import logging

from django.conf import settings
from rest_framework import throttling

from .client import client_address

log = logging.getLogger(__name__)


class _SettingsRate(throttling.SimpleRateThrottle):
    scope: str

    def get_rate(self):
        return settings.CICA_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # a broken cache must not refuse the request
            log.warning("throttle cache unavailable; request let through", exc_info=True)
            return True

    def get_ident(self, request):
        # Not DRF's: without NUM_PROXIES it keys on the whole X-Forwarded-For,
        # which the client writes (issue 13 item 14).
        return client_address(request)


class AnonThrottle(_SettingsRate, throttling.AnonRateThrottle):
    scope = "anon"


class UserThrottle(_SettingsRate, throttling.UserRateThrottle):
    scope = "user"


class SignInThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Per address, signed in or not: guessing passwords through the API is
    slowed here, and locked out after repeated failures by django-axes."""

    scope = "signin"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
