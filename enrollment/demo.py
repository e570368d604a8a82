"""Demo insured persons for a Xuzhou-like city (idempotent), through the real services.

Today is late 2026: the yearly runs of 2025 and 2026 are done (booked 20 January), most residents paid in
January, some late, some never (arrears); some employees' accounts were short (arrears recovered in part by a
March credit); some persons enrolled during 2025 and 2026.
"""

import datetime as dt
from decimal import Decimal

from ltci.core.idnumber import make_id_number
from ltci.core.policy import PolicyScheme, load_pack

from .imports import AccountEventRow, PaymentRow, RosterRow
from .models import Person
from .regions import XUZHOU_REGIONS
from .services.accounts import account_events_apply
from .services.payments import payments_apply
from .services.roster import roster_apply
from .services.run import contribution_mark_arrears, contribution_run_year

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉珍凤霞建国文红梅志"
CATEGORY_SAMPLE = [
    "medical_aid",
    "disabled_severe",
    "family_planning_rural",
    "low_income",
    "pupil",
    "university_student",
    "extreme_poverty",
]
YEARS = (2025, 2026)
MAX_PAYMENT_ROWS = 20_000
RUN_ON = {2025: dt.date(2025, 1, 20), 2026: dt.date(2026, 1, 20)}


def _persons(n: int, rng) -> list[RosterRow]:
    rows, seen = [], set()
    while len(rows) < n:
        region = rng.choice(XUZHOU_REGIONS)
        birth = dt.date(rng.randint(1928, 2012), rng.randint(1, 12), rng.randint(1, 28))
        number = make_id_number(region, birth, rng.randint(0, 999))
        if number in seen:
            continue
        seen.add(number)
        adult = birth.year <= 2006
        itype = "employee" if adult and birth.year >= 1950 and rng.random() < 0.55 else "resident"
        roll = rng.random()
        if roll < 0.05:
            enrolled = dt.date(2025, rng.randint(2, 12), rng.randint(1, 28))
        elif roll < 0.09:
            enrolled = dt.date(2026, rng.randint(2, 10), rng.randint(1, 28))
        else:
            enrolled = max(dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 1800)), birth)
        cats = tuple(sorted({rng.choice(CATEGORY_SAMPLE)})) if rng.random() < 0.08 else ()
        ended = reason = None
        if rng.random() < 0.02:
            ended, reason = (
                dt.date(2026, rng.randint(2, 10), rng.randint(1, 28)),
                rng.choice(["died", "moved_out"]),
            )
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        rows.append(
            RosterRow(
                number,
                name,
                birth,
                "M" if int(number[16]) % 2 else "F",
                itype,
                region,
                enrolled,
                cats,
                itype == "employee",
                ended if ended and ended > enrolled else None,
                reason if ended and ended > enrolled else "",
            )
        )
    return rows


def _contacts() -> None:
    """Contact data (issue 19): every person has a postal address; two in three gave a mobile number and their
    consent to SMS, which they prefer; the others are written to. Deterministic (no draw from ``rng``, so the
    rest of the demo is unchanged)."""
    from .models import PersonContact

    PersonContact.objects.bulk_create(
        [
            PersonContact(
                person_id=pk,
                postal_address=f"江苏省徐州市（示例地址）{pk % 97 + 1}号{pk % 9 + 1}单元",
                mobile=f"139{pk:08d}" if pk % 3 else "",
                consent_on=dt.date(2022, 1, 1) if pk % 3 else None,
                preferred_channel="sms" if pk % 3 else "letter",
            )
            for pk in Person.objects.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


def seed(*, persons: int, rng, stdout):
    if not PolicyScheme.objects.filter(active=True).exists():
        load_pack("xuzhou-2022")
    if Person.objects.count() >= persons:
        stdout.write(f"enrollment: {Person.objects.count()} persons already present")
        return
    people = _persons(persons, rng)
    applied, unchanged, errors = roster_apply(list(enumerate(people, start=2)), reason="demo")
    stdout.write(f"enrollment: {applied} persons enrolled ({len(errors)} rejected)")
    _contacts()
    balances = [
        AccountEventRow(
            p.national_id, "balance", Decimal(rng.choice([0, 5, 12, 80, 150, 600])), dt.date(y, 1, 1)
        )
        for p in people
        if p.has_personal_account
        for y in YEARS
    ]
    account_events_apply(list(enumerate(balances, start=2)))
    for year in YEARS:
        contribution_run_year(year=year, on=RUN_ON[year])
        payments = []
        for p in people:
            if (
                p.insurance_type != "resident"
                or p.enrolled_on.year > year
                or len(payments) >= MAX_PAYMENT_ROWS
            ):
                continue
            roll = rng.random()
            if roll < 0.80:
                paid = max(dt.date(year, 1, rng.randint(2, 28)), p.enrolled_on)
            elif roll < 0.90:
                paid = dt.date(year, rng.randint(3, 6), rng.randint(1, 28))  # late: waiting period again
            else:
                continue  # never paid: arrears
            payments.append(PaymentRow(p.national_id, year, Decimal("20.00"), paid, "resident_premium", ""))
        payments_apply(list(enumerate(payments, start=2)))
    credits = [
        AccountEventRow(p.national_id, "credit", Decimal("10.00"), dt.date(2026, 3, 1))
        for p in people
        if p.has_personal_account and rng.random() < 0.5
    ]
    account_events_apply(list(enumerate(credits, start=2)))
    contribution_mark_arrears()
    from .models import FundIncome
    from .services.fund import fund_income_record

    if not FundIncome.objects.filter(source="donation").exists():
        fund_income_record(
            source="donation",
            amount=Decimal("50000.00"),
            booked_on=dt.date(2026, 3, 15),
            donor="徐州市慈善总会",
            purpose="失能人员辅助器具",
            source_key="demo:donation:2026",
        )
    stdout.write(f"enrollment: yearly runs {', '.join(map(str, YEARS))} done, payments and credits recorded")


def login_lines(base_url) -> list[str]:
    return [f"参保人与缴费: {base_url}/admin/enrollment/person/ (clerk 登录)"]
