import mimetypes

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from ltci.core.history_admin import HistoryAdmin

from . import policy_admin  # noqa: F401 -- registers PolicyScheme and PolicyRecord (form per kind, SPEC 2)
from .admin_mixins import KeepRowsMixin, labelled_filter
from .downloads import attachment, import_errors_attachment
from .fanout import BUSY, GIVEN_UP, NO_TASK, RESENT, RESTARTED, fanout_redispatch, is_stale
from .formatting import coded
from .jobs import job_page_url
from .models import IMPORT_KIND_LABELS, CalendarDay, ImportBatch, JobRun, LetterBatch, Notification
from .permissions import JOBS, can, can_see_job, requires
from .uploads import JOB_PREFIX, import_job_report


def job_status(run: JobRun) -> dict:
    """What the job page's progress bar polls (ltci/core/static/ltci/job-progress.js)."""
    return {
        "state": run.state,
        "state_label": str(run.get_state_display()),
        "done": run.done,
        "total": run.total,
        "percent": run.percent,
        "message": run.message_shown,
        "finished": run.state != JobRun.State.RUNNING,
    }


def _job_query(name: str) -> Q:
    """The runs of a job declared in JOBS (a name ending in "." covers every job it begins)."""
    return Q(job__startswith=name) if name.endswith(".") else Q(job=name)


class JobFilter(admin.SimpleListFilter):
    """Jobs by their label (never the code), those the user may see."""

    title = gettext_lazy("作业")
    parameter_name = "job"

    def lookups(self, request, model_admin):
        return [
            (name, job.label)
            for name, job in JOBS.items()
            if request.user.is_superuser or can(request.user, job.capability)
        ]

    def queryset(self, request, queryset):
        name = self.value()
        return queryset.filter(_job_query(name)) if name in JOBS else queryset


