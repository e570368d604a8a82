"""Language choice: Chinese unless the user picked another language."""


class ChineseByDefaultMiddleware:
    """Drop the browser's Accept-Language so that LocaleMiddleware uses the language cookie set by
    /i18n/setlang/ (the user's explicit choice) or LANGUAGE_CODE (zh-hans).

    An office in China runs in Chinese even on browsers installed in English; English is there for whoever
    chooses it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RejectNulQueryMiddleware:
    """A query parameter holding a NUL character is refused with the 400 page: PostgreSQL text cannot hold one,
    so any list filter or search given it would end in a server error. The API (/api/) is left to its own
    validation and error format."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            return self.get_response(request)  # the API validates its own parameters (JSON errors)
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            from .errors import bad_request

            return bad_request(request)
        return self.get_response(request)
