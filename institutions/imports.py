"""SPEC 11.7 migration files: import_institutions and import_caregivers (idempotent, per-row errors).

Institutions: `code, name, type, region_code, credit_code, care_forms, beds, agreement_from, agreement_to,
insurance_expires_on, price_life, price_medical`. Caregivers: `institution_code, national_id, name,
qualification, employed_from, employed_to`. Decisions: docs/decisions.md.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.dates import parse_iso_date
from ltci.core.idnumber import parse_id_number
from ltci.core.import_fields import (
    RowCheck,
    choice_parser,
    codes_parser,
    text_parser,
    unknown_institution_message,
)
from ltci.core.import_templates import EXAMPLE_CAREGIVER, ImportFormat
from ltci.core.importing import ImportReport, RowError, run_import
from ltci.core.money import parse_amount

from . import rules, states
from .errors import InstitutionError
from .models import (
    Agreement,
    Bed,
    CareForm,
    Caregiver,
    Employment,
    Institution,
    InstitutionType,
    InsuranceNotice,
    SickbedPartner,
)
from .selectors import agreed_price_errors, institution_reference, institutions_by_code
from .services.lifecycle import institution_reinstate, institution_suspend
from .services.records import beds_set_count

INSTITUTION_COLUMNS = [
    "code",
    "name",
    "type",
    "region_code",
    "credit_code",
    "care_forms",
    "beds",
    "agreement_from",
    "agreement_to",
    "insurance_expires_on",
    "price_life",
    "price_medical",
]
# The Chinese column names a header may use instead of the codes (issue 14); the templates' header.
INSTITUTION_LABELS = {
    "code": "机构编码",
    "name": "机构名称",
    "type": "机构类型",
    "region_code": "行政区划代码",
    "credit_code": "统一社会信用代码",
    "care_forms": "护理服务形式",
    "beds": "床位数",
    "agreement_from": "协议起始日期",
    "agreement_to": "协议终止日期",
    "insurance_expires_on": "责任保险到期日期",
    "price_life": "生活照料收费标准",
    "price_medical": "医疗护理收费标准",
}
CAREGIVER_LABELS = {
    "institution_code": "机构编码",
    "national_id": "公民身份号码",
    "name": "姓名",
    "qualification": "资质",
    "employed_from": "聘用起始日期",
    "employed_to": "聘用终止日期",
}
CAREGIVER_COLUMNS = [
    "institution_code",
    "national_id",
    "name",
    "qualification",
    "employed_from",
    "employed_to",
]
INSTITUTION_FORMAT = ImportFormat(
    "import_institutions",
    INSTITUTION_COLUMNS,
    INSTITUTION_LABELS,
    {
        "code": "XZ9001",
        "name": "徐州市鼓楼示例护理院",
        "type": "medical",
        "region_code": "320302",
        "beds": "10",
    },
)
CAREGIVER_FORMAT = ImportFormat(
    "import_caregivers",
    CAREGIVER_COLUMNS,
    CAREGIVER_LABELS,
    {
        "institution_code": "XZ0003",
        "national_id": EXAMPLE_CAREGIVER,
        "name": "王护理",
        "qualification": "养老护理员（四级）",
        "employed_from": "2025-01-01",
    },
)


@dataclass
class InstitutionRow:
    code: str
    name: str
    type: str
    region_code: str
    credit_code: str
    care_forms: list[str]
    beds: int
    agreement_from: dt.date | None
    agreement_to: dt.date | None
    insurance_expires_on: dt.date | None
    price_life: Decimal | None
    price_medical: Decimal | None


_text = text_parser


def _region(text):
    if not re.fullmatch(r"\d{6}", text):
        raise ValueError(_("%(code)s 不是 6 位行政区划代码") % {"code": text})
    return text


def _care_forms(text):
    return list(codes_parser(CareForm.agreement_choices())(text))


def _count(text):
    if not re.fullmatch(r"\d+", text):
        raise ValueError(_("%(text)s 不是整数床位数") % {"text": text})
    return int(text)


def _price(text):
    return parse_amount(text)  # bounded by the money column; the policy's ceiling is checked per row


def parse_institution_row(row: int, values: dict[str, str], *, today: dt.date) -> InstitutionRow:
    check = RowCheck(row, values)
    code = check.get("code", _text(30))
    name = check.get("name", _text(200))
    kind = check.get("type", choice_parser(InstitutionType.choices))
    region = check.get("region_code", _region)
    credit = check.get("credit_code", rules.validate_credit_code, required=False) or ""
    forms = check.get("care_forms", _care_forms, required=False) or []
    beds = check.get("beds", _count, required=False) or 0
    start = check.get("agreement_from", parse_iso_date, required=False)
    end = check.get("agreement_to", parse_iso_date, required=False)
    if (start is None) != (end is None) and not check.failed("agreement_from", "agreement_to"):
        missing = "agreement_to" if end is None else "agreement_from"
        check.error(missing, _("填写了另一个协议日期时必须填写"))
    if start and end and end < start:
        check.error("agreement_to", _("%(end)s 早于协议起始日期 %(start)s") % {"end": end, "start": start})
    insurance = check.get("insurance_expires_on", parse_iso_date, required=False)
    life = check.get("price_life", _price, required=False)
    medical = check.get("price_medical", _price, required=False)
    if not check.failed("agreement_from"):
        for field, error in agreed_price_errors(
            prices={"life": life, "medical": medical}, on=start or today
        ).items():
            check.error(field, error)
    check.done()
    return InstitutionRow(code, name, kind, region, credit, forms, beds, start, end, insurance, life, medical)


ACTIVE, LAPSED, PENDING, ENDED, NONE = "active", "lapsed", "pending", "ended", "none"


def classify(r: InstitutionRow, today: dt.date) -> str:
    """What a row says about its agreement on the import date (SPEC 11.7).

    active: an agreement period not yet over and liability insurance valid (on the import date, or on the
    first day of an agreement that starts later): imported as active. lapsed: the period has begun and the
    insurance was valid on its first day but has expired since: the agreement was in force until the expiry
    and is suspended from the day after, as the daily check would have done. pending: a current period
    whose insurance never covered it (none given, or expired before the start). ended: the period is over.
    none: no agreement period.
    """
    if r.agreement_from is None:
        return NONE
    if r.agreement_to < today:
        return ENDED
    if rules.insurance_valid(r.insurance_expires_on, max(today, r.agreement_from)):
        return ACTIVE
    if r.agreement_from <= today and rules.insurance_valid(r.insurance_expires_on, r.agreement_from):
        return LAPSED
    return PENDING


def _suspension_start(r: InstitutionRow, today: dt.date) -> dt.date:
    expiry = r.insurance_expires_on
    if expiry is not None and expiry >= r.agreement_from:
        return expiry + dt.timedelta(days=1)
    return today


def _apply_institution(r: InstitutionRow, *, today: dt.date, actor) -> bool:
    """Write one row; return True when something changed. Decisions: docs/decisions.md."""
    S, A = Institution.Status, Agreement.State
    changed = False
    institution = Institution.objects.select_for_update().filter(code=r.code).first()
    data = {"name": r.name, "type": r.type, "region_code": r.region_code, "credit_code": r.credit_code}
    created = institution is None
    if created:
        institution = Institution.objects.create(code=r.code, **data)
        changed = True
    elif any(getattr(institution, k) != v for k, v in data.items()):
        for k, v in data.items():
            setattr(institution, k, v)
        institution.save()
        changed = True
    kind = classify(r, today)
    status = institution.status
    last_action = institution.events.order_by("-at", "-id").values_list("action", flat=True).first()
    pipeline = status in (S.APPLIED, S.QUALIFICATION_REVIEW, S.ONSITE_EVALUATION)
    # A suspension the import itself recorded may be lifted by a later import; staff decisions stand.
    import_suspended = status == S.SUSPENDED and last_action == "import"
    staff_decided = status == S.TERMINATED or (status == S.SUSPENDED and not import_suspended)
    started = r.agreement_from is not None and r.agreement_from <= today
    if kind == ACTIVE:
        want = S.ACTIVE
    elif kind == LAPSED or (kind == PENDING and started and status == S.ACTIVE):
        want = S.SUSPENDED  # an agreement never stays active with expired insurance
    else:
        want = None
    agreement = None
    if r.agreement_from:
        terms = {
            "valid_from": r.agreement_from,
            "valid_to": r.agreement_to,
            "care_forms": r.care_forms,
            "price_life": r.price_life,
            "price_medical": r.price_medical,
            "insurance_expires_on": r.insurance_expires_on,
        }
        if not staff_decided:
            if kind == ENDED:
                terms["state"] = A.EXPIRED
            elif want is None:
                terms["state"] = A.DRAFT
            elif want == S.ACTIVE:
                terms["state"] = A.SUSPENDED if import_suspended else A.ACTIVE  # reinstated below
            else:
                terms["state"] = A.SUSPENDED if status == S.SUSPENDED else A.ACTIVE  # suspended below
        agreement = (
            Agreement.objects.select_for_update()
            .filter(institution=institution)
            .exclude(state=A.TERMINATED)
            .overlapping(r.agreement_from, r.agreement_to)
            .order_by("-valid_from")
            .first()
        )
        if agreement is None:
            agreement = Agreement.objects.create(institution=institution, **terms)
            changed = True
        elif any(getattr(agreement, k) != v for k, v in terms.items()):
            for k, v in terms.items():
                setattr(agreement, k, v)
            agreement.save()
            changed = True
    if not staff_decided:
        moved = _move_institution(
            r,
            institution=institution,
            want=want,
            pipeline=pipeline,
            created=created,
            import_suspended=import_suspended,
            agreement=agreement,
            today=today,
            actor=actor,
        )
        changed = changed or moved
    on = r.agreement_from or today
    if Bed.objects.filter(institution=institution).exists():
        on = max(today, on)
    added, ended = beds_set_count(institution=institution, count=r.beds, on=on)
    return changed or bool(added or ended)


def _move_institution(
    r: InstitutionRow,
    *,
    institution,
    want,
    pipeline: bool,
    created: bool,
    import_suspended: bool,
    agreement,
    today: dt.date,
    actor,
) -> bool:
    """Carry the row's state over through the audited transitions (action "import"); True when moved."""
    S = Institution.Status
    since = r.agreement_from if r.agreement_from and r.agreement_from <= today else today
    if want == S.ACTIVE:
        if pipeline:
            states.transition(
                institution_id=institution.pk,
                to=S.ACTIVE,
                action="import",
                actor=actor,
                on=since,
                agreement=agreement,
                imported=True,
                reason="从原试点系统导入（协议期内且责任险有效）",
            )
            return True
        if import_suspended:
            institution_reinstate(
                institution=institution,
                actor=actor,
                on=today,
                reason=f"导入：第三方责任保险有效至{r.insurance_expires_on}，恢复定点",
            )
            return True
        return False
    if want == S.SUSPENDED:
        if pipeline:
            states.transition(
                institution_id=institution.pk,
                to=S.ACTIVE,
                action="import",
                actor=actor,
                on=since,
                agreement=agreement,
                imported=True,
                reason="从原试点系统导入（服务协议已签订）",
            )
            institution.status = S.ACTIVE
        if institution.status == S.ACTIVE:
            start = _suspension_start(r, today)
            institution_suspend(
                institution=institution,
                actor=actor,
                on=start,
                action="import",
                reason=f"导入：第三方责任保险{r.insurance_expires_on or '未填写'}已失效，暂停定点",
            )
            if r.insurance_expires_on:
                InsuranceNotice.objects.get_or_create(
                    agreement=agreement,
                    kind=InsuranceNotice.Kind.SUSPENDED,
                    expires_on=r.insurance_expires_on,
                    defaults={"created_on": today},
                )
            return True
        return False
    if created:
        states.transition(
            institution_id=institution.pk,
            to=S.APPLIED,
            action="import",
            actor=actor,
            on=today,
            agreement=agreement,
            imported=True,
            reason="从原试点系统导入（无有效协议或责任险）",
        )
        return True
    return False


