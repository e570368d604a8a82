"""SPEC 11.9: explain every eligibility condition of SPEC 5.1 for a person and a date."""

import json
import re

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from benefits.eligibility import explain, is_eligible
from benefits.rules import CONDITION_TITLES, ELIGIBILITY_REASON_TEXT, KINDS
from institutions.models import CareForm
from ltci.core.dates import parse_iso_date
from ltci.core.formatting import coded
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
            raise CommandError(_("日期有误：%(error)s") % {"error": exc}) from None
        if care_form is not None and care_form not in CareForm.values:
            raise CommandError(
                _("未知的护理形式“%(form)s”；可用：%(forms)s")
                % {"form": care_form, "forms": "、".join(coded(c, label) for c, label in CareForm.choices)}
            )
        number = national_id.strip().upper()
        person = Person.objects.filter(national_id=number).first()
        if person is None:
            raise CommandError(_("没有公民身份号码为 %(id)s 的参保人") % {"id": number})
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
        self._write_text(person, on, conditions, eligible)

    def _write_text(self, person, on, conditions, eligible):
        """The human text, in the active language: each condition by its name (and code), pass or fail, the
        reason (its text and code) and the record that decided it (its model's name and id)."""
        for c in conditions:
            status = _("通过") if c.passed else _("不通过")
            title = coded(c.code, CONDITION_TITLES.get(c.code))
            reason = f" [{_reason(c.reason_code)}]" if not c.passed and c.reason_code else ""
            record = f"  ({_record_text(c.record)})" if c.record else ""
            self.stdout.write(f"{status}  {title}  {c.detail}{reason}{record}")
        failing = next((c for c in conditions if not c.passed), None)
        shown = {"id": person.national_id, "day": on.isoformat()}
        if eligible:
            self.stdout.write(_("符合待遇享受条件  %(id)s  %(day)s") % shown)
        else:
            self.stdout.write(
                _("不符合待遇享受条件  %(id)s  %(day)s：%(reason)s")
                % {**shown, "reason": _reason(failing.reason_code)}
            )


def _reason(code: str | None) -> str:
    return coded(code, ELIGIBILITY_REASON_TEXT.get(code or ""))


RECORD = re.compile(r"\b([A-Z]\w+)#(\d+)")


def _record_text(record: str) -> str:
    """A deciding record (``Conclusion#12``, as the JSON gives it) by its model's name: 失能评估结论 #12."""

    def named(match: re.Match) -> str:
        model = next((m for m in apps.get_models() if m.__name__ == match[1]), None)
        return f"{model._meta.verbose_name} #{match[2]}" if model else match[0]

    return RECORD.sub(named, str(record))
