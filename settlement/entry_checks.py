"""Checks at submission (SPEC 7.1): one validation for the file import, the API and the portal visit form.

Each refusal is a ``RowError`` naming the field, the value and the reason in the user's language; the
caller stores none of the refused rows. The month-end audit (SPEC 7.2, settlement.services.audit) stays the
second line of defence for what only the month shows (eligibility, double care, beds, limits, records
stored below these checks such as generated bed-days).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext

from institutions.models import CareForm
from ltci.core.importing import RowError
from ltci.core.policy import PolicyError, policy_in_force

from . import rules
from .models import HeldReason, HoldDecision, RecordKind, ServiceRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
CEILING_FIELD = {
    RecordKind.HOME_VISIT: "max_charge_visit",
    RecordKind.BED_DAY: "max_charge_bed_day",
    RecordKind.DEVICE: "max_charge_device",
}

# The care form a refusal names for a kind whose forms the agreement does not cover (visits: any visit form).
SHOWN_FORM = {
    RecordKind.BED_DAY: "residential",
    RecordKind.HOME_VISIT: "home_visits",
    RecordKind.DEVICE: "device",
}


def _hm(value: dt.datetime) -> str:
    return f"{value.astimezone(SHANGHAI):%H:%M}"


def _span(record: dict) -> str:
    return f"{_hm(record['started_at'])}–{_hm(record['ended_at'])}"


def _minutes(record) -> float:
    return (record["ended_at"] - record["started_at"]).total_seconds() / 60


def charge_error(row: int, kind: str, charged, bounds) -> RowError | None:
    """A charge of zero or less, or above the policy's ceiling for the kind (record_checks)."""
    if charged <= 0:
        return RowError(
            row,
            "charged_amount",
            gettext("收费金额 %(amount)s 元必须大于零") % {"amount": f"{charged:.2f}"},
        )
    ceiling = bounds[CEILING_FIELD[kind]]
    if charged > ceiling:
        return RowError(
            row,
            "charged_amount",
            gettext(
                "收费金额 %(amount)s 元超过该类记录的上限 %(max)s 元（政策参数），不能提交；"
                "确属实际收费的，请联系医保经办机构核实"
            )
            % {"amount": f"{charged:.2f}", "max": f"{ceiling:.2f}"},
        )
    return None


def above_ceiling(kind: str, charged, bounds) -> bool:
    """A charge above the policy's ceiling for the kind (record_checks): stored but held (SPEC 7.1)."""
    return charged > bounds[CEILING_FIELD[kind]]


def _bounds_error(row: int, record: dict, bounds) -> RowError | None:
    """The policy's bounds (record_checks) on a visit's duration and a record's charge (zero or less; a
    charge above the ceiling is held for the office's confirmation, not refused)."""
    if record["kind"] == RecordKind.HOME_VISIT and record["started_at"] and record["ended_at"]:
        minutes = _minutes(record)
        if minutes < bounds["visit_min_minutes"] or minutes > bounds["visit_max_minutes"]:
            return RowError(
                row,
                "ended_at",
                gettext("上门服务时长 %(n)s 分钟，不在政策允许的 %(min)s–%(max)s 分钟内")
                % {
                    "n": f"{minutes:g}",
                    "min": bounds["visit_min_minutes"],
                    "max": bounds["visit_max_minutes"],
                },
            )
    if record["charged_amount"] <= 0:
        return charge_error(row, record["kind"], record["charged_amount"], bounds)
    return None


def _agreement_error(row: int, record: dict, periods, first_days) -> RowError | None:
    """The institution's agreement must be in force on the day and cover the record's kind (SPEC 7.1)."""
    day, kind = record["service_date"], record["kind"]
    in_force = [agreement for a, b, agreement in periods.get(record["institution_id"], ()) if a <= day <= b]
    if not in_force:
        first = first_days.get(record["institution_id"])
        if first is None or day < first:
            return RowError(
                row,
                "service_date",
                gettext("服务日期 %(date)s 早于本机构服务协议的开始日期（%(start)s）")
                % {"date": day.isoformat(), "start": first.isoformat() if first else gettext("未签订协议")},
            )
        return RowError(
            row,
            "service_date",
            gettext("服务日期 %(date)s 本机构没有生效的服务协议（协议已到期、暂停、解除或责任险过期）")
            % {"date": day.isoformat()},
        )
    forms = rules.ENTRY_FORMS[kind]
    if not any(rules.agreement_covers(a.care_forms, form) for a in in_force for form in forms):
        return RowError(
            row,
            "kind",
            gettext("本机构 %(date)s 生效的服务协议不包含“%(form)s”，不能提交 %(kind)s 记录")
            % {"date": day.isoformat(), "form": CareForm(SHOWN_FORM[kind]).label, "kind": kind},
        )
    return None