def import_institutions(
    *, content: bytes, filename: str, actor=None, today: dt.date | None = None
) -> ImportReport:
    today = today or timezone.localdate()

    def apply_rows(rows):
        applied = unchanged = 0
        errors: list[RowError] = []
        seen: dict[str, int] = {}
        with transaction.atomic():
            for row, r in rows:
                if r.code in seen:
                    errors.append(
                        RowError(
                            row,
                            "code",
                            _("%(code)s 重复出现（首次在第 %(row)s 行）")
                            % {"code": r.code, "row": seen[r.code]},
                        )
                    )
                    continue
                seen[r.code] = row
                try:
                    with transaction.atomic():
                        if _apply_institution(r, today=today, actor=actor):
                            applied += 1
                        else:
                            unchanged += 1
                except InstitutionError as exc:
                    errors.append(RowError(row, exc.field or "*", exc.message))
                except IntegrityError as exc:
                    errors.append(
                        RowError(
                            row,
                            "agreement_from",
                            _("与已有协议冲突（%(type)s）") % {"type": exc.__class__.__name__},
                        )
                    )
        return applied, unchanged, errors

    return run_import(
        kind="institutions",
        content=content,
        filename=filename,
        columns=INSTITUTION_COLUMNS,
        labels=INSTITUTION_LABELS,
        parse_row=lambda row, values: parse_institution_row(row, values, today=today),
        apply_rows=apply_rows,
        actor=actor,
    )


