"""A Xuzhou city built through the real SPEC 11 import commands (as the acceptance checks do)."""

import csv
import datetime as dt
import io
import itertools

import pytest
from django.core.management import call_command

from ltci.core.idnumber import check_char

from ..interfaces import (
    CAREGIVERS,
    CONCLUSIONS,
    DECISIONS,
    INSTITUTIONS,
    PAYMENTS,
    RECORDS,
    ROSTER,
    STAYS,
    run,
)

_serial = itertools.count(100)
D = dt.date


def new_id(birth="19400101", region="320302") -> str:
    first17 = f"{region}{birth}{next(_serial) % 1000:03d}"
    return first17 + check_char(first17)


class World:
    """Writes CSV files to a temp dir and imports them with call_command."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.n = 0

    def _file(self, columns, rows) -> str:
        self.n += 1
        path = self.tmp / f"f{self.n}.csv"
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
        path.write_text(out.getvalue(), encoding="utf-8")
        return str(path)

    def run(self, command, columns, rows, **kwargs):
        return run(command, self._file(columns, rows), **kwargs)

    def persons(self, rows):
        """rows: dicts with national_id, categories..., enrolled 2020, residents, paying 2024 on time."""
        full = [
            {
                "name": "参保人",
                "insurance_type": "resident",
                "region_code": "320302",
                "enrolled_on": "2020-01-01",
                "has_personal_account": "false",
                **r,
            }
            for r in rows
        ]
        self.run(
            "import_roster",
            ROSTER,
            full,
        )

    def contributions(self, ids, years=(2024,)):
        for year in years:
            call_command(
                "run_contributions", "--year", str(year), "--on", f"{year}-01-05", stdout=io.StringIO()
            )
            if not ids:
                continue
            self.run(
                "import_payments",
                PAYMENTS,
                [
                    {
                        "national_id": i,
                        "year": year,
                        "amount": "20.00",
                        "paid_on": f"{year}-01-10",
                        "channel": "resident_premium",
                    }
                    for i in ids
                ],
            )

    def institutions(self, rows):
        full = [
            {
                "name": "机构",
                "region_code": "320302",
                "credit_code": "",
                "agreement_from": "2023-01-01",
                "agreement_to": "2026-12-31",
                "insurance_expires_on": "2026-12-31",
                "price_life": "",
                "price_medical": "",
                **r,
            }
            for r in rows
        ]
        return self.run(
            "import_institutions",
            INSTITUTIONS,
            full,
        )

    def caregivers(self, rows):
        full = [
            {"name": "护理员", "qualification": "护理员", "employed_from": "2023-01-01", **r} for r in rows
        ]
        return self.run(
            "import_caregivers",
            CAREGIVERS,
            full,
        )

    def conclusions(self, rows):
        full = [{"concluded_on": "2024-01-01", "valid_until": "", "agency_code": "", **r} for r in rows]
        return self.run("import_conclusions", CONCLUSIONS, full)

    def decisions(self, rows):
        full = [
            {"institution_code": "", "carer_trained": "", "starts_on": "2024-01-01", "ends_on": "", **r}
            for r in rows
        ]
        return self.run(
            "import_benefit_decisions",
            DECISIONS,
            full,
        )

    def hospital(self, rows):
        return self.run(
            "import_hospital_stays",
            STAYS,
            [{"hospital": "徐州市中心医院", **r} for r in rows],
        )

    def records(self, rows):
        return self.run(
            "import_service_records",
            RECORDS,
            rows,
        )

    def beneficiary(
        self,
        *,
        form,
        institution="",
        grade="4",
        categories="",
        carer_trained="",
        concluded_on="2024-01-01",
        starts_on="2024-01-01",
        ended_on="",
        end_reason="",
        pay=True,
    ):
        """One person through roster, contributions, conclusion and decision; return the national ID."""
        nid = new_id()
        self.persons(
            [{"national_id": nid, "categories": categories, "ended_on": ended_on, "end_reason": end_reason}]
        )
        if pay:
            self.contributions([nid])
        self.conclusions([{"national_id": nid, "grade": grade, "concluded_on": concluded_on}])
        out, err = self.decisions(
            [
                {
                    "national_id": nid,
                    "care_form": form,
                    "institution_code": institution,
                    "carer_trained": carer_trained,
                    "starts_on": starts_on,
                }
            ]
        )
        assert "导入 1 行" in out or "1 applied" in out, (
            out,
            err,
        )  # either language (some modules run in English)
        return nid

    def settle(self, month="2024-05"):
        call_command("run_settlement", "--month", month, stdout=io.StringIO())
        return self.export(month)

    def export(self, month="2024-05"):
        out = io.StringIO()
        call_command("export_settlement", "--month", month, stdout=out)
        return list(csv.DictReader(io.StringIO(out.getvalue())))


def bed_days(code, nid, start, end, charge="60.00", component="life"):
    rows = []
    day = start
    while day <= end:
        rows.append(
            {
                "institution_code": code,
                "national_id": nid,
                "kind": "bed_day",
                "service_date": day.isoformat(),
                "component": component,
                "charged_amount": charge,
            }
        )
        day += dt.timedelta(days=1)
    return rows


def stored_unchecked(rows):
    """Records stored below the entry checks of SPEC 7.1 (issue 14), as records stored before those checks
    existed: the month-end audit is the second line of defence for them."""
    import uuid

    from settlement.imports import parse_row, resolve
    from settlement.models import ServiceRecord
    from settlement.services.records import records_store

    good, errors = resolve(
        [(i, parse_row(i, {**r, "component": r.get("component", "")})) for i, r in enumerate(rows)]
    )
    assert not errors
    records_store(
        records=[(f"legacy:{uuid.uuid4().hex}", record) for i, record in good],
        origin=ServiceRecord.Origin.FILE,
    )


def visit(code, nid, day, charge, caregiver, start="09:00", end="10:00"):
    return {
        "institution_code": code,
        "national_id": nid,
        "kind": "home_visit",
        "service_date": day,
        "component": "",
        "charged_amount": charge,
        "caregiver_id": caregiver,
        "started_at": f"{day}T{start}",
        "ended_at": f"{day}T{end}",
        "items": "清洁照料;饮食照料",
    }


def line_for(lines, nid, care_form=None, code=None):
    found = [
        x
        for x in lines
        if x["national_id"] == nid
        and (care_form is None or x["care_form"] == care_form)
        and (code is None or x["institution_code"] == code)
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def world(xuzhou, tmp_path):
    w = World(tmp_path)
    w.institutions(
        [
            {"code": "YL001", "type": "elderly_care", "care_forms": "residential", "beds": "5"},
            {"code": "YY001", "type": "medical", "care_forms": "residential", "beds": "5"},
            {
                "code": "YL002",
                "type": "elderly_care",
                "care_forms": "residential",
                "beds": "5",
                "price_life": "55.00",
            },
            {"code": "JJ001", "type": "home_care", "care_forms": "home_visits;home_family", "beds": "0"},
            {"code": "JJ002", "type": "home_care", "care_forms": "home_visits", "beds": "0"},
        ]
    )
    w.caregivers(
        [
            {"institution_code": "JJ001", "national_id": CAREGIVER},
            {"institution_code": "JJ001", "national_id": CAREGIVER2},
            {"institution_code": "JJ002", "national_id": CAREGIVER3},
        ]
    )
    return w


CAREGIVER = new_id("19800101", "320303")
CAREGIVER2 = new_id("19810101", "320303")
CAREGIVER3 = new_id("19820101", "320303")


def staff(name, *groups, superuser=False, email=""):
    """A staff user in the given role groups."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        name,
        password="pw",  # noqa: S106
        is_staff=True,
        is_superuser=superuser,
        email=email,
    )
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


