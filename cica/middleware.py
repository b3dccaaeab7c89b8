from django.db import transaction
from django.utils.cache import patch_vary_headers


class ApiVaryMiddleware:
    """API answers depend on who asks and in which language: say so, so that a
    shared cache never hands one client's answer (or ETag) to another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
        return response


class AtomicWritesMiddleware:
    """A write is all or nothing, up to its answer (issue 13 item 1).

    Every unsafe request (POST, PUT, PATCH, DELETE) runs in one transaction;
    when its answer is a server error the transaction is rolled back, so a
    client that was told "500" finds nothing half-done and may simply retry.
    Refusals (4xx) are left alone: the services roll their own work back, and
    some refusals must keep what they wrote (a failed sign-in counts towards
    the lock-out). Effects queued with ``transaction.on_commit`` (e-mails,
    webhooks) leave only when the request commits.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.SAFE_METHODS:
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response