@admin.register(JobRun)
class JobRunAdmin(KeepRowsMixin, admin.ModelAdmin):
    """The jobs a user may see (those of their roles, ltci.core.permissions.JOBS); a job's page is its progress
    bar, result and error report (issue 16)."""

    list_display = ["job_label", "period", "state", "progress", "started_by", "started_at", "finished_at"]
    list_filter = [JobFilter, "state"]
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or can_see_job(request.user, obj.job, obj.started_by_id))

    def get_queryset(self, request):
        found = super().get_queryset(request).select_related("started_by")
        if request.user.is_superuser:
            return found
        shown = Q(pk__in=[])
        for name, job in JOBS.items():
            if can(request.user, job.capability):
                shown |= _job_query(name) & (Q(started_by=request.user) if job.own else Q())
        return found.filter(shown)

    @admin.display(description=gettext_lazy("作业"), ordering="job")
    def job_label(self, run):
        return run.label

    @admin.display(description=gettext_lazy("进度"))
    def progress(self, run):
        return "" if run.percent is None else f"{run.percent}%"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/progress/", view(self.progress_view), name="core_jobrun_progress"),
            path("<path:object_id>/errors/", view(self.errors_view), name="core_jobrun_errors"),
            path("<path:object_id>/file/", view(self.file_view), name="core_jobrun_file"),
            path("<path:object_id>/redispatch/", view(self.redispatch_view), name="core_jobrun_redispatch"),
            *super().get_urls(),
        ]

    def _job(self, request, object_id) -> JobRun:
        run = get_object_or_404(JobRun, pk=object_id) if str(object_id).isdigit() else None
        if run is None:
            raise Http404
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return run

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: progress bar (kept live by job-progress.js), result or error, import report."""
        run = self._job(request, object_id)
        report = import_job_report(run) if run.job.startswith(JOB_PREFIX) else None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{run.label} {run.period}",
            "opts": self.opts,
            "original": run,
            "job": run,
            "report": report,
            "errors_url": reverse("admin:core_jobrun_errors", args=[run.pk])
            if report and (report.errors or report.file_error)
            else "",
            "result_url": run.params.get("result_url", ""),
            "file_url": reverse("admin:core_jobrun_file", args=[run.pk])
            if run.params.get("file") and run.state == JobRun.State.DONE
            else "",
            "back_url": run.params.get("back_url", ""),
            # a run fanned out to the workers (ltci.core.fanout): who took each chunk, how often, done or not
            "chunks": run.chunks.only("number", "state", "worker", "attempts", "done").order_by("number"),
            "redispatched": run.params.get("redispatched", 0),
            # its chunk tasks or its start lost (no progress for LTCI_FANOUT_STALE_MINUTES): send them again
            "redispatch_url": reverse("admin:core_jobrun_redispatch", args=[run.pk])
            if run.state == JobRun.State.RUNNING
            and can(request.user, "core.jobs_redispatch")
            and is_stale(run)
            else "",
            "stale_minutes": settings.LTCI_FANOUT_STALE_MINUTES,
        }
        return TemplateResponse(request, "admin/core/jobrun/job.html", context)

    @requires("core.jobs")
    def progress_view(self, request, object_id):
        return JsonResponse(job_status(self._job(request, object_id)))

    @requires("core.jobs")
    def errors_view(self, request, object_id):
        """The error report of an import job (row, field, reason), as the import page offers it."""
        run = self._job(request, object_id)
        batch = ImportBatch.objects.filter(pk=run.params.get("batch") or 0).first()
        if batch is None:
            raise Http404
        return import_errors_attachment([batch], f"{batch.kind}-{batch.pk}-errors.csv")

    @requires("core.jobs")
    def file_view(self, request, object_id):
        """The file a job produced (an export), as a download."""
        run = self._job(request, object_id)
        if run.state != JobRun.State.DONE or not run.params.get("file"):
            raise Http404
        try:
            content = default_storage.open(run.params["file"]).read()
        except FileNotFoundError:
            raise Http404("file missing from storage") from None
        return attachment(content, run.params.get("filename") or "job-output", _content_type(run))

    @requires("core.jobs_redispatch")
    def redispatch_view(self, request, object_id):
        """POST: send again the unfinished chunks of a stale fanned-out run (its tasks lost), or the start task
        of a stale queued run (its start lost)."""
        run = self._job(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not is_stale(run):
            messages.warning(
                request,
                gettext("只有 %(minutes)s 分钟没有任何进展的后台作业才能重新派发分块")
                % {"minutes": settings.LTCI_FANOUT_STALE_MINUTES},
            )
            return redirect(job_page_url(run))
        outcome, sent = fanout_redispatch(run.pk)
        if outcome == RESENT:
            messages.success(request, gettext("已重新派发 %(n)s 个分块") % {"n": sent})
        elif outcome == RESTARTED:
            messages.success(request, gettext("已重新发送该作业的启动任务"))
        elif outcome == BUSY:
            messages.warning(request, gettext("有后台进程正在处理该作业，未重新派发"))
        elif outcome == NO_TASK:
            messages.error(request, gettext("该作业没有记录分块任务，无法重新派发"))
        elif outcome != GIVEN_UP:
            messages.info(request, gettext("该作业已结束"))
        return redirect(job_page_url(run))


def _content_type(run: JobRun) -> str:
    return mimetypes.guess_type(run.params.get("filename") or "")[0] or "application/octet-stream"


@admin.register(ImportBatch)
class ImportBatchAdmin(KeepRowsMixin, admin.ModelAdmin):
    list_display = [
        "kind_shown",
        "filename",
        "rows_total",
        "rows_applied",
        "rows_unchanged",
        "rows_rejected",
        "created_at",
        "created_by",
    ]
    list_filter = [labelled_filter("kind", gettext_lazy("接口"), lambda: IMPORT_KIND_LABELS.items())]
    readonly_fields = ["kind_shown"] + [
        f.name for f in ImportBatch._meta.fields if f.name not in ("id", "kind")
    ]
    fields = tuple(readonly_fields)
    actions = ["download_errors"]

    @admin.display(description=gettext_lazy("接口"), ordering="kind")
    def kind_shown(self, obj):
        return coded(obj.kind, obj.kind_label)

    def has_core_import_errors_permission(self, request):
        return can(request.user, "core.import_errors")

    @admin.action(description=gettext_lazy("下载错误报告"), permissions=["core_import_errors"])
    def download_errors(self, request, queryset):
        return import_errors_attachment(list(queryset.order_by("pk")), "import-errors.csv")


@admin.register(CalendarDay)
class CalendarDayAdmin(HistoryAdmin):
    list_display = ("day", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "day"
    search_fields = ("note",)


def _event_labels():
    from .notify import Event

    return Event.choices


@admin.register(Notification)
class NotificationAdmin(KeepRowsMixin, admin.ModelAdmin):
    """The notification log (issue 19): every notice to a person, agent or institution, searchable by ID number,
    institution code or name, and filtered by event, channel, state and day. Read only."""

    list_display = [
        "created_at",
        "recipient_name",
        "recipient_kind",
        "event_shown",
        "channel",
        "state",
        "sent_at",
    ]
    list_filter = [
        labelled_filter("event", gettext_lazy("事件"), _event_labels),
        "channel",
        "state",
        "recipient_kind",
        "created_at",
    ]
    search_fields = ["=recipient_ref", "=subject_ref", "recipient_name"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [
        "event_shown" if f.name == "event" else f.name for f in Notification._meta.fields
    ]  # the event by its label, as in the list
    exclude = ["event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("事件"), ordering="event")
    def event_shown(self, obj):
        return dict(_event_labels()).get(obj.event, obj.event)


@admin.register(LetterBatch)
class LetterBatchAdmin(KeepRowsMixin, admin.ModelAdmin):
    """The printed letter batches (one PDF each) for the post room."""

    list_display = ["number", "letters", "created_at", "download"]
    readonly_fields = ["number", "letters", "created_at"]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("PDF 文件"))
    def download(self, obj):
        url = reverse("admin:core_letterbatch_file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext_lazy("下载"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/file/", view(self.file_view), name="core_letterbatch_file")
        ] + super().get_urls()

    @requires("core.notifications")
    def file_view(self, request, object_id):
        batch = get_object_or_404(LetterBatch, pk=object_id)
        if not batch.file:
            raise Http404
        try:
            content = batch.file.open("rb").read()
        except FileNotFoundError:
            raise Http404("file missing from storage") from None
        return attachment(content, f"{batch.number}.pdf")