def card_number(n: int) -> str:
    """A 19-digit bank card number with its Luhn check digit."""
    from settlement.rules import luhn_valid

    body = f"622202{n:012d}"
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def pay_through_the_bank(run, *, failed=()):
    """Give the final run's payees accounts where they have none, make the next batch and return it from the
    bank: paid on today's date, or failed for the payees' codes/national IDs in ``failed``. Returns the batch."""
    from django.utils import timezone

    from ltci.core.exports import csv_text
    from settlement.imports import import_bank_return
    from settlement.services.payments import (
        AccountInput,
        bank_account_register,
        current_account,
        payment_batch_create,
    )
    from settlement.services.payments import payee as payee_of

    for s in run.statements.filter(net_payable__gt=0).select_related("institution"):
        if current_account(institution=s.institution) is None:
            bank_account_register(
                institution=s.institution,
                data=AccountInput("102", "工行", f"1106{s.institution_id:012d}", s.institution.name),
            )
    for p in run.payouts.filter(amount__gt=0).select_related("person"):
        if current_account(person=p.person) is None:
            bank_account_register(
                person=p.person, data=AccountInput("102", "工行", card_number(p.person_id), p.person.name)
            )
    batch = payment_batch_create(run=run)
    today = timezone.localdate().isoformat()
    rows = [["reference", "account_no", "amount", "status", "value_date", "reason"]]
    for p in batch.payments.select_related("account", "statement__institution", "payout__person"):
        who = payee_of(p)
        fails = getattr(who, "code", None) in failed or getattr(who, "national_id", None) in failed
        rows.append(
            [
                p.reference,
                p.account.account_no,
                f"{p.amount:.2f}",
                "failed" if fails else "paid",
                "" if fails else today,
                "账户已销户" if fails else "",
            ]
        )
    report = import_bank_return(content=csv_text(rows).encode(), filename=f"{batch.number}.csv")
    assert not report.errors, report.errors
    return batch
