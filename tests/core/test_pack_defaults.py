"""Issue 18 (Packs): every value no seed gives is marked as a default with its reason, as loaded by
`load_policy` (SPEC 11); the values a seed does give are not."""

import io

import pytest
from django.core.management import call_command

# (pack, kind, key): the values the issue names, none of which a seed gives
DEFAULTS = [
    ("jinjiang-2023", "waiting_period", "*"),  # seed 003 has no waiting period: 0, marked
    ("jinjiang-2023", "collection", "*"),
    ("jinjiang-2023", "quality_deposit", "*"),
    ("jinjiang-2023", "partial_year", "*"),
    ("nantong", "waiting_period", "*"),
    ("nantong", "collection", "*"),
    ("nantong", "quality_deposit", "*"),
    ("nantong", "coverage", "employee"),  # 2016 without a day
    ("nantong", "payment_standard", "home_package_copay"),  # its valid_from is not the seed's
    ("national-2020", "coverage", "employee"),  # valid_from: seed 004 sets no start day
    ("national-2020", "contribution_standard", "employee"),
    ("xuzhou-2022", "fund_warning", "*"),  # growth_threshold; no admin_cost_ratio at all
    ("xuzhou-2022", "home_sickbed", "*"),  # priced by the medical bed-day standard: the seed gives no amount
    ("lianyungang-2023", "partial_year", "*"),
]
# values the seeds give (not marked)
SEED_VALUES = [
    ("xuzhou-2022", "waiting_period", "*"),  # seed 001 五(一) 6个月
    ("xuzhou-2022", "collection", "*"),  # seed 001 四(二) 每年1月底前
    ("xuzhou-2022", "payment_standard", "residential:severe:medical"),  # 50元, 80%
    ("jinjiang-2023", "contribution_standard", "resident"),  # 90 = 60 + 30
    ("lianyungang-2023", "family_payment", "*"),  # 父母、配偶、子女
]


@pytest.mark.parametrize("pack,kind,key", DEFAULTS)
def test_values_no_seed_gives_are_marked_with_a_reason(db, pack, kind, key):
    """Issue 18: "every value no seed gives is marked as a default with its reason (Jinjiang's and Nantong's
    waiting periods, deadlines and deposit rates; the national pack's valid_from; admin_cost_ratio and
    growth_threshold in Xuzhou)"."""
    from ltci.core.models import PolicyRecord

    call_command("load_policy", pack, stdout=io.StringIO())
    records = PolicyRecord.objects.filter(scheme__code=pack, kind=kind, key=key)
    assert records.exists()
    for record in records:
        assert record.is_default and len(record.default_reason) > 20, (kind, key)


@pytest.mark.parametrize("pack,kind,key", SEED_VALUES)
def test_values_the_seeds_give_are_not_marked(db, pack, kind, key):
    from ltci.core.models import PolicyRecord

    call_command("load_policy", pack, stdout=io.StringIO())
    assert not PolicyRecord.objects.get(scheme__code=pack, kind=kind, key=key).is_default


def test_xuzhou_has_no_admin_cost_ratio_and_nantong_one_package_standard(db):
    """Seed 001 gives no 10% rule (Jinjiang's seed 003 三(四) does); seed 002 "一是选择一款套餐居家服务，每周服务 4 次，
    月费用约 1100 元由基金支付，个人自付 5 元∕次" gives one package for every class: one record."""
    from ltci.core.models import PolicyRecord

    for pack in ("xuzhou-2022", "nantong"):
        call_command("load_policy", pack, stdout=io.StringIO())
    warning = PolicyRecord.objects.get(scheme__code="xuzhou-2022", kind="fund_warning")
    assert warning.value.get("admin_cost_ratio") is None
    package = PolicyRecord.objects.filter(
        scheme__code="nantong", kind="payment_standard", key__startswith="home_package"
    )
    assert [p.key for p in package] == ["home_package_copay"]
