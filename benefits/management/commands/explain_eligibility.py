"""SPEC 11.9: explain every eligibility condition of SPEC 5.1 for a person and a date."""

import json

from django.core.management.base import BaseCommand, CommandError

from benefits.eligibility import explain, is_eligible
from benefits.rules import KINDS
from institutions.models import CareForm
from ltci.core.dates import parse_iso_date
from ltci.core.policy import PolicyError

# The condition numbers of SPEC 5.1 (condition 2 is explained as two checks: contribution and waiting).
SPEC_NUMBER = {
    "covered": 1,
    "contribution_paid": 2,
    "waiting_period": 2,
    "conclusion": 3,
    "decision": 4,
    "not_in_hospital": 5,
    "agreement": 6,
}


class Command(BaseCommand):
    help = "Explain eligibility (SPEC 5.1) of NATIONAL_ID on YYYY-MM-DD, condition by condition."

    def add_arguments(self, parser):
        parser.add_argument("national_id")
        parser.add_argument("date")
        parser.add_argument(
            "--care-form",
            dest="care_form",
            default=None,
            help="care form code (SPEC 5.2): " + ", ".join(CareForm.values),
        )
        parser.add_argument(
            "--kind",
            choices=KINDS,
            default=None,
            help="what is paid: the institution's service (for home_family its visits, the default) or the "
            "allowance paid to the person; the agreement (condition 6) concerns services only",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, national_id, date, care_form=None, kind=None, **options):
        from enrollment.models import Person

        try:
            on = parse_iso_date(date)
        except ValueError as exc:
            raise CommandError(f"bad date: {exc}") from None
        if care_form is not None and care_form not in CareForm.values:
            raise CommandError(
                f"unknown care form '{care_form}'; expected one of: {', '.join(CareForm.values)}"
            )
        number = national_id.strip().upper()
        person = Person.objects.filter(national_id=number).first()
        if person is None:
            raise CommandError(f"no insured person with ID number {number}")
        try:
            conditions = explain(person=person, on=on, care_form=care_form, kind=kind)
        except PolicyError as exc:
            raise CommandError(str(exc)) from None
        eligible = is_eligible(conditions)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "national_id": person.national_id,
                        "date": on.isoformat(),
                        "care_form": care_form,
                        "kind": kind,
                        "eligible": eligible,
                        "conditions": [
                            {
                                "number": SPEC_NUMBER.get(c.code),
                                "code": c.code,
                                "passed": c.passed,
                                "result": "pass" if c.passed else "fail",
                                "reason_code": c.reason_code,
                                "detail": c.detail,
                                "record": c.record,
                            }
                            for c in conditions
                        ],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        for c in conditions:
            status = "PASS" if c.passed else "FAIL"
            record = f"  ({c.record})" if c.record else ""
            reason = f" [{c.reason_code}]" if not c.passed and c.reason_code else ""
            self.stdout.write(f"{status}  {c.code}  {c.detail}{reason}{record}")
        failing = next((c for c in conditions if not c.passed), None)
        if eligible:
            self.stdout.write(f"ELIGIBLE  {person.national_id} on {on.isoformat()}")
        else:
            self.stdout.write(
                f"NOT ELIGIBLE  {person.national_id} on {on.isoformat()}: {failing.reason_code}"
            )
