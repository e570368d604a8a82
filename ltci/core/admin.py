from django.contrib import admin
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import policy_admin  # noqa: F401 -- registers PolicyScheme and PolicyRecord (form per kind, SPEC 2)
from .admin_mixins import KeepRowsMixin
from .downloads import import_errors_attachment
from .models import CalendarDay, ImportBatch, JobRun
from .permissions import can


@admin.register(JobRun)
class JobRunAdmin(KeepRowsMixin, admin.ModelAdmin):
    list_display = ["job", "period", "state", "done", "total", "started_at", "finished_at", "message"]
    list_filter = ["job", "state"]
    readonly_fields = [f.name for f in JobRun._meta.fields]


@admin.register(ImportBatch)
class ImportBatchAdmin(KeepRowsMixin, admin.ModelAdmin):
    list_display = [
        "kind",
        "filename",
        "rows_total",
        "rows_applied",
        "rows_unchanged",
        "rows_rejected",
        "created_at",
        "created_by",
    ]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
    actions = ["download_errors"]

    def has_core_import_errors_permission(self, request):
        return can(request.user, "core.import_errors")

    @admin.action(description=gettext_lazy("下载错误报告"), permissions=["core_import_errors"])
    def download_errors(self, request, queryset):
        return import_errors_attachment(list(queryset.order_by("pk")), "import-errors.csv")


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ("day", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "day"
    search_fields = ("note",)
