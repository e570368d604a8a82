"""Work-injury and maternity benefits from the social insurance system (SPEC 5.1 condition 5).

Columns: national_id, fund (work_injury or maternity), starts_on, ends_on (empty while still paid; both
dates included), reference (the other system's case number, optional). A period is identified by person,
fund and starts_on: importing it again is unchanged, an end date filled in later closes it, a different end
date corrects it. Periods of one person and fund never overlap. On these days the long-term care fund pays
none of the person's care (EXCLUDED_OTHER_FUND), in eligibility and in the monthly settlement.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from benefits.models import OtherFundBenefit
from ltci.core.import_fields import RowCheck, RowError, choice_parser, text_parser
from ltci.core.import_templates import EXAMPLE_PERSON, ImportFormat
from ltci.core.importing import run_import

from .common import PERSON, iso_date, national_id, persons_by_national_id, unknown_person

COLUMNS = ["national_id", "fund", "starts_on", "ends_on", "reference"]
# The Chinese column names a header may use instead of the codes (issue 14); the template's header.
LABELS = {
    "national_id": "公民身份号码",
    "fund": "其他待遇类别",
    "starts_on": "起始日期",
    "ends_on": "终止日期",
    "reference": "文号",
}
KIND = "other_fund_benefits"
REFERENCES = [PERSON]
FORMAT = ImportFormat(
    "import_other_fund_benefits",
    COLUMNS,
    LABELS,
    {
        "national_id": EXAMPLE_PERSON,
        "fund": "work_injury",
        "starts_on": "2025-04-01",
        "ends_on": "2025-04-30",
        "reference": "GS2025-001",
    },
)


@dataclass(frozen=True)
class FundRow:
    national_id: str
    fund: str
    starts_on: dt.date
    ends_on: dt.date | None
    reference: str


def parse_row(row: int, values: dict[str, str]) -> FundRow:
    check = RowCheck(row, values)
    number = check.get("national_id", national_id)
    fund = check.get("fund", choice_parser(OtherFundBenefit.Fund.choices))
    starts_on = check.get("starts_on", iso_date)
    ends_on = check.get("ends_on", iso_date, required=False)
    reference = check.get("reference", text_parser(64), required=False) or ""
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        check.error(
            "ends_on",
            _("终止日期 %(end)s 早于起始日期 %(start)s")
            % {"end": ends_on.isoformat(), "start": starts_on.isoformat()},
        )
    check.done()
    return FundRow(number, fund, starts_on, ends_on, reference)


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Closed [start, end] intervals, end None = open."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def _describe(benefit) -> str:
    end = benefit.ends_on.isoformat() if benefit.ends_on else _("至今")
    return f"{benefit.fund} ({benefit.get_fund_display()}) {benefit.starts_on.isoformat()}..{end}"


@transaction.atomic
def apply_rows(rows: list[tuple[int, FundRow]]) -> tuple[int, int, list[RowError]]:
    persons = persons_by_national_id(r.national_id for _, r in rows)
    known: dict[tuple[int, str], dict[dt.date, OtherFundBenefit]] = {}
    for benefit in OtherFundBenefit.objects.filter(person__in=persons.values()).select_for_update():
        known.setdefault((benefit.person_id, benefit.fund), {})[benefit.starts_on] = benefit
    applied = unchanged = 0
    errors: list[RowError] = []
    for row, data in rows:
        person = persons.get(data.national_id)
        if person is None:
            errors.append(unknown_person(row, data.national_id))
            continue
        mine = known.setdefault((person.pk, data.fund), {})
        existing = mine.get(data.starts_on)
        if existing is not None and existing.ends_on == data.ends_on and existing.reference == data.reference:
            unchanged += 1
            continue
        clash = next(
            (
                b
                for b in mine.values()
                if b is not existing and _overlaps(data.starts_on, data.ends_on, b.starts_on, b.ends_on)
            ),
            None,
        )
        if clash is not None:
            errors.append(
                RowError(row, "starts_on", _("与期间 %(period)s 重叠") % {"period": _describe(clash)})
            )
            continue
        if existing is None:
            existing = OtherFundBenefit(person=person, fund=data.fund, starts_on=data.starts_on)
        existing.ends_on = data.ends_on
        existing.reference = data.reference
        existing.save()
        mine[data.starts_on] = existing
        applied += 1
    return applied, unchanged, errors


def import_other_fund_benefits(*, content: bytes, filename: str, actor=None):
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
