"""Pack files (SPEC 2): every kind's schema refuses bad input naming it, nothing of the file is loaded;
export_policy prints a pack file that loads back to the same records."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from ltci.core.models import PolicyRecord, PolicyScheme
from ltci.core.policy import PACK_DIR, PolicyError, PolicyNotEntered, available_packs, policy_in_force

HEAD = """\
scheme: testcity
name: 测试市
records:
  - kind: waiting_period
    key: "*"
    valid_from: 2024-01-01
    value: {months: 6}
"""
GOOD = """\
  - kind: payment_standard
    key: "home_visits:severe"
    valid_from: 2024-01-01
    value: {monthly_limit: "900.00", fund_ratio: "0.70"}
"""


def write(tmp_path, records: str, head: str = HEAD):
    path = tmp_path / "testcity.yaml"
    path.write_text(head + records, encoding="utf-8")
    return path


def snapshot():
    return (
        list(PolicyScheme.objects.values_list("code", "name", "active")),
        list(
            PolicyRecord.objects.order_by("pk").values_list(
                "scheme__code", "kind", "key", "valid_from", "valid_to", "value"
            )
        ),
    )


def refused(path) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("load_policy", str(path), verbosity=0)
    assert exc.value.returncode == 2
    return str(exc.value)


BAD = {
    "unknown_kind": (
        """\
  - kind: nursing_bonus
    key: "*"
    valid_from: 2024-01-01
    value: {amount: "10.00"}
""",
        ["nursing_bonus", "[*]", "valid_from 2024-01-01", "kind", "未知类别"],
    ),
    "misspelt_field": (
        """\
  - kind: payment_standard
    key: "home_visits:moderate"
    valid_from: 2024-01-01
    value: {monthly_limit: "600.00", fund_ration: "0.70"}
""",
        [
            "payment_standard",
            "[home_visits:moderate]",
            "valid_from 2024-01-01",
            "fund_ration",
            "未知字段",
            "fund_ratio",
            "缺少此字段",
        ],
    ),
    "ratio_7.0": (
        """\
  - kind: payment_standard
    key: "residential:severe:life"
    valid_from: 2024-01-01
    value: {daily: "1000.00", fund_ratio: "7.0", institution_types: [medical]}
""",
        [
            "payment_standard",
            "[residential:severe:life]",
            "valid_from 2024-01-01",
            "fund_ratio = '7.0'",
            "不能大于 1",
        ],
    ),
    "ratio_unquoted_7.0": (
        """\
  - kind: quality_deposit
    key: "*"
    valid_from: 2024-01-01
    value: {rate: 7.0}
""",
        ["quality_deposit", "rate = 7.0", "不能大于 1"],
    ),
    "negative_amount": (
        """\
  - kind: assessment_fee
    key: first
    valid_from: 2024-01-01
    value: {amount: "-200.00"}
""",
        ["assessment_fee", "[first]", "amount = '-200.00'", "不能小于 0"],
    ),
    "three_decimals": (
        """\
  - kind: assessment_fee
    key: review
    valid_from: 2024-01-01
    value: {amount: "200.005"}
""",
        ["assessment_fee", "[review]", "amount = '200.005'", "最多 2 位小数"],
    ),
    "wrong_date_in_value": (
        """\
  - kind: waiting_exemption
    key: "*"
    valid_from: 2024-01-01
    value: {enrolled_before: "2024-02-30"}
""",
        ["waiting_exemption", "enrolled_before = '2024-02-30'", "ISO"],
    ),
    "wrong_valid_from": (
        """\
  - kind: claim_deadline
    key: "*"
    valid_from: 2024-13-01
    value: {day_of_next_month: 5}
""",
        ["claim_deadline", "valid_from = '2024-13-01'", "ISO date"],
    ),
    "valid_to_before_valid_from": (
        """\
  - kind: claim_deadline
    key: "*"
    valid_from: 2024-06-01
    valid_to: 2024-05-31
    value: {day_of_next_month: 5}