def _identity(record: dict) -> tuple:
    return (
        record["institution_id"],
        record["person_id"],
        record["kind"],
        record["service_date"],
        record["component"] or "",
        record["caregiver_national_id"] or "",
        record["started_at"],
    )


class _Visits:
    """Visits (stored and accepted earlier in the batch) by (day, person) and by (day, caregiver)."""

    def __init__(self):
        self.by_person: dict[tuple, list[dict]] = {}
        self.by_caregiver: dict[tuple, list[dict]] = {}

    def add(self, visit: dict) -> None:
        day = visit["service_date"]
        self.by_person.setdefault((day, visit["person_id"]), []).append(visit)
        if visit["caregiver_national_id"]:
            self.by_caregiver.setdefault((day, visit["caregiver_national_id"]), []).append(visit)

    @staticmethod
    def _any(record: dict, visits: list[dict]) -> bool:
        return any(
            rules.times_overlap(record["started_at"], record["ended_at"], v["started_at"], v["ended_at"])
            for v in visits
        )

    def error(self, row: int, record: dict) -> RowError | None:
        """A visit overlapping another visit of the same person or of the same caregiver (SPEC 7.1)."""
        if record["kind"] != RecordKind.HOME_VISIT or not (record["started_at"] and record["ended_at"]):
            return None
        day, caregiver = record["service_date"], record["caregiver_national_id"] or ""
        if self._any(record, self.by_person.get((day, record["person_id"]), [])):
            return RowError(
                row,
                "started_at",
                gettext("上门服务 %(date)s %(span)s 与该参保人的另一次上门服务时间重叠")
                % {"date": day.isoformat(), "span": _span(record)},
            )
        if caregiver and self._any(record, self.by_caregiver.get((day, caregiver), [])):
            return RowError(
                row,
                "caregiver_id",
                gettext("护理人员 %(id)s 在 %(date)s %(span)s 已有另一次上门服务（时间重叠）")
                % {"id": caregiver, "date": day.isoformat(), "span": _span(record)},
            )
        return None


