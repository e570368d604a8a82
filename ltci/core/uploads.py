"""Web uploads of the SPEC 11 imports (issue 13, finding 6): the web limits, and big files as a Celery job.

A request body over IMPORT_WEB_MAX_BYTES is never stored (LimitedUploadHandler skips its files) and the page
says why. A file over IMPORT_WEB_SYNC_MAX_BYTES (unzipped, for XLSX) or IMPORT_WEB_SYNC_MAX_ROWS lines is stored
(default storage) and imported by the task ltci.core.tasks.import_job_run with the same import service; its
JobRun (job ``file_import.<importer>``) holds the state and the ImportBatch of the result.
"""

import uuid
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .importing import ImportReport, import_progress
from .jobs import JobAlreadyRunning, job_finish, job_lock, job_queue
from .limits import ImportLimits, import_limits, size_message, xlsx_uncompressed_size
from .models import ImportBatch, JobRun

JOB_PREFIX = "file_import."
SLACK = 64 * 1024  # multipart overhead and the other form fields


def _too_large(length: int) -> bool:
    return length > settings.IMPORT_WEB_MAX_BYTES + SLACK


class LimitedUploadHandler(FileUploadHandler):
    """First upload handler: files of a request over the web limit are skipped, never written to disk."""

    refuse = False
    received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.refuse = _too_large(content_length or 0)
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.refuse:
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if _too_large(self.received):  # a body without a Content-Length
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def request_refusal(request) -> str | None:
    """Why the request's upload was not received (over the web limit), or None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return size_message(length, ImportLimits.web()) if _too_large(length) else None


@dataclass
class UploadOutcome:
    report: ImportReport | None = None
    job: JobRun | None = None


def runs_as_job(content: bytes, filename: str) -> bool:
    if len(content) > settings.IMPORT_WEB_SYNC_MAX_BYTES:
        return True
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        size = xlsx_uncompressed_size(content)
        return size is not None and size > settings.IMPORT_WEB_SYNC_MAX_BYTES
    return content.count(b"\n") > settings.IMPORT_WEB_SYNC_MAX_ROWS + 1


def upload_import(upload, *, importer, actor, **options) -> UploadOutcome:
    """Import an uploaded file now (web limits) or queue it as a job; ``options`` are model instances the
    importer takes (the portal's institution)."""
    limits = ImportLimits.web()
    if upload.size > limits.max_bytes:
        return UploadOutcome(
            report=ImportReport(kind="", filename=upload.name, file_error=size_message(upload.size, limits))
        )
    content = upload.read()
    if runs_as_job(content, upload.name):
        return UploadOutcome(
            job=import_job_queue(
                content=content, filename=upload.name, importer=importer, actor=actor, options=options
            )
        )
    with import_limits(limits):
        return UploadOutcome(report=importer(content=content, filename=upload.name, actor=actor, **options))


def import_job_queue(*, content: bytes, filename: str, importer, actor, options: dict) -> JobRun:
    from .tasks import import_job_run

    stored = default_storage.save(f"imports/{uuid.uuid4().hex}.upload", ContentFile(content))
    return job_queue(
        JOB_PREFIX + importer.__name__,
        timezone.localdate().isoformat(),
        task=import_job_run,
        params={
            "importer": f"{importer.__module__}.{importer.__name__}",
            "file": stored,
            "filename": filename,
            "objects": {name: [obj._meta.label, obj.pk] for name, obj in options.items()},
        },
        actor=actor,
    )


def _importer(path: str):
    module, _dot, name = path.rpartition(".")
    if not name.startswith("import_") or module.split(".")[1:2] != ["imports"]:
        raise ValueError(f"{path} is not an import service")
    return import_string(path)


def import_job_run(job_id: int) -> str:
    """Run a queued import (the Celery task's body): the same service and limits as a web upload; safe to run
    twice (a finished job is left alone; a second worker on the same job stops at the lock)."""
    job = JobRun.objects.filter(pk=job_id, job__startswith=JOB_PREFIX).first()
    if job is None or job.state != JobRun.State.RUNNING:
        return "nothing to do"
    try:
        with job_lock("file_import", str(job.pk)):
            job.refresh_from_db()
            if job.state != JobRun.State.RUNNING:
                return "nothing to do"
            return _run(job)
    except JobAlreadyRunning:
        return "already running"


def _run(job: JobRun) -> str:
    """Import in the language of the user who uploaded the file (the reasons and the summary are stored)."""
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        return _run_in_language(job)


def _run_in_language(job: JobRun) -> str:
    params = job.params
    try:
        importer = _importer(params["importer"])
        options = {
            name: apps.get_model(label).objects.get(pk=pk) for name, (label, pk) in params["objects"].items()
        }
        with default_storage.open(params["file"]) as fh:
            content = fh.read()
        with import_limits(ImportLimits.web()), import_progress(lambda *state: _progress(job, *state)):
            report = importer(content=content, filename=params["filename"], actor=job.started_by, **options)
    except Exception as exc:
        job_finish(job, state=JobRun.State.FAILED, message=f"{exc.__class__.__name__}: {exc}"[:1000])
        raise
    JobRun.objects.filter(pk=job.pk).update(
        params={**params, "batch": report.batch_id}, done=report.rows_total, total=report.rows_total
    )
    job_finish(job, message=report.summary_message())
    default_storage.delete(params["file"])
    return report.summary()


def _progress(job: JobRun, checked: int, total: int, writing: bool) -> None:
    """The job page's progress bar follows the rows checked; then the page says the rows are being written."""
    if writing:
        message = _("已检查 %(total)s 行，正在写入") % {"total": f"{total:,}"}
    else:
        message = _("正在检查第 %(done)s / %(total)s 行") % {"done": f"{checked:,}", "total": f"{total:,}"}
    JobRun.objects.filter(pk=job.pk, state=JobRun.State.RUNNING).update(
        done=checked, total=total, message=message
    )


def import_job_report(job: JobRun) -> ImportReport | None:
    """The report of a finished import job (None while it waits or runs, or when it failed)."""
    batch = ImportBatch.objects.filter(pk=job.params.get("batch") or 0).first()
    return ImportReport.from_batch(batch) if batch else None
