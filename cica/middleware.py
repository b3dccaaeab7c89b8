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