@dataclass
class CaregiverRow:
    institution_code: str
    national_id: str
    name: str
    qualification: str
    employed_from: dt.date
    employed_to: dt.date | None


def _national_id(text):
    return parse_id_number(text).number


def parse_caregiver_row(row: int, values: dict[str, str]) -> CaregiverRow:
    check = RowCheck(row, values)
    code = check.get("institution_code", _text(30))
    number = check.get("national_id", _national_id)
    name = check.get("name", _text(100))
    qualification = check.get("qualification", _text(200), required=False) or ""
    start = check.get("employed_from", parse_iso_date)
    end = check.get("employed_to", parse_iso_date, required=False)
    if start and end and end < start:
        check.error("employed_to", _("%(end)s 早于聘用起始日期 %(start)s") % {"end": end, "start": start})
    check.done()
    return CaregiverRow(code, number, name, qualification, start, end)


def _apply_caregiver(r: CaregiverRow, institutions: dict[str, Institution], row: int) -> bool:
    institution = institutions.get(r.institution_code)
    if institution is None:
        raise RowError(row, "institution_code", unknown_institution_message(r.institution_code))
    institution_id = institution.pk
    changed = False
    caregiver, created = Caregiver.objects.get_or_create(
        national_id=r.national_id, defaults={"name": r.name, "qualification": r.qualification}
    )
    if not created and (caregiver.name, caregiver.qualification) != (r.name, r.qualification):
        caregiver.name, caregiver.qualification = r.name, r.qualification
        caregiver.save()
        changed = True
    changed = changed or created
    employment = Employment.objects.filter(
        caregiver=caregiver, institution_id=institution_id, employed_from=r.employed_from
    ).first()
    try:
        with transaction.atomic():
            if employment is None:
                Employment.objects.create(
                    caregiver=caregiver,
                    institution_id=institution_id,
                    employed_from=r.employed_from,
                    employed_to=r.employed_to,
                )
                changed = True
            elif employment.employed_to != r.employed_to:
                employment.employed_to = r.employed_to
                employment.save()
                changed = True
    except IntegrityError:
        raise RowError(
            row,
            "employed_from",
            _("与 %(id)s 在 %(code)s 的另一段聘用期重叠") % {"id": r.national_id, "code": r.institution_code},
        ) from None
    return changed


