"""Benefit decisions migrated from an earlier pilot system (SPEC 11.7).

Columns: national_id, care_form, institution_code (may be empty), carer_trained (true|false, may be
empty), starts_on, ends_on (may be empty). A decision is identified by person + starts_on: the same row
again is unchanged; a row with an ends_on for an open decision of the same form closes it. The class
comes from the final conclusion in force on starts_on (none, or a class not covered: rejected). An
open earlier decision is closed the day before (form_changed); any other overlap is rejected. A
residential decision admits the person to the lowest free registered bed (none free: rejected). The
institution must exist; its agreement is not required at import (eligibility condition 6 reports it).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from benefits.models import BenefitDecision
from benefits.services.decisions import DecisionError, decision_create, decision_end
from institutions.models import CareForm
from institutions.selectors import institution_reference, institutions_by_code
from ltci.core.import_fields import RowCheck, RowError, choice_parser, unknown_institution_message
from ltci.core.import_templates import EXAMPLE_PERSON, ImportFormat
from ltci.core.importing import run_import
from ltci.core.policy import PolicyError

from .common import PERSON, boolean, iso_date, national_id, persons_by_national_id, unknown_person

COLUMNS = ["national_id", "care_form", "institution_code", "carer_trained", "starts_on", "ends_on"]
# The Chinese column names a header may use instead of the codes (issue 14); the template's header.
LABELS = {
    "national_id": "公民身份号码",
    "care_form": "护理服务形式",
    "institution_code": "机构编码",
    "carer_trained": "照护人已培训",
    "starts_on": "待遇起始日期",
    "ends_on": "待遇终止日期",
}
KIND = "benefit_decisions"
REFERENCES = [PERSON, institution_reference()]
FORMAT = ImportFormat(
    "import_benefit_decisions",
    COLUMNS,
    LABELS,
    {
        "national_id": EXAMPLE_PERSON,
        "care_form": "home_visits",
        "institution_code": "XZ0003",
        "starts_on": "2025-02-01",
    },
)


@dataclass(frozen=True)
class DecisionRow:
    national_id: str
    care_form: str
    institution_code: str
    carer_trained: bool | None
    starts_on: dt.date
    ends_on: dt.date | None


def parse_row(row: int, values: dict[str, str]) -> DecisionRow:
    from benefits import rules

    check = RowCheck(row, values)
    number = check.get("national_id", national_id)
    # relief is granted case by case (ReliefGrant), never by a decision: not a choice here
    care_form = check.get(
        "care_form", choice_parser([c for c in CareForm.choices if c[0] not in rules.CASE_BY_CASE_FORMS])
    )
    code = check.get("institution_code", str.strip, required=False) or ""
    trained = check.get("carer_trained", boolean, required=False)
    starts_on = check.get("starts_on", iso_date)
    ends_on = check.get("ends_on", iso_date, required=False)
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        check.error(
            "ends_on",
            _("%(end)s 早于待遇起始日期 %(start)s")
            % {"end": ends_on.isoformat(), "start": starts_on.isoformat()},
        )
    shown = {"form": care_form, "label": CareForm(care_form).label} if care_form else {}
    if care_form in rules.INSTITUTION_REQUIRED_FORMS and not code:
        check.error("institution_code", _("护理服务形式 %(form)s（%(label)s）必须填写机构编码") % shown)
    if care_form and care_form not in rules.INSTITUTION_FORMS and code:
        check.error("institution_code", _("必须为空：%(form)s（%(label)s）的待遇支付给本人") % shown)
    check.done()
    return DecisionRow(number, care_form, code, trained, starts_on, ends_on)


def _same(decision: BenefitDecision, data: DecisionRow, institution) -> bool:
    trained = data.carer_trained if data.care_form == "home_family" else None
    if data.care_form == "home_family" and trained is None:
        trained = False
    return (
        decision.care_form == data.care_form
        and decision.institution_id == (institution.pk if institution else None)
        and decision.carer_trained == trained
    )


@transaction.atomic
def apply_rows(rows: list[tuple[int, DecisionRow]]) -> tuple[int, int, list[RowError]]:
    persons = persons_by_national_id(r.national_id for _, r in rows)
    institutions = institutions_by_code(r.institution_code for _, r in rows if r.institution_code)
    applied = unchanged = 0
    errors: list[RowError] = []
    for row, data in sorted(rows, key=lambda r: (r[1].starts_on, r[0])):
        person = persons.get(data.national_id)
        if person is None:
            errors.append(unknown_person(row, data.national_id))
            continue
        institution = institutions.get(data.institution_code) if data.institution_code else None
        if data.institution_code and institution is None:
            errors.append(
                RowError(row, "institution_code", unknown_institution_message(data.institution_code))
            )
            continue
        existing = BenefitDecision.objects.filter(person=person, starts_on=data.starts_on).first()
        try:
            with transaction.atomic():
                if existing is not None:
                    if not _same(existing, data, institution):
                        raise DecisionError(
                            _("已有另一项待遇核定（%(form)s %(label)s）于 %(date)s 开始")
                            % {
                                "form": existing.care_form,
                                "label": existing.get_care_form_display(),
                                "date": data.starts_on.isoformat(),
                            },
                            field="starts_on",
                        )
                    if existing.ends_on == data.ends_on or data.ends_on is None:
                        unchanged += 1
                        continue
                    if existing.ends_on is not None and existing.ends_on < data.ends_on:
                        raise DecisionError(
                            _("该待遇核定已于 %(date)s 终止") % {"date": existing.ends_on.isoformat()},
                            field="ends_on",
                        )
                    decision_end(
                        decision=existing, ends_on=data.ends_on, reason=BenefitDecision.EndReason.IMPORTED
                    )
                else:
                    decision_create(
                        person=person,
                        care_form=data.care_form,
                        institution=institution,
                        carer_trained=data.carer_trained,
                        starts_on=data.starts_on,
                        ends_on=data.ends_on,
                        strict=False,
                        imported=True,
                    )
        except (DecisionError, PolicyError) as exc:
            errors.append(RowError(row, getattr(exc, "field", "*"), str(exc)))
            continue
        applied += 1
    return applied, unchanged, errors


def import_benefit_decisions(*, content: bytes, filename: str, actor=None):
    return run_import(
        kind=KIND,
        content=content,
        filename=filename,
        columns=COLUMNS,
        labels=LABELS,
        parse_row=parse_row,
        apply_rows=apply_rows,
        references=REFERENCES,
        actor=actor,
    )
