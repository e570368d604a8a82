"""Issue 14: the bad-input corpus of a service record, per door (file import, API, portal visit form).

Each case names the field and the reason it expects, and counts the stored records before and after: a
refused record changes nothing. Cases that need an earlier record (duplicate, overlaps) store it first
through the same door.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from settlement.imports import import_service_records
from settlement.models import ServiceRecord

from .conftest import CAREGIVER, CAREGIVER2, CAREGIVER3, new_id
from .test_import_amounts import csv_bytes
from .test_portal_api import portal_user
from .test_records_checked_at_entry import api_body, api_post, good, portal_post

TOMORROW = (dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)).isoformat()
UNKNOWN = new_id("19500101")

# (case, earlier record or None, changes to the good visit, field, reason in the file/API, reason in the
# portal when the form refuses it itself)
CASES = [
    ("future", None, {"day": TOMORROW}, "service_date", "晚于今天"),
    (
        "before_agreement",
        None,
        {"day": "2022-12-15"},
        "service_date",
        "早于本机构服务协议的开始日期（2023-01-01）",
    ),
    ("zero", None, {"charge": "0.00"}, "charged_amount", "收费金额 0.00 元必须大于零"),
    ("negative", None, {"charge": "-5.00"}, "charged_amount", "不能为负数"),
    ("three_decimals", None, {"charge": "80.005"}, "charged_amount", "小数"),
    ("other_caregiver", None, {"caregiver": CAREGIVER3}, "caregiver_id", "不是本机构在职护理人员"),
    ("duplicate", {}, {}, "service_date", "同一服务记录已提交过"),
    (
        "person_overlap",
        {},
        {"caregiver": CAREGIVER2, "start": "09:30", "end": "10:30"},
        "started_at",
        "09:30–10:30 与该参保人的另一次上门服务时间重叠",
    ),
    (
        "caregiver_overlap",
        {"other_person": True},
        {"start": "09:59", "end": "11:00"},
        "caregiver_id",
        f"护理人员 {CAREGIVER} 在 2024-05-03 09:59–11:00 已有另一次上门服务（时间重叠）",
    ),
    ("unknown_person", None, {"nid": UNKNOWN}, "national_id", ""),
]
IDS = [c[0] for c in CASES]


@pytest.fixture
def people(world):
    return {
        "nid": world.beneficiary(form="home_visits", institution="JJ001"),
        "other": world.beneficiary(form="home_visits", institution="JJ001"),
    }


def _rows(people, earlier, change):
    """The earlier record (if any) and the bad one, as file rows."""
    change = dict(change)
    nid = change.pop("nid", people["nid"])
    bad = good(nid, **change) | {"items": "清洁照料"}  # another file than the earlier one's: not a re-send
    if earlier is None:
        return None, bad
    return good(people["other"] if earlier.get("other_person") else people["nid"]), bad


@pytest.mark.parametrize(("case", "earlier", "change", "field", "reason"), CASES, ids=IDS)
def test_file_door(people, case, earlier, change, field, reason):
    first, bad = _rows(people, earlier, change)
    if first:
        assert import_service_records(content=csv_bytes([first]), filename="first.csv").applied == 1
    before = ServiceRecord.objects.count()
    report = import_service_records(content=csv_bytes([bad]), filename="bad.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, field)]
    assert reason in report.errors[0].reason
    assert report.applied == 0 and ServiceRecord.objects.count() == before


@pytest.mark.parametrize(("case", "earlier", "change", "field", "reason"), CASES, ids=IDS)
def test_api_door(people, case, earlier, change, field, reason):
    first, bad = _rows(people, earlier, change)
    if first:
        assert api_post(api_body(first, "first")).status_code == 201
    before = ServiceRecord.objects.count()
    response = api_post([api_body(bad, "bad")])
    assert response.status_code == 400, response.json()
    ((got, reasons),) = response.json()["errors"]["records"]["0"].items()
    assert got == field and reason in reasons[0], reasons
    assert ServiceRecord.objects.count() == before


@pytest.mark.parametrize(("case", "earlier", "change", "field", "reason"), CASES, ids=IDS)
def test_portal_door(people, client, case, earlier, change, field, reason):
    client.force_login(portal_user("JJ001"))
    first, bad = _rows(people, earlier, change)
    if first:
        assert portal_post(client, first).status_code == 302
    before = ServiceRecord.objects.count()
    response = portal_post(client, bad)
    text = response.content.decode()
    assert response.status_code == 200 and reason in text
    if case not in ("negative", "three_decimals"):  # the form's own amount field refuses those
        assert f"{field}: " in text
    assert ServiceRecord.objects.count() == before


def test_unknown_person_reasons(people, client):
    """The staff file import names the unknown ID; an institution's door does not tell who is insured."""
    bad = good(UNKNOWN)
    report = import_service_records(content=csv_bytes([bad]), filename="bad.csv")
    assert UNKNOWN in report.errors[0].reason
    response = api_post([api_body(bad, "bad")])
    assert response.json()["errors"]["records"]["0"]["national_id"] == [
        "该参保人不在本机构服务对象中或身份证号有误"
    ]


