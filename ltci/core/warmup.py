"""Work a web worker would otherwise do on its first requests, done once in gunicorn's master before it
forks (gunicorn.conf.py: preload_app, when_ready): import every URLconf and view, compile the project's
templates into the cached loader and load the translation catalogs. Forked workers share the result, so no
worker's first requests wait for it. Runs no query and touches no Redis. Knows no app: it walks the URLconf
and the template folders.
"""

from pathlib import Path


def warm() -> None:
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every urls module and the views they name)
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            get_template(str(path.relative_to(folder)))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language loads its catalogues
            pass
