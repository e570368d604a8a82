"""Policy admin without raw JSON (SPEC 2): a form per kind from the schema, the same checks as a pack file,
the default marks, and a preview of what a change affects before it is saved."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from ltci.core.models import PolicyRecord

CHANGELIST = reverse("admin:core_policyrecord_changelist")
ADD = reverse("admin:core_policyrecord_add")


@pytest.fixture
def office(xuzhou):
    user = User.objects.create_user("policy_admin", password="pw", is_staff=True, is_superuser=True)  # noqa: S106
    client = Client()
    client.force_login(user)
    return client


def change_url(record):
    return reverse("admin:core_policyrecord_change", args=[record.pk])


def record(kind, key="*"):
    return PolicyRecord.objects.get(kind=kind, key=key)


def snapshot():
    return list(
        PolicyRecord.objects.order_by("pk").values_list(
            "kind", "key", "valid_from", "valid_to", "value", "is_default"
        )
    )


def post_data(rec, **value):
    data = {
        "scheme": rec.scheme_id,
        "valid_from": rec.valid_from.isoformat(),
        "valid_to": rec.valid_to.isoformat() if rec.valid_to else "",
        "note": rec.note,
        "_save": "1",
    }
    for name, item in (rec.value or {}).items():
        if isinstance(item, list) and item and isinstance(item[0], dict):
            item = "\n".join(" ".join(str(v) for v in row.values()) for row in item)
        data[name] = "" if item is None else item  # a field left empty (optional or for staff)
    data.update(value)
    return data


def test_the_form_has_one_field_per_schema_field_with_chinese_labels(office):
    page = office.get(change_url(record("payment_standard", "home_visits:severe"))).content.decode()
    assert 'name="monthly_limit"' in page and 'name="fund_ratio"' in page and 'name="value"' not in page
    assert "月度限额（元）（monthly_limit）" in page and "基金支付比例（fund_ratio）" in page


BAD_FORM = {
    "ratio_7.0": (
        "payment_standard",
        "home_visits:severe",
        {"fund_ratio": "7.0"},
        "基金支付比例（fund_ratio）：不能大于 1（填写的是 7.0）",
    ),
    "negative_amount": (
        "payment_standard",
        "residential:severe:life",
        {"daily": "-60.00"},
        "床日费标准（元）（daily）：不能小于 0",
    ),
    "three_decimals": (
        "assessment_fee",
        "first",
        {"amount": "200.001"},
        "评估费（元）（amount）：最多 2 位小数",
    ),
    "not_a_number": ("quality_deposit", "*", {"rate": "五"}, "质量保证金预留比例（rate）：须为数字"),
    "missing_required": ("waiting_period", "*", {"months": ""}, "等待期（月）（months）：缺少此字段"),
    "wrong_date": (
        "waiting_exemption",
        "*",
        {"enrolled_before": "2022-02-30"},
        "在此日期前参保、且在本记录有效期内首次申请待遇者免等待期（enrolled_before）：须为 ISO 日期",
    ),
    "bad_band": ("deposit_release", "*", {"bands": "90 1.00\n80 8.0"}, "考核返还档次（bands）：不能大于 1"),
    "valid_to_before_valid_from": (
        "claim_deadline",
        "*",
        {"valid_to": "2021-12-31"},
        "失效日期不能早于生效日期",
    ),
    "parts_do_not_add_up": ("contribution_standard", "employee", {"individual": "25.00"}, "各部分之和 75.00"),
}


@pytest.mark.parametrize("case", sorted(BAD_FORM))
def test_bad_admin_input_is_refused_naming_the_field_and_changes_nothing(office, case):
    kind, key, change, message = BAD_FORM[case]
    rec = record(kind, key)
    before = snapshot()
    response = office.post(change_url(rec), post_data(rec, **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_an_overlapping_new_record_is_refused(office):
    before = snapshot()
    url = f"{ADD}?kind=waiting_period&key=*"
    response = office.post(
        url,
        {
            "scheme": record("waiting_period").scheme_id,
            "valid_from": "2025-01-01",
            "months": "3",
            "_save": "1",
        },
    )
    assert "有效期与 2022-01-01 起的同一参数重叠" in response.content.decode()
    assert snapshot() == before


def test_adding_starts_with_the_kind_and_a_wrong_key_is_refused(office):
    assert "选择类别" in office.get(ADD).content.decode()
    page = office.get(ADD, {"kind": "payment_standard", "key": "home_visits:heavy"}).content.decode()
    assert "本类别的键须为" in page and 'name="monthly_limit"' not in page
    page = office.get(ADD, {"kind": "payment_standard", "key": "device:severe"}).content.decode()
    assert 'name="yearly_limit"' in page


def test_a_valid_change_is_previewed_then_saved_on_confirmation(office):
    from settlement.models import SettlementRun

    SettlementRun.objects.create(month=dt.date(2024, 3, 1), state=SettlementRun.State.APPROVED)
    SettlementRun.objects.create(month=dt.date(2024, 4, 1), state=SettlementRun.State.DRAFT)
    rec = record("fund_warning")
    assert rec.is_default
    before = snapshot()
    data = post_data(rec, growth_threshold="0.30")
    preview = office.post(change_url(rec), data).content.decode()
    assert "确认修改政策参数" in preview and "月支出环比增长预警线：30.00%" in preview
    approved = preview.split("已批准的月度结算（不重算）")[1].split("未批准的月份")[0]
    unapproved = preview.split("未批准的月份")[1]
    assert "2024-03" in approved and "2024-04" not in approved and "2024-04" in unapproved
    assert "涉及人数" in preview
    assert snapshot() == before  # nothing saved by the preview
    response = office.post(change_url(rec), {**data, "_confirm_policy_change": "1"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.value["growth_threshold"] == "0.30" and not rec.is_default


def test_a_standard_can_be_left_for_staff_and_then_names_itself(office):
    from ltci.core.policy import PolicyNotEntered, policy_in_force

    rec = record("payment_standard", "remote_cash:severe")
    data = post_data(rec, daily="", _confirm_policy_change="1")
    assert office.post(change_url(rec), data).status_code == 302
    rec.refresh_from_db()
    assert rec.value == {"daily": None}
    with pytest.raises(PolicyNotEntered, match=r"remote_cash:severe.*field 'daily'"):
        policy_in_force("payment_standard", key="remote_cash:severe", on=dt.date(2024, 1, 1))["daily"]


def test_the_default_mark_and_its_reason_are_shown(office):
    page = office.get(CHANGELIST, {"kind": "fund_warning"}).content.decode()
    assert "默认值" in page and "seed 001 gives no early-warning thresholds" in page
    page = office.get(change_url(record("fund_warning"))).content.decode()
    assert "seed 001 gives no early-warning thresholds" in page


def test_the_wrong_user_is_refused(xuzhou):
    rec = record("fund_warning")
    anonymous = Client()
    assert anonymous.get(change_url(rec)).status_code == 302
    assert anonymous.post(change_url(rec), post_data(rec, growth_threshold="0.9")).status_code == 302
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)  # noqa: S106
    clerk.user_permissions.add(Permission.objects.get(codename="view_policyrecord"))
    client = Client()
    client.force_login(clerk)
    before = snapshot()
    response = client.post(
        change_url(rec), post_data(rec, growth_threshold="0.9", _confirm_policy_change="1")
    )
    assert response.status_code == 403
    assert client.get(ADD, {"kind": "waiting_period", "key": "*"}).status_code == 403
    assert client.get(ADD).status_code == 403
    assert anonymous.get(ADD).status_code == 302
    assert snapshot() == before


def test_a_record_of_an_unknown_kind_opens_and_cannot_be_saved(office):
    rec = PolicyRecord.objects.create(
        scheme=record("fund_warning").scheme,
        kind="legacy_bonus",
        key="*",
        valid_from=dt.date(2022, 1, 1),
        value={"amount": "1.00"},
    )
    assert office.get(change_url(rec)).status_code == 200
    response = office.post(change_url(rec), post_data(rec, _confirm_policy_change="1"))
    assert "未知类别" in response.content.decode()
    rec.refresh_from_db()
    assert rec.value == {"amount": "1.00"}


def test_adding_a_record_previews_then_creates_it(office):
    url = f"{ADD}?kind=family_payment&key=*"
    data = {
        "scheme": record("fund_warning").scheme_id,
        "valid_from": "2024-01-01",
        "relations": ["parent", "child"],
        "_save": "1",
    }
    preview = office.post(url, data).content.decode()
    assert "确认修改政策参数" in preview and not PolicyRecord.objects.filter(kind="family_payment").exists()
    assert office.post(url, {**data, "_confirm_policy_change": "1"}).status_code == 302
    assert PolicyRecord.objects.get(kind="family_payment").value == {"relations": ["parent", "child"]}