""",
        ["claim_deadline", "valid_to = 2024-05-31", "before valid_from"],
    ),
    "overlapping_validity": (
        """\
  - kind: waiting_period
    key: "*"
    valid_from: 2025-01-01
    value: {months: 3}
""",
        ["waiting_period [*] valid_from 2025-01-01", "overlaps", "2024-01-01"],
    ),
    "missing_required_field": (
        """\
  - kind: fund_warning
    key: "*"
    valid_from: 2024-01-01
    value: {months: 6, admin_cost_ratio: "0.10"}
""",
        ["fund_warning", "growth_threshold", "缺少此字段"],
    ),
    "missing_value": (
        """\
  - kind: claim_deadline
    key: "*"
    valid_from: 2024-01-01
""",
        ["claim_deadline", "value: missing"],
    ),
    "wrong_key": (
        """\
  - kind: payment_standard
    key: "home_visits:heavy"
    valid_from: 2024-01-01
    value: {monthly_limit: "600.00", fund_ratio: "0.70"}
""",
        ["payment_standard", "key = 'home_visits:heavy'"],
    ),
    "wrong_type": (
        """\
  - kind: waiting_period
    key: "*"
    valid_from: 2023-01-01
    valid_to: 2023-12-31
    value: {months: six}
""",
        ["waiting_period", "months = 'six'", "须为整数"],
    ),
    "unknown_record_field": (
        """\
  - kind: claim_deadline
    key: "*"
    valid_from: 2024-01-01
    value: {day_of_next_month: 5}
    defualt: true
""",
        ["claim_deadline", "defualt", "unknown record field"],
    ),
    "default_without_reason": (
        """\
  - kind: claim_deadline
    key: "*"
    valid_from: 2024-01-01
    value: {day_of_next_month: 5}
    default: true
""",
        ["claim_deadline", "default_reason: missing"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_pack_file_is_refused_naming_the_problem_and_loads_nothing(db, tmp_path, case):
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    before = snapshot()
    records, expected = BAD[case]
    message = refused(write(tmp_path, GOOD + records))
    assert "testcity.yaml" in message
    for part in expected:
        assert part in message, (part, message)
    assert snapshot() == before  # not the valid records of the file, not the scheme, not the activation


def test_a_file_overlapping_records_already_loaded_is_refused(db, tmp_path):
    call_command("load_policy", str(write(tmp_path, GOOD)), verbosity=0)
    before = snapshot()
    later = """\
  - kind: payment_standard
    key: "home_visits:severe"
    valid_from: 2025-01-01
    value: {monthly_limit: "1.00", fund_ratio: "1.00"}
