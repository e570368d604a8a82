"""Admin views shared by the apps."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse


def import_view(model_admin, request, *, title, columns, importer, allowed=None):
    """The admin upload page of a SPEC 11 file import: the file goes to ``importer`` (the same service as the
    command) and its report, with every row error, is shown on the page.

    ``allowed(request)`` decides who may import; by default whoever may add the admin's model.
    """
    permitted = allowed(request) if allowed else model_admin.has_add_permission(request)
    if not permitted:
        raise PermissionDenied
    report = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        report = importer(content=upload.read(), filename=upload.name, actor=request.user)
        (messages.error if report.file_error else messages.success)(request, report.summary())
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, "title": title,
               "columns": columns, "report": report}
    return TemplateResponse(request, "admin/import_form.html", context)
