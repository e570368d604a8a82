"""SPEC 7.1: a charge above the ceiling per kind is accepted only when staff confirm it.

Through each door (file import, API, portal visit form) such a record is stored but held; the run of its
month leaves it out; confirmed, it is paid by the month's run (confirmed before) or by the next run as a late
line (confirmed after); rejected, it is never paid. Staff decide in the admin (settlement.confirm_charges).
"""

import pytest
from django.test import Client

from ltci.core import roles
from settlement.imports import import_service_records
from settlement.models import ServiceRecord, SettlementLine
from settlement.services.holds import HoldRefused, records_decide_hold

from .conftest import D, staff
from .test_import_amounts import csv_bytes
from .test_portal_api import portal_user
from .test_records_checked_at_entry import api_body, api_post, good, portal_post

HUGE = "2500.00"  # the visit ceiling of the Xuzhou pack is 2000.00
HELD = "记录已保存，待医保经办机构确认后才参加结算"
CHANGELIST = "/admin/settlement/servicerecord/"


@pytest.fixture
def nid(world):
    return world.beneficiary(form="home_visits", institution="JJ001")


def _through(door, nid, client):
    """Submit one over-ceiling visit of 2024-05-03 through a door; return the stored record."""
    row = good(nid, charge=HUGE)
    if door == "file":
        report = import_service_records(content=csv_bytes([row]), filename="v.csv")
        assert report.errors == [] and report.applied == 1
        assert [(e.row, e.field) for e in report.held] == [(2, "charged_amount")]
        assert HELD in report.held[0].reason and "上限 2000.00 元" in report.held[0].reason
        assert "其中 1 行收费超过上限" in report.summary()
    elif door == "api":
        response = api_post(api_body(row, "big-1"))
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["held"] is True and body["held_reason"] == "CHARGE_ABOVE_CEILING"
        assert "待医保经办机构确认" in body["held_message"]
    else:
        client.force_login(portal_user("JJ001"))
        response = portal_post(client, row)
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert HELD in page and "上限 2000.00 元" in page
    record = ServiceRecord.objects.get()
    assert (record.held_reason, record.hold_decision, str(record.charged_amount)) == (
        "CHARGE_ABOVE_CEILING",
        "",
        HUGE,
    )
    return record


def _paid(nid, month):
    return list(
        SettlementLine.objects.filter(run__month=month, person__national_id=nid).values_list(
            "service_month", "is_late", "charged_amount"
        )
    )


DOORS = ["file", "api", "portal"]


@pytest.mark.parametrize("door", DOORS)
def test_held_then_confirmed_after_the_run_is_paid_late_by_the_next_run(world, nid, client, door):
    record = _through(door, nid, client)
    world.settle("2024-05")
    assert _paid(nid, D(2024, 5, 1)) == []  # held: waits like a record not yet received
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    assert records_decide_hold(record_ids=[record.pk], decision="confirmed", actor=officer) == (1, 0)
    record.refresh_from_db()
    assert record.hold_decided_by == officer and record.hold_decided_at is not None
    world.settle("2024-06")
    [(month, late, charged)] = _paid(nid, D(2024, 6, 1))
    assert (month, late, str(charged)) == (D(2024, 5, 1), True, HUGE)
    world.settle("2024-07")
    assert _paid(nid, D(2024, 7, 1)) == []  # taken once


@pytest.mark.parametrize("door", DOORS)
def test_held_and_rejected_is_never_paid(world, nid, client, door):
    record = _through(door, nid, client)
    supervisor = staff("boss", roles.SUPERVISOR)
    assert records_decide_hold(record_ids=[record.pk], decision="rejected", actor=supervisor) == (1, 0)
    # a decision is final: confirming a rejected record changes nothing
    assert records_decide_hold(record_ids=[record.pk], decision="confirmed", actor=supervisor) == (0, 1)
    for month in ("2024-05", "2024-06"):
        world.settle(month)
    assert not SettlementLine.objects.filter(person__national_id=nid).exists()
    assert ServiceRecord.objects.get().hold_decision == "rejected"


def test_confirmed_before_the_run_is_paid_by_its_month(world, nid, client):
    record = _through("file", nid, client)
    records_decide_hold(
        record_ids=[record.pk], decision="confirmed", actor=staff("o", roles.SETTLEMENT_OFFICER)
    )
    world.settle("2024-05")
    [(month, late, charged)] = _paid(nid, D(2024, 5, 1))
    assert (month, late, str(charged)) == (D(2024, 5, 1), False, HUGE)


def test_below_the_ceiling_is_not_held_and_the_bounds_stay_refusals(world, nid):
    report = import_service_records(
        content=csv_bytes(
            [good(nid, charge="2000.00"), good(nid, charge="0.00", start="14:00", end="15:00")]
        ),
        filename="v.csv",
    )
    assert report.applied == 1 and report.held == []
    assert [(e.row, e.field) for e in report.errors] == [(3, "charged_amount")]
    assert ServiceRecord.objects.get().held_reason == ""


