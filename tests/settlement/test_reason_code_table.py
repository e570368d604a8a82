"""Every reason code of SPEC 7.2 fires where it should: one table, one Xuzhou case per code (May 2024).

Each case builds the smallest world that breaks exactly one rule and checks the exported line's codes and
that only the broken part is rejected.
"""

import pytest

from settlement import rules

from .conftest import CAREGIVER, CAREGIVER3, D, bed_days, line_for, new_id, stored_unchecked, visit


def _bed(world, nid, days=(1,), charge="60.00", code="YL001", component="life"):
    rows = []
    for d in days:
        rows += bed_days(code, nid, D(2024, 5, d), D(2024, 5, d), charge=charge, component=component)
    world.records(rows)


def not_covered(world):
    nid = new_id()
    world.persons([{"national_id": nid, "enrolled_on": "2024-06-01"}])
    _bed(world, nid)
    return nid, "YL001", "60.00"


def arrears(world):
    nid = new_id("19600101")
    world.persons([{"national_id": nid}])
    world.contributions([])
    world.conclusions([{"national_id": nid, "grade": "4"}])
    world.decisions([{"national_id": nid, "care_form": "residential", "institution_code": "YL001"}])
    _bed(world, nid)
    return nid, "YL001", "60.00"


def waiting(world):
    nid = new_id("19600101")
    world.persons([{"national_id": nid, "enrolled_on": "2024-03-01"}])
    world.contributions([])
    world.run(
        "import_payments",
        ["national_id", "year", "amount", "paid_on", "channel", "payer_national_id"],
        [
            {
                "national_id": nid,
                "year": 2024,
                "amount": "20.00",
                "paid_on": "2024-03-05",
                "channel": "resident_premium",
            }
        ],
    )
    world.conclusions([{"national_id": nid, "grade": "4"}])
    world.decisions([{"national_id": nid, "care_form": "residential", "institution_code": "YL001"}])
    _bed(world, nid)
    return nid, "YL001", "60.00"


def no_conclusion(world):
    nid = new_id()
    world.persons([{"national_id": nid}])
    world.contributions([nid])
    world.decisions([{"national_id": nid, "care_form": "residential", "institution_code": "YL001"}])
    _bed(world, nid)
    return nid, "YL001", "60.00"


def no_decision(world):
    nid = new_id()
    world.persons([{"national_id": nid}])
    world.contributions([nid])
    world.conclusions([{"national_id": nid, "grade": "4"}])
    _bed(world, nid)
    return nid, "YL001", "60.00"


def hospital(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.hospital([{"national_id": nid, "admitted_on": "2024-05-02", "discharged_on": "2024-05-03"}])
    _bed(world, nid, days=(1, 2))
    return nid, "YL001", "60.00"


def double_care(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    _bed(world, nid, days=(1,))
    _bed(world, nid, days=(1,), code="YY001")
    return nid, "YY001", "60.00"


def form_not_agreed(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    _bed(world, nid, charge="50.00", component="medical")  # medical care is not paid in an elderly-care home
    return nid, "YL001", "50.00"


def bed(world):
    from benefits.models import Admission
    from institutions.models import Bed

    nid = world.beneficiary(form="residential", institution="YL001")
    Bed.objects.filter(pk=Admission.objects.get(person__national_id=nid).bed_id).update(
        registered_to=D(2024, 5, 1)
    )
    _bed(world, nid, days=(1, 2))
    return nid, "YL001", "60.00"


def duplicate(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    rows = bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 1))
    stored_unchecked(rows + rows)  # the entry check refuses the second copy (test_records_checked_at_entry)
    return nid, "YL001", "60.00"


def caregiver(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    world.records([visit("JJ001", nid, "2024-05-01", "100.00", CAREGIVER)])
    stored_unchecked([visit("JJ001", nid, "2024-05-02", "100.00", CAREGIVER3)])  # CAREGIVER3 works for JJ002
    return nid, "JJ001", "100.00"


def over_limit(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001", grade="2")
    world.records([visit("JJ001", nid, f"2024-05-{d:02d}", "250.00", CAREGIVER) for d in (1, 2, 3)])
    return nid, "JJ001", "150.00"  # 750 against the 600 limit: only the excess


def over_price(world):
    nid = world.beneficiary(form="residential", institution="YL002")  # agreed life price 55
    _bed(world, nid, days=(1, 2), charge="58.00", code="YL002")
    return nid, "YL002", "6.00"  # 2 x 3 above the agreed price, rejected from the base only


def _excluded(code):
    def setup(world):
        from settlement.models import ServiceRecord

        nid = world.beneficiary(form="residential", institution="YL001")
        _bed(world, nid, days=(1, 2))
        ServiceRecord.objects.filter(person__national_id=nid, service_date=D(2024, 5, 2)).update(
            excluded_code=code
        )
        return nid, "YL001", "60.00"

    return setup


TABLE = {
    rules.NOT_COVERED: not_covered,
    rules.ARREARS: arrears,
    rules.WAITING: waiting,
    rules.NO_CONCLUSION: no_conclusion,
    rules.NO_DECISION: no_decision,
    rules.HOSPITAL: hospital,
    rules.DOUBLE_CARE: double_care,
    rules.FORM_NOT_AGREED: form_not_agreed,
    rules.BED: bed,
    rules.DUPLICATE: duplicate,
    rules.CAREGIVER: caregiver,
    rules.OVER_LIMIT: over_limit,
    rules.OVER_PRICE: over_price,
    **{
        code: _excluded(code)
        for code in (
            "EXCLUDED_OTHER_FUND",
            "EXCLUDED_THIRD_PARTY",
            "EXCLUDED_PUBLIC_HEALTH",
            "EXCLUDED_ABROAD",
            "EXCLUDED_LAW",
        )
    },
}


def test_the_table_covers_every_code_of_spec_7_2():
    assert set(TABLE) == set(rules.REASON_TEXT)


@pytest.mark.parametrize("code", list(TABLE))
def test_reason_code_fires(world, code):
    nid, institution, rejected = TABLE[code](world)
    line = line_for(world.settle(), nid, code=institution)
    assert (line["reason_codes"], line["rejected_amount"]) == (code, rejected)
    from decimal import Decimal

    assert Decimal(line["charged_amount"]) == (
        Decimal(line["fund_amount"]) + Decimal(line["personal_amount"]) + Decimal(line["rejected_amount"])
    )


def test_work_injury_benefits_from_the_other_system_reject_the_day_without_staff(world):
    """SPEC 5.1 item 5: the imported work-injury period itself excludes the day (EXCLUDED_OTHER_FUND)."""
    from benefits.imports import import_other_fund_benefits

    nid = world.beneficiary(form="residential", institution="YL001")
    report = import_other_fund_benefits(
        content=f"national_id,fund,starts_on,ends_on,reference\n{nid},work_injury,2024-05-02,2024-05-02,GS-1\n".encode(),
        filename="funds.csv",
    )
    assert report.errors == []
    _bed(world, nid, days=(1, 2, 3))
    line = line_for(world.settle(), nid, code="YL001")
    assert (line["reason_codes"], line["rejected_amount"]) == ("EXCLUDED_OTHER_FUND", "60.00")