def _each_row(apply_one, codes):
    """apply_rows for imports whose rows each apply alone (a savepoint each): ``apply_one(row_data,
    institutions, row)`` returns True when it changed something or raises RowError; ``codes(row_data)`` the
    institution codes a row names."""

    def apply_rows(rows):
        applied = unchanged = 0
        errors: list[RowError] = []
        institutions = institutions_by_code({c for _row, r in rows for c in codes(r)})
        with transaction.atomic():
            for row, r in rows:
                try:
                    with transaction.atomic():
                        if apply_one(r, institutions, row):
                            applied += 1
                        else:
                            unchanged += 1
                except RowError as err:
                    errors.append(err)
        return applied, unchanged, errors

    return apply_rows


def import_caregivers(*, content: bytes, filename: str, actor=None) -> ImportReport:
    apply_rows = _each_row(_apply_caregiver, lambda r: (r.institution_code,))

    return run_import(
        kind="caregivers",
        content=content,
        filename=filename,
        columns=CAREGIVER_COLUMNS,
        labels=CAREGIVER_LABELS,
        parse_row=parse_caregiver_row,
        apply_rows=apply_rows,
        references=[institution_reference()],
        actor=actor,
    )


# Home sickbed partnerships (家庭病床, seed 001 五(三)1(1)): a medical institution and the agreement elderly-care
# institution in which it runs home sickbeds.
SICKBED_PARTNER_COLUMNS = ["medical_code", "elderly_care_code", "valid_from", "valid_to"]
SICKBED_PARTNER_LABELS = {
    "medical_code": "医疗机构编码",
    "elderly_care_code": "合作养老机构编码",
    "valid_from": "合作起始日期",
    "valid_to": "合作终止日期",
}