def test_a_rejected_record_does_not_block_its_corrected_resubmission(world, nid):
    first = import_service_records(content=csv_bytes([good(nid, charge=HUGE)]), filename="a.csv")
    assert first.applied == 1
    again = import_service_records(content=csv_bytes([good(nid, charge="120.00")]), filename="b.csv")
    assert [e.field for e in again.errors] == ["service_date"]  # held: still the same visit
    records_decide_hold(
        record_ids=[ServiceRecord.objects.get().pk], decision="rejected", actor=staff("o", roles.SUPERVISOR)
    )
    corrected = import_service_records(content=csv_bytes([good(nid, charge="120.00")]), filename="b.csv")
    assert corrected.errors == [] and corrected.applied == 1
    world.settle("2024-05")
    [(_m, _late, charged)] = _paid(nid, D(2024, 5, 1))
    assert str(charged) == "120.00"


def test_the_import_batch_keeps_the_held_rows(world, nid):
    from ltci.core.importing import ImportReport
    from ltci.core.models import ImportBatch

    report = import_service_records(content=csv_bytes([good(nid, charge=HUGE)]), filename="v.csv")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.rows_applied, batch.rows_held, batch.rows_rejected) == (1, 1, 0)
    assert ImportReport.from_batch(batch).held == report.held


# --- who may decide -------------------------------------------------------------------------------


def _post_action(client, action, record, apply=False):
    data = {"action": action, "_selected_action": [record.pk]}
    if apply:
        data["apply"] = "1"
    return client.post(CHANGELIST, data)


@pytest.mark.parametrize("action", ["confirm_charge", "reject_charge"])
def test_the_admin_actions_ask_first_then_decide(world, nid, client, action):
    record = _through("file", nid, client)
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    from tests.office.test_dashboard import shown_queues

    assert shown_queues(client.get("/admin/").content.decode())["settlement.held_charges"] == 1
    listed = client.get(CHANGELIST, {"charge_hold": "waiting"})
    assert listed.status_code == 200 and "待确认（超上限）" in listed.content.decode()
    assert [r.pk for r in listed.context["cl"].result_list] == [record.pk]
    ask = _post_action(client, action, record)
    assert ask.status_code == 200 and HUGE in ask.content.decode() and 'name="apply"' in ask.content.decode()
    record.refresh_from_db()
    assert record.hold_decision == ""  # nothing decided before the confirmation step
    done = _post_action(client, action, record, apply=True)
    assert done.status_code == 302
    record.refresh_from_db()
    expected = "confirmed" if action == "confirm_charge" else "rejected"
    assert record.hold_decision == expected and record.hold_decided_by.username == "officer"
    assert record.history.first().history_user.username == "officer"  # history: who, when
    assert client.get(CHANGELIST, {"charge_hold": "waiting"}).context["cl"].result_list.count() == 0


@pytest.mark.parametrize("who", ["anonymous", "clerk", "institution"])
@pytest.mark.parametrize("action", ["confirm_charge", "reject_charge"])
def test_wrong_users_cannot_decide(world, nid, action, who):
    record = _through("file", nid, Client())
    client = Client()
    if who == "clerk":  # staff who may see the records but not decide
        user = staff("clerk", roles.ENROLLMENT_CLERK)
        from django.contrib.auth.models import Permission

        user.user_permissions.add(Permission.objects.get(codename="view_servicerecord"))
        client.force_login(user)
    elif who == "institution":
        client.force_login(portal_user("JJ001"))
    response = _post_action(client, action, record, apply=True)
    assert response.status_code in (200, 302, 403)
    if who == "clerk":
        assert response.status_code == 200 or response.status_code == 302
        assert "confirm_charge" not in client.get(CHANGELIST).content.decode()
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    record.refresh_from_db()
    assert record.hold_decision == "" and record.hold_decided_by is None


def test_the_service_refuses_staff_without_the_role(world, nid):
    record = _through("file", nid, Client())
    with pytest.raises(HoldRefused):
        records_decide_hold(
            record_ids=[record.pk], decision="confirmed", actor=staff("clerk", roles.ENROLLMENT_CLERK)
        )
    with pytest.raises(HoldRefused):
        records_decide_hold(record_ids=[record.pk], decision="confirmed", actor=portal_user("JJ001"))
    record.refresh_from_db()
    assert record.hold_decision == ""


def test_an_institution_cannot_confirm_its_own_record_through_the_api(world, nid):
    from rest_framework.test import APIClient

    row = good(nid, charge=HUGE)
    response = api_post(api_body(row, "big-1") | {"hold_decision": "confirmed", "held": False})
    assert response.status_code == 201 and response.json()["held"] is True
    record = ServiceRecord.objects.get()
    client = APIClient()
    client.force_authenticate(portal_user("JJ001", name="jj-second"))
    for method in ("put", "patch"):
        changed = getattr(client, method)(
            "/api/v1/service-records/", {"id": record.pk, "hold_decision": "confirmed"}, format="json"
        )
        assert changed.status_code == 405
    # a re-send of the same client key returns the stored record, still held
    again = api_post(api_body(row, "big-1") | {"hold_decision": "confirmed"})
    assert again.status_code == 200 and again.json()["held"] is True
    record.refresh_from_db()
    assert record.hold_decision == "" and record.hold_decided_by is None
