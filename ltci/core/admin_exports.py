"""Every staff list as XLSX or CSV (issue 16): the 导出Excel / 导出CSV buttons of each admin list.

The export is the list as the clerk sees it: the ModelAdmin's own changelist (``get_changelist_instance``) with
the filters, search, date drill-down and ordering of the current page, every page of it, and its columns
(``list_display``) under their Chinese labels. Choices are shown by their label, related rows by their name,
amounts as numbers with their decimals (money as ¥#,##0.00 in the XLSX, plain 114467.10 in the CSV, which has
no formats and is read by programs), dates as dates. Only staff who may view the list may export it (the
list's own view permission, from the role migrations).

A list of up to ``settings.EXPORT_SYNC_MAX_ROWS`` rows is exported in the web request; a larger one runs as a
Celery job (``list_export``, ltci.core.tasks.list_export_run): the page redirects to the job's page, whose
progress bar follows the rows written and which offers the file once done, to the user who started it only
(the list is theirs, as their roles show it; docs/decisions.md, "Large list exports run as jobs").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from .downloads import attachment
from .exports import MONEY, XLSX_TYPE, Column, csv_text, xlsx_bytes
from .fields import MoneyField

FORMATS = ("xlsx", "csv")
JOB = "list_export"
PROGRESS_EVERY = 500  # rows between two progress updates of an export job


def _columns(model_admin, changelist) -> list[tuple[str, Column]]:
    model = changelist.model
    columns = []
    for shown in changelist.list_display:
        name = getattr(
            shown, "money_field", shown
        )  # a money column of the page: the field, a number in the file
        if name == "action_checkbox":
            continue
        label = strip_tags(str(label_for_field(name, model, model_admin)))
        decimals, kind = 2, ""
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a column that is not a field (a method or a property)
            field = None
        if isinstance(field, MoneyField):
            kind = MONEY  # a number shown as ¥114,467.10
        elif isinstance(field, models.DecimalField):
            decimals = field.decimal_places
        columns.append((name, Column(label, kind, decimals=decimals)))
    return columns


def _value(name: str, obj, model_admin):
    """The cell of one column for one row, typed: text, a number, a date or a yes/no."""
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except ObjectDoesNotExist:
        return ""
    if value is None:
        return ""
    if field is not None:
        if getattr(field, "flatchoices", None):
            return str(dict(field.flatchoices).get(value, value))
        if field.many_to_many:
            return "、".join(str(related) for related in value.all())
        if field.is_relation:
            return str(value)
    elif getattr(attr, "boolean", False):
        return bool(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(item) for item in value)
    if isinstance(value, (bool, int, Decimal, dt.date)):
        return value
    return strip_tags(str(value))


def _csv_cell(column: Column, value) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return f"{value:.{column.decimals}f}"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _model_admin(app_label: str, model_name: str):
    try:
        model = apps.get_model(app_label, model_name)
        return admin.site.get_model_admin(model)
    except (LookupError, NotRegistered):
        raise Http404 from None


def export_changelist(request, app_label: str, model_name: str, fmt: str):
    """Admin view (wrapped by ``admin.site.admin_view``): the list of a model, filtered as on its page."""
    if fmt not in FORMATS:
        raise Http404
    model_admin = _model_admin(app_label, model_name)
    if not model_admin.has_view_or_change_permission(request):  # who may open the list
        raise PermissionDenied
    list_url = reverse(f"admin:{app_label}_{model_name}_changelist")
    query = request.GET.urlencode()
    back = f"{list_url}?{query}" if query else list_url
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        messages.error(request, _("筛选条件无效，无法导出"))
        return redirect(list_url)
    count = changelist.queryset.count()
    if count > settings.EXPORT_SYNC_MAX_ROWS:
        return _queue_export(request, model_admin, fmt, count=count, back=back)
    content, filename, content_type = _export(model_admin, changelist, fmt)
    return attachment(content, filename, content_type)


def _export(model_admin, changelist, fmt: str, *, progress=None) -> tuple[bytes | str, str, str]:
    """The file of a list: its content, name and type; ``progress(done)`` every PROGRESS_EVERY rows."""
    columns = _columns(model_admin, changelist)
    values = []
    for done, obj in enumerate(changelist.queryset.iterator(chunk_size=2000), start=1):
        values.append([_value(name, obj, model_admin) for name, _c in columns])
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    title = str(changelist.model._meta.verbose_name_plural)
    filename = f"{title}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        return xlsx_bytes(title, [c for _n, c in columns], values), filename, XLSX_TYPE
    body = [[str(c.header) for _n, c in columns]] + [
        [_csv_cell(c, v) for (_n, c), v in zip(columns, row, strict=True)] for row in values
    ]
    return csv_text(body, bom=True, lineterminator="\r\n"), filename, "text/csv; charset=utf-8"


def _queue_export(request, model_admin, fmt: str, *, count: int, back: str):
    """A list over the web limit: exported by a Celery job; the user follows it on the job's page."""
    from .jobs import job_page_url, job_queue
    from .tasks import list_export_run

    opts = model_admin.model._meta
    run = job_queue(
        JOB,
        timezone.localdate().isoformat(),
        task=list_export_run,
        params={
            "app_label": opts.app_label,
            "model_name": opts.model_name,
            "format": fmt,
            "query": request.GET.urlencode(),
            "back_url": back,
        },
        actor=request.user,
    )
    messages.info(
        request,
        _("共 %(count)s 条记录，超过在线导出上限 %(limit)s 条，已转为后台导出；完成后在本页下载。")
        % {"count": f"{count:,}", "limit": f"{settings.EXPORT_SYNC_MAX_ROWS:,}"},
    )
    return redirect(job_page_url(run))


def export_job_run(run) -> str:
    """The body of an export job: the list as its starter sees it now (their roles, the filters they chose),
    written to the job's file; progress every PROGRESS_EVERY rows."""
    from .jobs import job_progress, job_store_file

    params = run.params
    if run.started_by is None or not run.started_by.is_active:
        raise PermissionDenied(_("导出人账号已停用，无法导出"))
    model_admin = _model_admin(params["app_label"], params["model_name"])
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(params.get("query") or "")
    request.user = run.started_by
    request.path = reverse(f"admin:{params['app_label']}_{params['model_name']}_changelist")
    if not model_admin.has_view_or_change_permission(request):  # the roles may have changed since
        raise PermissionDenied(_("导出人已无权查看该列表"))
    changelist = model_admin.get_changelist_instance(request)
    total = changelist.queryset.count()
    job_progress(run, done=0, total=total)
    content, filename, _type = _export(
        model_admin, changelist, params["format"], progress=lambda done: job_progress(run, done=done)
    )
    job_store_file(run, content.encode("utf-8") if isinstance(content, str) else content, filename)
    return _("已导出 %(count)s 条记录：%(name)s") % {"count": f"{total:,}", "name": filename}
