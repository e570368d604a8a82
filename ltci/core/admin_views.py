"""Admin views shared by the apps."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .downloads import import_errors_attachment
from .import_templates import ImportFormat, template_response
from .models import ImportBatch, JobRun
from .query import IdField, query_params
from .uploads import JOB_PREFIX, import_job_report, request_refusal, upload_import


class ImportPageQuery(forms.Form):
    """An import page's ``?job=ID`` (a big file's job) and ``?errors=BATCH`` (its error report)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added here, not declared: a field declared as ``errors`` would shadow Form.errors for type checkers.
        self.fields["job"] = IdField(label=_("作业编号"), required=False)
        self.fields["errors"] = IdField(label=_("导入批次"), required=False)


def import_page_query(request) -> dict:
    return query_params(ImportPageQuery, request.GET)


def import_view(model_admin, request, *, title, fmt: ImportFormat, importer):
    """The admin upload page of a SPEC 11 file import: the file goes to ``importer`` (the same service as the
    command) and its report, with every row error, is shown on the page. A big file runs as a job: the page
    then follows the job (``?job=ID``) and shows its report when it is done (issue 13). ``?template=zh|en``
    downloads the import's template file and ``?errors=BATCH`` the error report of one of its batches (issue 14).

    Who may import: the admin method serving the page is decorated with ``@requires(capability)``
    (ltci.core.permissions); the permission matrix test refuses a custom admin URL without one. The template
    download is the same page, so it needs the same capability.
    """
    template = template_response(request, fmt)
    if template is not None:
        return template
    query = import_page_query(request)
    if query["errors"]:
        batch = get_object_or_404(ImportBatch, pk=query["errors"], kind=fmt.kind)
        return import_errors_attachment([batch], f"{batch.kind}-{batch.pk}-errors.csv")
    report = job = None
    if query["job"]:
        job = get_object_or_404(JobRun, pk=query["job"], job=JOB_PREFIX + importer.__name__)
        report = import_job_report(job)
    elif request.method == "POST":
        refusal = request_refusal(request)
        if refusal:
            messages.error(request, refusal)
        elif request.FILES.get("file"):
            outcome = upload_import(request.FILES["file"], importer=importer, actor=request.user)
            if outcome.job:
                return redirect(f"{request.path}?job={outcome.job.pk}")
            report = outcome.report
            if report is not None:
                (messages.error if report.file_error else messages.success)(request, report.summary())
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "fmt": fmt,
        "report": report,
        "job": job,
        "errors_url": f"?errors={report.batch_id}" if report and report.batch_id and report.errors else "",
    }
    return TemplateResponse(request, "admin/import_form.html", context)
