"""Provider portal: records, claims, audit results, appeals, statements (SPEC 6, 7.1, 7.2).

Every view runs under portal_required and reads through the institution-scoped selectors.
"""

import dataclasses
import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from institutions.permissions import portal_required
from ltci.core.downloads import attachment, import_errors_attachment
from ltci.core.import_templates import template_download
from ltci.core.importing import RowError
from ltci.core.models import ImportBatch, JobRun
from ltci.core.money import AmountError, AmountField, parse_amount
from ltci.core.query import IdField, MonthQuery, query_params
from ltci.core.uploads import JOB_PREFIX, import_job_report, request_refusal, upload_import

from . import selectors
from .apis import statement_csv_response
from .entry_checks import bed_day_charge_error, held_message
from .imports import CATALOGUE, FORMAT, check_records, import_service_records, parse_row, resolve
from .models import HELD_WAITING, ServiceRecord
from .rules import reason_text
from .services.appeals import AppealRefused, appeal_create
from .services.records import bed_days_confirm, bed_days_generate, claim_submit, records_store


def _month(request, default_previous=True) -> dt.date:
    """The page's month (``?month=YYYY-MM`` or the form's), by default the previous one; a bad month is a 400
    page that says why (ltci.core.query)."""
    text = request.POST.get("month") or request.GET.get("month") or ""
    month = query_params(MonthQuery, {"month": text})["month"]
    if month is None:
        today = timezone.localdate().replace(day=1)
        return (today - dt.timedelta(days=1)).replace(day=1) if default_previous else today
    return month


class AppealTarget(forms.Form):
    """The line (and optionally the record audit) an appeal is about, as the results page posts them."""

    line_id = IdField()
    audit_id = IdField(required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("服务记录文件（CSV 或 XLSX）"))


