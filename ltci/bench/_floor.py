"""The framework's floor for the status-page bench: the same gunicorn, settings, middleware and session as
/me/, and a minimal logged-in view that reads one row. Served only by the bench's own server (ROOT_URLCONF of
``ltci.bench._server_settings``), never by the project's URLconf."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path

from benefits.models import InsuredAccount
from ltci.urls import urlpatterns as project_urlpatterns


def floor(request):
    if not request.user.is_authenticated:
        return redirect("/me/login/")
    name = InsuredAccount.objects.filter(user_id=request.user.pk).values_list("name", flat=True).first()
    return HttpResponse(f"<!doctype html><title>floor</title><p>待遇核定 {name}</p>")


# After /me/ (the project's first pattern), as deep in the URLconf as the status page.
urlpatterns = [*project_urlpatterns[:2], path("bench/floor/", floor), *project_urlpatterns[2:]]
