"""Fund income per person equals the pack's standard split (SPEC 3.2, 7.3).

Seed 003 (二) 参保筹资: "其他城乡居民个人按60元/人·年标准缴费，市级财政按30元/人·年标准补助；个人缴费部分以村
（社区）为单位组织集体参保缴费，村（社区）集体可以采用个人缴费、集体出资或公益慈善等多种渠道筹资。为鼓励村集体积极
参与试点，市级财政再按15元/人·年的标准补助村（社区）集体。各镇（街道）按不少于10元/人·年的标准补助村（社区）集体".
The 15 and the 10 go to the village collective, not to the fund: the fund receives 60 + 30 = 90 per person.
"""

import datetime as dt
from decimal import Decimal

import pytest

from enrollment.imports import import_payments, import_roster
from enrollment.models import AccountEvent, CollectiveSubsidy, FundIncome, Person
from enrollment.services.run import contribution_run_year
from ltci.core.models import PolicyRecord
from settlement.models import LedgerEntry
from settlement.services.fund import reconcile

from .conftest import nid, roster_csv

# Packs whose standard the seeds leave for staff: the values staff would enter (tests only).
ENTERED = {
    "nantong": {
        "form": "fixed",
        "total": "100.00",
        "individual": "30.00",
        "pooled_fund": "40.00",
        "fiscal": "30.00",
    },
    "lianyungang-2023": {"form": "fixed", "total": "100.00", "individual": "40.00", "pooled_fund": "60.00"},
    "national-2020": {
        "form": "rate",
        "base": "60000.00",
        "individual_rate": "0.001",
        "employer_rate": "0.001",
    },
}
# pack: (region, year, insurance type, expected income by ledger account per person)
CASES = {
    # Seed 001 四(一): 70 = 个人20 + 医保统筹基金30 + 政府财政补助20 (320302: city/district halves of the 20).
    "xuzhou-2022": (
        "320302",
        2024,
        "employee",
        {"income_individual": "20.00", "income_pooled_fund": "30.00", "income_fiscal": "20.00"},
    ),
    # Seed 003: 90 = 个人60 + 市级财政30; the collective pays the 60 with the resident premium.
    "jinjiang-2023": ("350582", 2024, "resident", {"income_individual": "60.00", "income_fiscal": "30.00"}),
    "nantong": (
        "320602",
        2024,
        "employee",
        {"income_individual": "30.00", "income_pooled_fund": "40.00", "income_fiscal": "30.00"},
    ),
    "lianyungang-2023": (
        "320706",
        2024,
        "employee",
        {"income_individual": "40.00", "income_pooled_fund": "60.00"},
    ),
    # Seed 004: 单位和个人缴费原则上按同比例分担: 60000 x 0.001 each.
    "national-2020": ("320302", 2024, "employee", {"income_individual": "60.00", "income_employer": "60.00"}),
}


@pytest.mark.parametrize("pack", sorted(CASES))
def test_fund_income_of_one_typical_person_is_the_standard_split(load_pack, pack):
    """One typical paying person of each shipped pack: the ledger's income for the year, by account, equals
    the pack's standard split; nothing else (no collective subsidy) is fund income."""
    region, year, itype, expected = CASES[pack]
    load_pack(pack)
    if pack in ENTERED:
        PolicyRecord.objects.filter(kind="contribution_standard").update(value=ENTERED[pack])
        PolicyRecord.objects.filter(kind="subsidised_categories").update(value={"categories": []})
    account = "true" if itype == "employee" else "false"
    body = roster_csv(f"{nid(1, region=region)},甲,{itype},{region},2023-01-01,,{account},,")
    assert import_roster(content=body, filename="r.csv").errors == []
    person = Person.objects.get()
    individual = Decimal(expected["income_individual"])
    if itype == "employee":
        AccountEvent.objects.create(
            person=person, event="balance", amount=500, occurred_on=dt.date(year, 1, 1)
        )
        contribution_run_year(year=year, on=dt.date(year, 1, 20))
    else:
        contribution_run_year(year=year, on=dt.date(year, 1, 20))
        pay = (
            f"national_id,year,amount,paid_on,channel,payer_national_id\n"
            f"{person.national_id},{year},{individual},{year}-01-25,resident_premium,\n"
        )
        assert import_payments(content=pay.encode(), filename="p.csv").errors == []
    got = {}
    for e in LedgerEntry.objects.filter(amount__gt=0):
        got[e.account] = got.get(e.account, Decimal("0")) + e.amount
    assert {k: f"{v:.2f}" for k, v in got.items()} == expected
    assert reconcile()[0] == []  # posted by the run and the import themselves, no sync