def test_back_to_back_visits_and_a_batch_overlap(people):
    """A visit starting when the previous one ends is accepted; an overlap inside one batch is refused."""
    nid = people["nid"]
    rows = [
        good(nid, start="09:00", end="10:00"),
        good(nid, caregiver=CAREGIVER2, start="10:00", end="11:00"),
        good(people["other"], caregiver=CAREGIVER2, start="10:30", end="11:30"),
    ]
    report = import_service_records(content=csv_bytes(rows), filename="day.csv")
    assert report.applied == 2
    assert [(e.row, e.field) for e in report.errors] == [(4, "caregiver_id")]


def test_overlap_with_a_visit_of_another_institution_is_refused_without_naming_it(world, people):
    """The person's visit by another institution counts (SPEC 7.1); the reason does not name it."""
    from .conftest import stored_unchecked

    stored_unchecked([good(people["nid"]) | {"institution_code": "JJ002", "caregiver_id": CAREGIVER3}])
    assert ServiceRecord.objects.get().institution.code == "JJ002"
    report = import_service_records(
        content=csv_bytes([good(people["nid"], start="09:45", end="10:45")]), filename="b.csv"
    )
    assert [e.field for e in report.errors] == ["started_at"]
    assert "JJ002" not in report.errors[0].reason and ServiceRecord.objects.count() == 1


def _lower_record_ceilings(**values):
    from ltci.core.models import PolicyRecord

    record = PolicyRecord.objects.get(kind="record_checks")
    record.value = {**record.value, **values}
    record.save()


def test_the_ceiling_is_read_from_the_policy_in_force(people):
    """Above the ceiling a record is held for the office's confirmation (SPEC 7.1), not refused."""
    _lower_record_ceilings(max_charge_visit="70.00")
    report = import_service_records(content=csv_bytes([good(people["nid"])]), filename="a.csv")
    assert report.errors == [] and report.applied == 1
    assert [e.field for e in report.held] == ["charged_amount"]
    assert "收费金额 80.00 元超过该类记录的上限 70.00 元" in report.held[0].reason
    assert ServiceRecord.objects.get().held_reason == "CHARGE_ABOVE_CEILING"


@pytest.mark.parametrize(
    ("charge", "reason"),
    [
        ("2000.01", "每日收费：收费金额 2000.01 元超过该类记录的上限 2000.00 元"),
        ("0", "每日收费：收费金额 0.00 元必须大于零"),
        ("60.005", "小数超过两位"),
        ("150.00", None),  # refused only once staff lower the policy's ceiling
    ],
)
def test_portal_bed_day_charge_bounds_come_from_the_policy(world, client, charge, reason):
    nid = world.beneficiary(form="residential", institution="YL001")
    assert nid
    client.force_login(portal_user("YL001"))
    if reason is None:
        _lower_record_ceilings(max_charge_bed_day="100.00")
        reason = "每日收费：收费金额 150.00 元超过该类记录的上限 100.00 元"
    response = client.post(
        "/portal/settlement/bed-days/", {"month": "2024-05", "daily_charge": charge}, follow=True
    )
    assert reason in response.content.decode()
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize(
    ("care_forms", "field", "reason"),
    [
        (
            ["residential"],
            "kind",
            "「记录类型（kind）」：本机构 2024-05-03 生效的服务协议不包含“居家上门服务”，不能提交 home_visit 记录",
        ),
        (["community"], None, None),  # a visit form: only the month knows the person's form (FORM_NOT_AGREED)
    ],
)
def test_a_visit_needs_an_agreement_covering_home_visits(people, care_forms, field, reason):
    from institutions.models import Agreement

    Agreement.objects.filter(institution__code="JJ001").update(care_forms=care_forms)
    report = import_service_records(content=csv_bytes([good(people["nid"])]), filename="a.csv")
    assert [(e.field, e.reason) for e in report.errors] == ([(field, reason)] if field else [])
    assert ServiceRecord.objects.count() == (0 if field else 1)


def test_no_agreement_in_force_after_it_ended(people):
    from institutions.models import Agreement

    Agreement.objects.filter(institution__code="JJ001").update(valid_to=dt.date(2024, 4, 30))
    report = import_service_records(content=csv_bytes([good(people["nid"])]), filename="a.csv")
    assert [(e.field, e.reason) for e in report.errors] == [
        (
            "service_date",
            "「服务日期（service_date）」：服务日期 2024-05-03 本机构没有生效的服务协议（协议已到期、暂停、解除或责任险过期）",
        )
    ]
    assert not ServiceRecord.objects.exists()