@dataclass(frozen=True)
class SickbedPartnerRow:
    medical_code: str
    elderly_care_code: str
    valid_from: dt.date
    valid_to: dt.date | None


def parse_sickbed_partner_row(row: int, values: dict[str, str]) -> SickbedPartnerRow:
    check = RowCheck(row, values)
    medical = check.get("medical_code", text_parser(30))
    elderly = check.get("elderly_care_code", text_parser(30))
    start = check.get("valid_from", parse_iso_date)
    end = check.get("valid_to", parse_iso_date, required=False)
    if start and end and end < start:
        check.error("valid_to", _("%(end)s 早于起始日期 %(start)s") % {"end": end, "start": start})
    check.done()
    return SickbedPartnerRow(medical, elderly, start, end)


def _apply_sickbed_partner(r: SickbedPartnerRow, institutions: dict, row: int) -> bool:
    """Create the partnership, or leave an identical one; return True when created or its end changed."""
    for field, code, kind in (
        ("medical_code", r.medical_code, InstitutionType.MEDICAL),
        ("elderly_care_code", r.elderly_care_code, InstitutionType.ELDERLY_CARE),
    ):
        found = institutions.get(code)
        if found is None:
            raise RowError(row, field, unknown_institution_message(code))
        if found.type != kind:
            raise RowError(
                row,
                field,
                _("%(code)s 不是%(type)s") % {"code": code, "type": InstitutionType(kind).label},
            )
    medical, elderly = institutions[r.medical_code], institutions[r.elderly_care_code]
    existing = SickbedPartner.objects.filter(
        medical=medical, elderly_care=elderly, valid_from=r.valid_from
    ).first()
    if existing is not None:
        if existing.valid_to == r.valid_to:
            return False
        existing.valid_to = r.valid_to
        existing.save(update_fields=["valid_to"])
        return True
    try:
        SickbedPartner.objects.create(
            medical=medical, elderly_care=elderly, valid_from=r.valid_from, valid_to=r.valid_to
        )
    except IntegrityError:
        raise RowError(row, "valid_from", _("与该两机构已登记的合作期间重叠")) from None
    return True


def import_sickbed_partners(*, content: bytes, filename: str, actor=None) -> ImportReport:
    """Home sickbed partnerships (seed 001 五(三)1(1))."""
    apply_rows = _each_row(_apply_sickbed_partner, lambda r: (r.medical_code, r.elderly_care_code))
    return run_import(
        kind="sickbed_partners",
        content=content,
        filename=filename,
        columns=SICKBED_PARTNER_COLUMNS,
        labels=SICKBED_PARTNER_LABELS,
        parse_row=parse_sickbed_partner_row,
        apply_rows=apply_rows,
        actor=actor,
    )