def check_records(rows: list[tuple[int, str, dict]]) -> list[RowError]:
    """Checks at submission (SPEC 7.1), shared by the file import, the API and the portal form.

    rows: (row, source_key, resolved record). A source key already stored (or earlier in the batch) is the
    idempotent re-send of that record and is not checked again. Refused, in this order, with the first
    reason of a row: no ``record_checks`` policy in force that day; a visit's duration outside the policy's
    bounds; a charge of zero or less; a date before the
    institution's first agreement, without an agreement in force, or an agreement not covering the kind;
    a caregiver not employed by the institution that day; the same record (institution, person, kind,
    date, component, caregiver, start) already stored or earlier in the batch; a visit overlapping another
    visit (stored, or accepted earlier in the batch) of the same person or the same caregiver.

    A record accepted with a charge above the policy's ceiling for its kind gets ``record["held_reason"]``
    (HeldReason.CHARGE_ABOVE_CEILING): the caller stores it held for the office's confirmation and tells the
    submitter (``held_message``). A record the office rejected counts neither as stored nor as a visit, so
    the corrected record can be submitted.
    """
    from institutions.selectors import agreement_days, caregiver_employments, first_agreement_days

    if not rows:
        return []
    from .services.records import stored_source_keys

    stored_keys = stored_source_keys(k for _, k, _ in rows)
    dates = [r["service_date"] for _, _, r in rows]
    start, end = min(dates), max(dates)
    institution_ids = {r["institution_id"] for _, _, r in rows}
    employments = caregiver_employments(institution_ids=institution_ids, start=start, end=end)
    periods = agreement_days(institution_ids=institution_ids, start=start, end=end)
    first_days = first_agreement_days(institution_ids=institution_ids)
    existing = {
        _identity(values)
        for values in ServiceRecord.objects.filter(
            institution_id__in=institution_ids,
            person_id__in={r["person_id"] for _, _, r in rows},
            service_date__in=set(dates),
        )
        .exclude(hold_decision=HoldDecision.REJECTED)
        .values(
            "institution_id",
            "person_id",
            "kind",
            "service_date",
            "component",
            "caregiver_national_id",
            "started_at",
        )
    }
    visits = _Visits()
    visit_rows = [r for _, k, r in rows if r["kind"] == RecordKind.HOME_VISIT and k not in stored_keys]
    if visit_rows:
        caregivers = {r["caregiver_national_id"] for r in visit_rows if r["caregiver_national_id"]}
        for values in (
            ServiceRecord.objects.filter(
                kind=RecordKind.HOME_VISIT,
                service_date__in={r["service_date"] for r in visit_rows},
                started_at__isnull=False,
                ended_at__isnull=False,
            )
            .exclude(hold_decision=HoldDecision.REJECTED)
            .filter(
                Q(person_id__in={r["person_id"] for r in visit_rows})
                | Q(caregiver_national_id__in=caregivers)
            )
            .values("person_id", "caregiver_national_id", "service_date", "started_at", "ended_at")
        ):
            visits.add(values)
    bounds, seen_keys, errors = {}, set(), []
    for row, key, record in rows:
        if key in stored_keys or key in seen_keys:
            continue
        seen_keys.add(key)
        day = record["service_date"]
        if day not in bounds:
            try:
                bounds[day] = policy_in_force("record_checks", on=day)
            except PolicyError as exc:
                bounds[day] = exc
        if isinstance(bounds[day], PolicyError):
            errors.append(RowError(row, "service_date", str(bounds[day])))
            continue
        error = _bounds_error(row, record, bounds[day]) or _agreement_error(row, record, periods, first_days)
        caregiver = record["caregiver_national_id"]
        if (
            error is None
            and caregiver
            and not any(
                a <= day and (b is None or day <= b)
                for a, b in employments.get((record["institution_id"], caregiver), ())
            )
        ):
            error = RowError(
                row,
                "caregiver_id",
                gettext("护理人员 %(id)s 在 %(date)s 不是本机构在职护理人员")
                % {"id": caregiver, "date": day.isoformat()},
            )
        if error is None and _identity(record) in existing:
            error = RowError(
                row,
                "service_date",
                gettext(
                    "同一服务记录已提交过（同一机构、参保人、类别、日期、护理人员和开始时间），不能重复提交"
                ),
            )
        if error is None:
            error = visits.error(row, record)
        if error is not None:
            errors.append(error)
            continue
        if above_ceiling(record["kind"], record["charged_amount"], bounds[day]):
            record["held_reason"] = HeldReason.CHARGE_ABOVE_CEILING
        existing.add(_identity(record))
        if record["kind"] == RecordKind.HOME_VISIT and record["started_at"] and record["ended_at"]:
            visits.add(record)
    return errors


def held_message(row: int, record: dict) -> RowError:
    """What the submitter is told of a record stored but held for the office's confirmation."""
    ceiling = policy_in_force("record_checks", on=record["service_date"])[CEILING_FIELD[record["kind"]]]
    return RowError(
        row,
        "charged_amount",
        gettext(
            "收费金额 %(amount)s 元超过该类记录的上限 %(max)s 元（政策参数）：记录已保存，"
            "待医保经办机构确认后才参加结算；经办机构驳回的不予支付"
        )
        % {"amount": f"{record['charged_amount']:.2f}", "max": f"{ceiling:.2f}"},
    )


def bed_day_charge_error(charge, *, month: dt.date) -> str | None:
    """Why a daily charge for generating a month's bed-days is refused (the portal's bed-day form): zero
    or less, above the bed-day ceiling of a ``record_checks`` version in force in the month, or no such
    policy on one of its days. The generated bed-days then wait for the institution's confirmation."""
    from ltci.core.dates import month_end

    day, last = month, month_end(month)
    while day <= last:
        try:
            bounds = policy_in_force("record_checks", on=day)
        except PolicyError as exc:
            return str(exc)
        error = charge_error(0, RecordKind.BED_DAY, charge, bounds)
        if error is not None:
            return error.reason
        day += dt.timedelta(days=1)
    return None
