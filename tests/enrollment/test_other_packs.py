import datetime as dt
from decimal import Decimal

from enrollment.imports import import_account_events, import_family_relations, import_payments, import_roster
from enrollment.models import CollectiveSubsidy, Contribution, ContributionTransaction, FundIncome
from enrollment.services.run import contribution_run_year
from ltci.core.models import PolicyRecord

from .conftest import nid, roster_csv


def test_jinjiang_collective_subsidies_per_resident_head(load_pack):
    load_pack("jinjiang-2023")
    body = roster_csv(
        f"{nid(1, region='350582')},甲,resident,350582,2022-01-01,,false,,",
        f"{nid(3, region='350582')},乙,resident,350582,2022-01-01,,false,,",
        f"{nid(5, region='350582')},丙,employee,350582,2022-01-01,retired_cadre,true,,",
    )
    assert import_roster(content=body, filename="r.csv").errors == []
    contribution_run_year(year=2024, on=dt.date(2024, 1, 20))
    lines = {f.source: (f.headcount, f.amount) for f in FundIncome.objects.filter(region_code="350582")}
    assert "collective_city" not in lines and "collective_town" not in lines  # not fund income (SPEC 3.2)
    subsidies = {s.payer: (s.headcount, s.amount, s.village_code) for s in CollectiveSubsidy.objects.all()}
    assert subsidies == {"city": (2, Decimal("30.00"), ""), "town": (2, Decimal("20.00"), "")}
    assert lines["fiscal"] == (3, Decimal("90.00"))
    assert lines["fiscal_subsidy"] == (1, Decimal("60.00"))
    assert Contribution.objects.get(subsidised=True).subsidy_category == "retired_cadre"


def test_jinjiang_pack_expired_stops_with_no_policy_error(load_pack):
    import pytest

    from ltci.core.policy import NoPolicyInForce

    load_pack("jinjiang-2023")
    with pytest.raises(NoPolicyInForce):
        contribution_run_year(year=2027)


def test_family_payment_from_an_employee_account_records_the_payer(load_pack):
    load_pack("lianyungang-2023")
    PolicyRecord.objects.filter(kind="contribution_standard").update(
        value={"form": "fixed", "total": "100.00", "individual": "40.00", "pooled_fund": "60.00"}
    )
    PolicyRecord.objects.filter(kind="subsidised_categories").update(value={"categories": []})
    body = roster_csv(
        f"{nid(1, region='320706')},父,employee,320706,2023-07-01,,false,,",
        f"{nid(3, region='320706')},子,employee,320706,2023-07-01,,true,,",
    )
    assert import_roster(content=body, filename="r.csv").errors == []
    father, son = nid(1, region="320706"), nid(3, region="320706")
    relations = f"payer_national_id,national_id,relation\n{son},{father},parent\n".encode()
    assert import_family_relations(content=relations, filename="f.csv").errors == []
    events = f"national_id,event,amount,occurred_on\n{son},balance,100.00,2025-01-01\n".encode()
    assert import_account_events(content=events, filename="e.csv").errors == []
    pay = (
        f"national_id,year,amount,paid_on,channel,payer_national_id\n"
        f"{nid(1, region='320706')},2025,40.00,2025-01-10,family_account,{nid(3, region='320706')}\n"
    )
    report = import_payments(content=pay.encode(), filename="p.csv")
    assert report.errors == []
    tx = ContributionTransaction.objects.get(kind="payment")
    assert tx.payer.name == "子" and tx.contribution.status == "paid"