def test_jinjiang_collective_subsidies_per_village_not_for_waived_residents(load_pack):
    """Seed 003: 市级财政再按15元/人·年 ... 各镇（街道）按不少于10元/人·年的标准补助村（社区）集体; 离休干部、一至六级
    残疾军人个人缴费部分，由市财政全额承担.

    Village A: two paying residents -> city 2 x 15 = 30, town 2 x 10 = 20; one retired cadre (waived: the city
    pays his 60 as fiscal income) brings no collective subsidy. Village B: one resident -> 15 and 10. Fund
    income: fiscal 4 x 30 = 120 plus the waived individual part 60; no collective line.
    """
    load_pack("jinjiang-2023")
    r = "350582"
    body = roster_csv(
        f"{nid(1, region=r)},甲,resident,{r},2023-01-01,,false,,",
        f"{nid(3, region=r)},乙,resident,{r},2023-01-01,,false,,",
        f"{nid(5, region=r)},丙,resident,{r},2023-01-01,retired_cadre,false,,",
        f"{nid(7, region=r)},丁,resident,{r},2023-01-01,,false,,",
    )
    assert import_roster(content=body, filename="r.csv").errors == []
    Person.objects.exclude(national_id=nid(7, region=r)).update(village_code="350582101")
    Person.objects.filter(national_id=nid(7, region=r)).update(village_code="350582102")
    contribution_run_year(year=2024, on=dt.date(2024, 1, 20))
    subsidies = {(s.payer, s.village_code): (s.headcount, s.amount) for s in CollectiveSubsidy.objects.all()}
    assert subsidies == {
        ("city", "350582101"): (2, Decimal("30.00")),
        ("town", "350582101"): (2, Decimal("20.00")),
        ("city", "350582102"): (1, Decimal("15.00")),
        ("town", "350582102"): (1, Decimal("10.00")),
    }
    income = {f.source: f.amount for f in FundIncome.objects.all()}
    assert income == {"fiscal": Decimal("120.00"), "fiscal_subsidy": Decimal("60.00")}
    contribution_run_year(year=2024, on=dt.date(2024, 1, 20))
    assert CollectiveSubsidy.objects.count() == 4  # rerun books nothing


def test_collective_lines_booked_as_fund_income_earlier_are_reversed(load_pack):
    """A year booked under the old rule (collective_city 15 per head as fund income): the next run books a
    correcting line of -15 (append-only), so the fund's income for the year is back to 90 per person."""
    load_pack("jinjiang-2023")
    r = "350582"
    assert (
        import_roster(
            content=roster_csv(f"{nid(1, region=r)},甲,resident,{r},2023-01-01,,false,,"), filename="r.csv"
        ).errors
        == []
    )
    FundIncome.objects.create(
        year=2024,
        source="collective_city",
        region_code=r,
        headcount=1,
        amount=15,
        booked_on=dt.date(2024, 1, 20),
        source_key=f"run:2024:collective_city:{r}:1",
    )
    contribution_run_year(year=2024, on=dt.date(2024, 2, 1))
    lines = sorted(
        (f.source, f.headcount, f.amount) for f in FundIncome.objects.filter(source="collective_city")
    )
    assert lines == [("collective_city", -1, Decimal("-15.00")), ("collective_city", 1, Decimal("15.00"))]


def test_collective_subsidy_admin_is_for_the_fund_accountant_only(client, db):
    """Read-only list for the fund accountant; anonymous -> login, staff without the role -> 403."""
    from django.contrib.auth.models import Group, Permission, User

    from ltci.core.roles import FUND_ACCOUNTANT

    url = "/admin/enrollment/collectivesubsidy/"
    assert client.get(url).status_code == 302
    client.force_login(User.objects.create_user("nobody", password="x", is_staff=True))  # noqa: S106
    assert client.get(url).status_code == 403
    accountant = User.objects.create_user("acct", password="x", is_staff=True)  # noqa: S106
    group = Group.objects.get_or_create(name=FUND_ACCOUNTANT)[0]
    group.permissions.add(*Permission.objects.filter(codename="view_collectivesubsidy"))
    accountant.groups.add(group)
    client.force_login(accountant)
    assert client.get(url).status_code == 200
    assert client.get(url + "add/").status_code == 403
