"""The address a request comes from, for throttles and sign-in lock-out alike.

The socket's address (``REMOTE_ADDR``) unless ``CICA_TRUSTED_PROXIES`` proxies
stand in front of the app: each of them appends the address it received the
request from to ``X-Forwarded-For``, so the client is the Nth address from the
right. Anything further left was written by the client and is never trusted.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "CICA_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped one; take the left-most.
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def axes_client_address(request) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE (it may pass a DRF request)."""
    return client_address(getattr(request, "_request", request))
