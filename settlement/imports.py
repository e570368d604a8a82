"""Service-record files (SPEC 11.4): parse and validate per row, store the valid rows idempotently.

A row's identity is the file's SHA-256 and its row number (``file:<sha>:<row>``): importing the same
file again changes nothing. A future date is refused here; the other checks at submission (SPEC 7.1) are
``settlement.entry_checks.check_records``, shared with the API and the portal form; the monthly run's
audit (SPEC 7.2) stays the second line of defence.
"""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from benefits.selectors import persons_served_by
from enrollment.selectors import person_reference, persons_by_national_id
from institutions.selectors import institution_reference, institutions_by_code
from ltci.core.dates import parse_iso_date
from ltci.core.import_fields import (
    RowCheck,
    RowError,
    choice_parser,
    unknown_institution_message,
    unknown_person_message,
)
from ltci.core.import_templates import EXAMPLE_CAREGIVER, EXAMPLE_PERSON, ImportFormat
from ltci.core.importing import run_import
from ltci.core.money import parse_amount

from . import bank_imports
from .entry_checks import check_records, held_message
from .models import RecordKind, ServiceRecord

COLUMNS = [
    "institution_code",
    "national_id",
    "kind",
    "service_date",
    "component",
    "charged_amount",
    "caregiver_id",
    "started_at",
    "ended_at",
    "items",
]
# The Chinese column names a header may use instead of the codes (issue 14); the template's header.
LABELS = {
    "institution_code": "机构编码",
    "national_id": "公民身份号码",
    "kind": "记录类型",
    "service_date": "服务日期",
    "component": "费用类别",
    "charged_amount": "收费金额",
    "caregiver_id": "护理员公民身份号码",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "items": "服务项目",
}
OPTIONAL = ["component", "caregiver_id", "started_at", "ended_at", "items"]
FORMAT = ImportFormat(
    "import_service_records",
    COLUMNS,
    LABELS,
    {
        "institution_code": "XZ0003",
        "national_id": EXAMPLE_PERSON,
        "kind": "home_visit",
        "service_date": "2025-02-03",
        "charged_amount": "80.00",
        "caregiver_id": EXAMPLE_CAREGIVER,
        "started_at": "09:00",
        "ended_at": "10:00",
        "items": "清洁照料;饮食照料",
    },
)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Checked for rows that fail parsing too (issue 14); not for an institution's own upload, which must not
# tell who is insured (resolve gives one reason for an unknown or unserved person there).
REFERENCES = [institution_reference(), person_reference()]

# The service catalogue of seed 001 五(二)1 (SPEC 6): life care and medical care items.
LIFE_ITEMS = (
    "清洁照料",
    "睡眠照料",
    "饮食照料",
    "排泄照料",
    "卧位与安全照料",
    "病情观察",
    "心理安慰",
    "管道照护",
    "压疮预防和照护",
    "康复照护",
    "清洁消毒",
)
MEDICAL_ITEMS = ("诊察", "康复", "吸氧", "灌肠", "导尿", "压疮伤口换药", "给药", "造瘘护理", "吸痰")
CATALOGUE = LIFE_ITEMS + MEDICAL_ITEMS


def parse_datetime(text: str, *, on: dt.date | None = None) -> dt.datetime:
    """Parse an ISO date-time (T or space, minutes or seconds, optional offset); naive = Asia/Shanghai.

    With ``on`` (the service date) a time alone (HH:MM[:SS]) means that time on that day.
    """
    raw = text.strip()
    if on is not None and 4 <= len(raw) <= 8 and ":" in raw and "-" not in raw:
        try:
            return dt.datetime.combine(
                on, dt.time.fromisoformat(raw.zfill(5) if len(raw) == 4 else raw), tzinfo=SHANGHAI
            )
        except ValueError:
            raise ValueError(
                gettext("%(text)s 不是 09:00 这样的时间，也不是 2024-05-01T09:00 这样的日期时间")
                % {"text": raw}
            ) from None
    try:
        if len(raw) < 16 or raw[10] not in "T ":
            raise ValueError
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            gettext("%(text)s 不是 2024-05-01T09:00 或 2024-05-01 09:00 这样的日期时间") % {"text": raw}
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value


def parse_items(text: str) -> list[str]:
    """Split service items on ';' (full-width '；' and '、' too); each at most 40 characters."""
    raw = text.replace("；", ";").replace("、", ";")
    items = [part.strip() for part in raw.split(";") if part.strip()]
    for item in items:
        if len(item) > 40:
            raise ValueError(gettext("服务项目 %(item)s… 超过 40 个字符") % {"item": item[:20]})
    return items


_kind = choice_parser(RecordKind.choices, lower=True)


def _amount(text: str):
    """An amount the money column holds; its bounds per kind and date are policy (entry_checks)."""
    return parse_amount(text)


def _national_id(text: str) -> str:
    value = text.strip().upper()
    if len(value) != 18:
        raise ValueError(gettext("%(text)s 不是 18 位公民身份号码") % {"text": text})
    return value


