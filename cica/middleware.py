from django.db import transaction
from django.utils.cache import patch_vary_headers

from .input import too_big_message
from .pages import refused
from .problems import problem_response
from .uploads import UploadTooLarge, request_limit, run_upload_gate, too_large_message


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


class UploadLimitMiddleware:
    """Uploads over the limit are refused before they are read (issue 13
    item 15): by ``Content-Length`` at once, and otherwise by
    ``cica.uploads.UploadLimitHandler`` as soon as a file passes the limit
    (413, JSON under /api/, a page elsewhere). Nothing is stored.

    Pages' multipart forms are parsed here (``process_view``), before the
    CSRF check reads them, so that a refusal by the handler is answered here
    too; before that, a page's gate (``cica.uploads.refused_before_upload``)
    refuses whoever may not use its form, unread (issue 16 item 5). The API
    parses in its views, and ``process_exception`` answers for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._page_upload(request):
            # A page's upload waits for process_view: its view's gate may
            # refuse the sender first (403, nothing read), whatever the size.
            return self.get_response(request)
        refusal = self._too_large(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A page's multipart POST: the view's gate (``refused_before_upload``)
        first, then the size by Content-Length, then the body, parsed here
        through the upload handlers, before the CSRF check reads it."""
        if not self._page_upload(request):
            return None
        refusal = run_upload_gate(view_func, request, view_args, view_kwargs)
        if refusal is not None:
            return refusal
        refusal = self._too_large(request)
        if refusal is not None:
            return refusal
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, through the upload handlers
            except UploadTooLarge as exc:
                return self.refuse(request, exc.message)
        return None

    @staticmethod
    def _page_upload(request) -> bool:
        return request.content_type == "multipart/form-data" and not request.path.startswith(
            "/api/"
        )

    def _too_large(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > request_limit():
            if request.content_type == "multipart/form-data":
                return self.refuse(request, too_large_message(declared))
            # Not an upload: its limit is the memory limit, and it is no file.
            return self.refuse(request, too_big_message(declared))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, UploadTooLarge):
            return self.refuse(request, exception.message)
        return None

    @staticmethod
    def refuse(request, message):
        if request.path.startswith("/api/"):
            return problem_response(413, message, "too_large")
        return refused(request, message, 413)


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
