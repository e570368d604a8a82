"""Hospital stays from the medical insurance system (SPEC 11.3).

Columns: national_id, admitted_on, discharged_on (empty while in hospital), hospital. A stay is
identified by person + admitted_on: importing it again is unchanged, a discharge date filled in later
closes the open stay, and a different discharge date corrects it. Stays of one person never overlap
([admitted_on, discharged_on): a readmission on the discharge day is allowed).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from benefits.models import HospitalStay
from ltci.core.import_fields import RowCheck, RowError, text_parser
from ltci.core.import_templates import EXAMPLE_PERSON, ImportFormat
from ltci.core.importing import run_import

from .common import PERSON, iso_date, national_id, persons_by_national_id, unknown_person

COLUMNS = ["national_id", "admitted_on", "discharged_on", "hospital"]
# The Chinese column names a header may use instead of the codes (issue 14); the template's header.
LABELS = {
    "national_id": "公民身份号码",
    "admitted_on": "入院日期",
    "discharged_on": "出院日期",
    "hospital": "医院名称",
}
KIND = "hospital_stays"
REFERENCES = [PERSON]
FORMAT = ImportFormat(
    "import_hospital_stays",
    COLUMNS,
    LABELS,
    {
        "national_id": EXAMPLE_PERSON,
        "admitted_on": "2025-03-01",
        "discharged_on": "2025-03-10",
        "hospital": "徐州市中心医院",
    },
)


@dataclass(frozen=True)
class StayRow:
    national_id: str
    admitted_on: dt.date
    discharged_on: dt.date | None
    hospital: str


def parse_row(row: int, values: dict[str, str]) -> StayRow:
    check = RowCheck(row, values)
    number = check.get("national_id", national_id)
    admitted_on = check.get("admitted_on", iso_date)
    discharged_on = check.get("discharged_on", iso_date, required=False)
    hospital = check.get("hospital", text_parser(200))
    if discharged_on is not None and admitted_on is not None and discharged_on < admitted_on:
        check.error(
            "discharged_on",
            _("出院日期 %(end)s 早于入院日期 %(start)s")
            % {"end": discharged_on.isoformat(), "start": admitted_on.isoformat()},
        )
    check.done()
    return StayRow(number, admitted_on, discharged_on, hospital)


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Half-open [start, end) intervals, end None = open; an empty stay (same-day) overlaps nothing."""
    if a_end is not None and a_end <= a_start or b_end is not None and b_end <= b_start:
        return False
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _describe(stay) -> str:
    return (
        f"{stay.admitted_on.isoformat()}..{stay.discharged_on.isoformat() if stay.discharged_on else _('至今')} "
        f"({stay.hospital})"
    )


@transaction.atomic
def apply_rows(rows: list[tuple[int, StayRow]]) -> tuple[int, int, list[RowError]]:
    persons = persons_by_national_id(r.national_id for _, r in rows)
    stays: dict[int, dict[dt.date, HospitalStay]] = {}
    for stay in HospitalStay.objects.filter(person__in=persons.values()).select_for_update():
        stays.setdefault(stay.person_id, {})[stay.admitted_on] = stay
    applied = unchanged = 0
    errors: list[RowError] = []
    for row, data in rows:
        person = persons.get(data.national_id)
        if person is None:
            errors.append(unknown_person(row, data.national_id))
            continue
        mine = stays.setdefault(person.pk, {})
        existing = mine.get(data.admitted_on)
        if existing is not None:
            if existing.discharged_on == data.discharged_on and existing.hospital == data.hospital:
                unchanged += 1
                continue
            if data.discharged_on is None and existing.discharged_on is not None:
                errors.append(
                    RowError(
                        row,
                        "discharged_on",
                        _("%(start)s 入院的住院已于 %(end)s 出院；出院日期为空不能重新打开")
                        % {"start": data.admitted_on.isoformat(), "end": existing.discharged_on.isoformat()},
                    )
                )
                continue
        clash = next(
            (
                s
                for s in mine.values()
                if s is not existing
                and _overlaps(data.admitted_on, data.discharged_on, s.admitted_on, s.discharged_on)
            ),
            None,
        )
        if clash is not None:
            errors.append(
                RowError(row, "admitted_on", _("与住院记录 %(stay)s 重叠") % {"stay": _describe(clash)})
            )
            continue
        if existing is None:
            existing = HospitalStay(person=person, admitted_on=data.admitted_on)
        existing.discharged_on = data.discharged_on
        existing.hospital = data.hospital
        existing.save()
        mine[data.admitted_on] = existing
        applied += 1
    return applied, unchanged, errors


def import_hospital_stays(*, content: bytes, filename: str, actor=None):
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
