from django.contrib import admin
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import policy_admin  # noqa: F401 -- registers PolicyScheme and PolicyRecord (form per kind, SPEC 2)
from .downloads import attachment
from .models import CalendarDay, ImportBatch, JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "period", "state", "done", "total", "started_at", "finished_at", "message"]
    list_filter = ["job", "state"]
    readonly_fields = [f.name for f in JobRun._meta.fields]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["kind", "filename", "rows_total", "rows_applied", "rows_unchanged", "rows_rejected",
                    "created_at", "created_by"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
    actions = ["download_errors"]

    @admin.action(description=gettext_lazy("下载错误报告"))
    def download_errors(self, request, queryset):
        body = "".join(b.error_report for b in queryset if b.error_report)
        return attachment(body, "import-errors.csv", content_type="text/csv; charset=utf-8")


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ("day", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "day"
    search_fields = ("note",)
