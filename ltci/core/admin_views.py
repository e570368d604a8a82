"""Admin views shared by the apps."""
from django.contrib import messages
from django.template.response import TemplateResponse


def import_view(model_admin, request, *, title, columns, importer):
    """The admin upload page of a SPEC 11 file import: the file goes to ``importer`` (the same service as the
    command) and its report, with every row error, is shown on the page.

    Who may import: the admin method serving the page is decorated with ``@requires(capability)``
    (ltci.core.permissions); the permission matrix test refuses a custom admin URL without one.
    """
    report = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        report = importer(content=upload.read(), filename=upload.name, actor=request.user)
        (messages.error if report.file_error else messages.success)(request, report.summary())
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, "title": title,
               "columns": columns, "report": report}
    return TemplateResponse(request, "admin/import_form.html", context)