class VisitForm(forms.Form):
    national_id = forms.CharField(label=_("参保人身份号码"), max_length=18)
    service_date = forms.DateField(label=_("服务日期"), widget=forms.DateInput(attrs={"type": "date"}))
    started_at = forms.TimeField(label=_("签到时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    ended_at = forms.TimeField(label=_("签退时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    caregiver_id = forms.CharField(label=_("护理人员身份号码"), max_length=18)
    # The bounds per kind are policy on the service date (record_checks), checked by check_records.
    charged_amount = AmountField(label=_("收费金额（元）"))
    items = forms.MultipleChoiceField(
        label=_("服务项目"),
        choices=[(c, c) for c in CATALOGUE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@portal_required(capability="portal.settlement")
def index(request):
    institution = request.institution
    month = _month(request)
    return render(
        request,
        "portal/settlement/index.html",
        {
            "institution": institution,
            "month": month,
            "upload_form": UploadForm(),
            "columns": FORMAT.shown_columns(),
            "records": selectors.records_for_institution(institution=institution, month=month).count(),
            "unconfirmed": selectors.records_for_institution(institution=institution, month=month)
            .filter(confirmed=False)
            .count(),
            "held": selectors.records_for_institution(institution=institution, month=month)
            .filter(HELD_WAITING)
            .count(),
            "claims": institution.claims.all()[:12],
            "statements": selectors.statements_for_institution(institution=institution)[:12],
            "payments": selectors.payments_for_institution(institution=institution),
        },
    )


@require_POST
@portal_required(capability="portal.settlement")
def upload(request):
    refusal = request_refusal(request)
    if refusal:
        messages.error(request, refusal)
        return redirect("settlement_portal:index")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件"))
        return redirect("settlement_portal:index")
    outcome = upload_import(
        form.cleaned_data["file"],
        importer=import_service_records,
        actor=request.user,
        institution=request.institution,
    )
    if outcome.job:
        return redirect("settlement_portal:upload_job", pk=outcome.job.pk)
    return _upload_result(request, outcome.report)


def _upload_result(request, report, job=None):
    batch = ImportBatch.objects.filter(pk=report.batch_id).first() if report and report.batch_id else None
    return render(
        request,
        "portal/settlement/upload_result.html",
        {"institution": request.institution, "report": report, "batch": batch, "job": job},
    )


@portal_required(capability="portal.settlement")
def upload_job(request, pk):
    """A service-record file imported as a job (issue 13): its state, then its report; own institution only."""
    job = get_object_or_404(
        JobRun,
        pk=pk,
        job=JOB_PREFIX + import_service_records.__name__,
        params__objects__institution__1=request.institution.pk,
    )
    return _upload_result(request, import_job_report(job), job)


@portal_required(capability="portal.settlement")
def upload_template(request):
    """The service-record file template (issue 14; ``?template=zh|en``), its example row in the caller's
    institution."""
    fmt = dataclasses.replace(
        FORMAT, example={**FORMAT.example, "institution_code": request.institution.code}
    )
    return template_download(fmt, request.GET.get("template", "zh"))


@portal_required(capability="portal.settlement")
def upload_errors(request, pk):
    batch = get_object_or_404(
        ImportBatch,
        pk=pk,
        kind="service_records",
        created_by__institution_link__institution=request.institution,
    )
    return import_errors_attachment([batch], f"errors-{batch.pk}.csv")


@portal_required(capability="portal.settlement")
def visit_new(request):
    institution = request.institution
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        values = {
            "institution_code": institution.code,
            "national_id": d["national_id"],
            "kind": "home_visit",
            "service_date": d["service_date"].isoformat(),
            "component": "",
            "charged_amount": f"{d['charged_amount']:.2f}",
            "caregiver_id": d["caregiver_id"],
            "started_at": f"{d['service_date'].isoformat()}T{d['started_at']:%H:%M}",
            "ended_at": f"{d['service_date'].isoformat()}T{d['ended_at']:%H:%M}",
            "items": ";".join(d["items"]),
        }
        import uuid

        key = f"portal:{institution.pk}:{uuid.uuid4().hex}"
        try:
            good, errors = resolve([(1, parse_row(1, values))], only_institution=institution)
        except RowError as err:
            good, errors = [], [err]
        if good:
            errors += check_records([(1, key, good[0][1])])
        if errors:
            form.add_error(None, "；".join(f"{e.field}: {e.reason}" for e in errors))
        else:
            record = good[0][1]
            records_store(records=[(key, record)], origin=ServiceRecord.Origin.PORTAL)
            if record.get("held_reason"):
                messages.warning(request, held_message(1, record).reason)
            else:
                messages.success(request, _("上门服务记录已保存"))
            return redirect("settlement_portal:visit_new")
    return render(request, "portal/settlement/visit.html", {"institution": institution, "form": form})


@require_POST
@portal_required(capability="portal.settlement")
def claim(request):
    month = _month(request)
    result = claim_submit(institution=request.institution, month=month, actor=request.user)
    if result.late:
        messages.warning(
            request,
            _("已提交 %(m)s 申报（逾期，截止日 %(d)s）") % {"m": f"{month:%Y-%m}", "d": result.deadline},
        )
    else:
        messages.success(
            request, _("已提交 %(m)s 申报：%(n)s 条记录") % {"m": f"{month:%Y-%m}", "n": result.record_count}
        )
    return redirect(f"/portal/settlement/?month={month:%Y-%m}")


@require_POST
@portal_required(capability="portal.settlement")
def bed_days(request):
    month = _month(request)
    if request.POST.get("action") == "confirm":
        n = bed_days_confirm(institution=request.institution, month=month)
        messages.success(request, _("已确认 %(n)s 个床日") % {"n": n})
    else:
        try:
            charge = parse_amount(request.POST["daily_charge"]) if request.POST.get("daily_charge") else None
            error = None if charge is None else bed_day_charge_error(charge, month=month)
        except AmountError as exc:
            error = str(exc)
        if error:
            messages.error(request, _("每日收费") + "：" + error)
            return redirect(f"/portal/settlement/?month={month:%Y-%m}")
        n = bed_days_generate(institution=request.institution, month=month, daily_charge=charge)
        messages.success(request, _("已根据入住记录生成 %(n)s 个待确认床日") % {"n": n})
    return redirect(f"/portal/settlement/?month={month:%Y-%m}")


@portal_required(capability="portal.settlement")
def results(request):
    first = _month(request)
    run, lines = selectors.visible_lines(institution=request.institution, month=first)
    rows = []
    for line in lines:
        audits = list(line.audits.select_related("record").order_by("record__service_date", "pk"))
        rows.append(
            {
                "line": line,
                "reasons": [(c, reason_text(c)) for c in line.reason_codes],
                "audits": [{"audit": a, "reasons": [(c, reason_text(c)) for c in a.codes]} for a in audits],
            }
        )
    return render(
        request,
        "portal/settlement/results.html",
        {"institution": request.institution, "month": first, "run": run, "rows": rows},
    )


@require_POST
@portal_required(capability="portal.settlement")
def appeal(request):
    form = AppealTarget(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要申诉的结算明细"))
        return redirect("settlement_portal:index")
    line = get_object_or_404(
        selectors.lines_for_institution(institution=request.institution), pk=form.cleaned_data["line_id"]
    )
    audit = None
    if form.cleaned_data["audit_id"]:
        audit = get_object_or_404(line.audits, pk=form.cleaned_data["audit_id"])
    try:
        appeal_create(
            institution=request.institution,
            line=line,
            audit=audit,
            comment=request.POST.get("comment", ""),
            actor=request.user,
        )
        messages.success(request, _("申诉已提交"))
    except AppealRefused as exc:
        messages.error(request, str(exc))
    return redirect(f"/portal/settlement/results/?month={line.run.month:%Y-%m}")


@portal_required(capability="portal.settlement")
def statement(request, pk, fmt):
    found = get_object_or_404(selectors.statements_for_institution(institution=request.institution), pk=pk)
    if fmt == "csv":
        return statement_csv_response(found)
    if fmt != "pdf":
        raise PermissionDenied
    from .services.reports import statement_pdf

    return attachment(statement_pdf(found), f"{found.document_no}.pdf")