def parse_row(row: int, values: dict[str, str]) -> dict:
    """Validate one row; return the record's fields with codes still to resolve.

    Every problem of the row is collected (RowCheck) and raised together as RowProblems (issue 14).
    """
    check = RowCheck(row, values)
    institution_code = check.get("institution_code", str.strip)
    national_id = check.get("national_id", _national_id)
    kind = check.get("kind", _kind)
    service_date = check.get("service_date", parse_iso_date)
    today = dt.datetime.now(SHANGHAI).date()
    if service_date and service_date > today:
        check.error(
            "service_date",
            gettext("服务日期 %(date)s 晚于今天（%(today)s），不能提交未发生的服务")
            % {"date": service_date.isoformat(), "today": today.isoformat()},
        )
    component = check.text("component").lower()
    if component and component not in ("life", "medical"):
        check.error("component", _component_message(component))
    elif kind == RecordKind.BED_DAY and not component:
        check.error("component", gettext("床日（bed_day）记录必须填写：life 生活照料 或 medical 医疗护理"))
    charged = check.get("charged_amount", _amount)
    caregiver = check.text("caregiver_id").upper()
    if len(caregiver) > 18:
        check.error("caregiver_id", gettext("%(id)s 超过 18 个字符") % {"id": caregiver})
    visit = kind == RecordKind.HOME_VISIT
    started_at = ended_at = None
    if service_date or not check.failed("service_date"):  # a time alone needs the service date
        on_date = lambda text: parse_datetime(text, on=service_date)  # noqa: E731
        started_at = check.get("started_at", on_date, required=visit)
        ended_at = check.get("ended_at", on_date, required=visit)
    if started_at and ended_at and ended_at <= started_at:
        check.error(
            "ended_at",
            gettext("签退时间 %(end)s 不晚于签到时间 %(start)s")
            % {
                "end": f"{ended_at.astimezone(SHANGHAI):%H:%M}",
                "start": f"{started_at.astimezone(SHANGHAI):%H:%M}",
            },
        )
    for name, moment in (("started_at", started_at), ("ended_at", ended_at)):
        if visit and moment and service_date and moment.astimezone(SHANGHAI).date() != service_date:
            check.error(name, gettext("不在服务日期 %(date)s 当天") % {"date": service_date.isoformat()})
    items = check.get("items", parse_items, required=False) or []
    check.done()
    return {
        "institution_code": institution_code,
        "national_id": national_id,
        "kind": kind,
        "service_date": service_date,
        "component": component,
        "charged_amount": charged,
        "caregiver_national_id": caregiver,
        "started_at": started_at,
        "ended_at": ended_at,
        "items": items,
    }


def _component_message(component: str) -> str:
    return gettext("不是允许的值（填写的是 %(text)s；允许：life 生活照料, medical 医疗护理）") % {
        "text": component
    }


def resolve(
    rows: list[tuple[int, dict]], *, only_institution=None
) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Replace institution codes and national IDs by ids in bulk; unknown ones are row errors.

    With only_institution (portal and API uploads) a row of another institution is a row error, and so
    is a person the institution does not serve (benefits.selectors.persons_served_by), with one reason
    whether the ID is unknown or a person served elsewhere: an upload must not tell who is insured.
    """
    institutions = {c: i.pk for c, i in institutions_by_code(r["institution_code"] for _, r in rows).items()}
    persons = {n: p.pk for n, p in persons_by_national_id(r["national_id"] for _, r in rows).items()}
    if only_institution is not None:
        served, beneficiaries = persons_served_by(institution=only_institution, person_ids=persons.values())
    good, errors = [], []
    for row, data in rows:
        code, person_id = data["institution_code"], persons.get(data["national_id"])
        if only_institution is not None and code != only_institution.code:
            errors.append(
                RowError(
                    row,
                    "institution_code",
                    gettext("%(code)s 不是本机构（%(own)s）") % {"code": code, "own": only_institution.code},
                )
            )
            continue
        if code not in institutions:
            errors.append(RowError(row, "institution_code", unknown_institution_message(code)))
            continue
        if only_institution is not None and not (
            person_id in served or (data["kind"] == RecordKind.DEVICE and person_id in beneficiaries)
        ):
            errors.append(RowError(row, "national_id", gettext("该参保人不在本机构服务对象中或身份证号有误")))
            continue
        if person_id is None:
            errors.append(RowError(row, "national_id", unknown_person_message(data["national_id"])))
            continue
        record = dict(data)
        record["institution_id"] = institutions[record.pop("institution_code")]
        record["person_id"] = persons[record.pop("national_id")]
        good.append((row, record))
    return good, errors


def import_service_records(*, content: bytes, filename: str, actor=None, institution=None):
    """Import a service-record file (CSV or XLSX); return the ImportReport."""
    from .services.records import records_store

    digest = hashlib.sha256(content or b"").hexdigest()
    held: list[RowError] = []

    def apply_rows(parsed):
        good, errors = resolve(parsed, only_institution=institution)
        rows = [(row, f"file:{digest}:{row}", record) for row, record in good]
        refused = check_records(rows)
        errors += refused
        refused_rows = {e.row for e in refused}
        keyed = [(key, record) for row, key, record in rows if row not in refused_rows]
        applied, unchanged = records_store(records=keyed, origin=ServiceRecord.Origin.FILE)
        held.extend(
            held_message(row, record)
            for row, _key, record in rows
            if row not in refused_rows and record.get("held_reason")
        )
        return applied, unchanged, errors

    return run_import(
        kind="service_records",
        content=content,
        filename=filename,
        columns=COLUMNS,
        parse_row=parse_row,
        apply_rows=apply_rows,
        optional=OPTIONAL,
        labels=LABELS,
        references=REFERENCES if institution is None else (),
        actor=actor,
        held=held,
    )


# The bank side of payments (issue 19) lives in settlement.bank_imports; the importers are named here, where
# queued web uploads look for import services (ltci.core.uploads).
def import_bank_accounts(*, content: bytes, filename: str, actor=None):
    return bank_imports.import_bank_accounts(content=content, filename=filename, actor=actor)


def import_bank_return(*, content: bytes, filename: str, actor=None):
    return bank_imports.import_bank_return(content=content, filename=filename, actor=actor)