"""
    message = refused(write(tmp_path, later))
    assert "payment_standard [home_visits:severe] valid_from 2025-01-01" in message
    assert "already in scheme testcity" in message
    assert snapshot() == before


def test_a_file_path_loads_like_a_pack_and_values_are_typed(db, tmp_path):
    out = io.StringIO()
    call_command("load_policy", str(write(tmp_path, GOOD)), stdout=out)
    assert "testcity: 2 records created" in out.getvalue()
    value = policy_in_force("payment_standard", key="home_visits:severe", on=dt.date(2024, 3, 1))
    assert value["fund_ratio"] == Decimal("0.70") and value["monthly_limit"] == Decimal("900.00")
    assert PolicyScheme.objects.get(code="testcity").active


def export(code: str) -> str:
    out = io.StringIO()
    call_command("export_policy", code, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("pack", available_packs())
def test_export_load_export_is_identical(db, tmp_path, pack):
    call_command("load_policy", pack, verbosity=0)
    first = export(pack)
    records = snapshot()[1]
    PolicyRecord.history.all().delete()
    PolicyRecord.objects.all().delete()
    PolicyScheme.objects.all().delete()
    path = tmp_path / "exported.yaml"
    path.write_text(first, encoding="utf-8")
    call_command("load_policy", str(path), verbosity=0)
    assert export(pack) == first
    assert sorted(map(str, snapshot()[1])) == sorted(map(str, records))  # the same records, values included
    marked = [r for r in yaml.safe_load(first)["records"] if r.get("default")]
    assert marked and all(r["default_reason"] for r in marked)


def test_export_includes_staff_edits_and_defaults_to_the_active_scheme(xuzhou):
    record = PolicyRecord.objects.get(kind="waiting_period")
    record.value, record.is_default = {"months": 3}, False
    record.save()
    data = yaml.safe_load(export(""))
    assert data["scheme"] == "xuzhou-2022"
    assert next(r for r in data["records"] if r["kind"] == "waiting_period")["value"] == {"months": 3}


def test_export_of_an_unknown_scheme_is_an_error(db):
    with pytest.raises(CommandError, match="unknown policy scheme 'nowhere'"):
        call_command("export_policy", "nowhere")


def test_shipped_packs_mark_the_values_the_seeds_do_not_give(db):
    def marked(pack, kind):
        data = yaml.safe_load((PACK_DIR / f"{pack}.yaml").read_text(encoding="utf-8"))
        return [r for r in data["records"] if r["kind"] == kind and r.get("default") is True]

    for pack in ("jinjiang-2023", "nantong"):
        assert (
            marked(pack, "waiting_period") and marked(pack, "collection") and marked(pack, "quality_deposit")
        )
    assert marked("xuzhou-2022", "fund_warning") and marked("national-2020", "coverage")
    assert "valid_from" in marked("national-2020", "coverage")[0]["default_reason"]
    call_command("load_policy", "jinjiang-2023", verbosity=0)
    record = PolicyRecord.objects.get(kind="waiting_period")
    assert record.is_default and "seed 003" in record.default_reason


# --- readers: a missing or invalid value stops the calculation naming it (never a default) -------------


def test_a_payment_standard_missing_its_fund_ratio_raises_instead_of_paying_100_percent(xuzhou):
    from benefits import payment

    PolicyRecord.objects.filter(kind="payment_standard", key="home_visits:severe").update(
        value={"monthly_limit": "900.00"}
    )
    with pytest.raises(
        PolicyError, match=r"'payment_standard' \[home_visits:severe\].*fund_ratio.*缺少此字段"
    ):
        payment.standards_for("home_visits", "severe", on=dt.date(2024, 5, 1))


def test_a_ratio_stored_as_7_raises_naming_the_field(xuzhou):
    from benefits import payment

    PolicyRecord.objects.filter(kind="payment_standard", key="residential:severe:life").update(
        value={"daily": "60.00", "fund_ratio": "7.0", "institution_types": ["medical"]}
    )
    with pytest.raises(PolicyError, match=r"residential:severe:life.*fund_ratio = '7.0'"):
        payment.standards_for("residential", "severe", "life", on=dt.date(2024, 5, 1))


@pytest.mark.parametrize(
    "kind, field, reader",
    [
        ("waiting_period", "months", "enrollment.selectors._waiting_months"),
        ("claim_deadline", "day_of_next_month", "settlement.services.records.claim_deadline"),
        ("fund_warning", "growth_threshold", "settlement.services.reports.fund_warnings_check"),
    ],
)
def test_readers_do_not_default_a_missing_field(xuzhou, kind, field, reader):
    import importlib

    record = PolicyRecord.objects.get(kind=kind)
    PolicyRecord.objects.filter(pk=record.pk).update(
        value={k: v for k, v in record.value.items() if k != field}
    )
    module, name = reader.rsplit(".", 1)
    call = getattr(importlib.import_module(module), name)
    day = dt.date(2024, 5, 1)
    with pytest.raises(PolicyError, match=rf"'{kind}'.*{field}.*缺少此字段"):
        call(on=day) if name == "fund_warnings_check" else call(day)


def test_a_field_left_for_staff_names_the_standard_and_the_field(load_pack):
    load_pack("national-2020")
    value = policy_in_force("payment_standard", key="home_visits:severe", on=dt.date(2024, 1, 1))
    assert value["fund_ratio"] == Decimal("0.70")
    with pytest.raises(PolicyNotEntered, match=r"\[home_visits:severe\].*field 'monthly_limit'"):
        value["monthly_limit"]
