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
