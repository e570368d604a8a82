import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ltci.core.models import PolicyRecord
from ltci.core.policy import NoPolicyInForce, PolicyNotEntered, load_pack, policy_in_force


def test_load_policy_is_idempotent(db):
    _, created, _ = load_pack("xuzhou-2022")
    _, created_again, unchanged = load_pack("xuzhou-2022")
    assert created > 0 and created_again == 0 and unchanged == created


def test_value_in_force_on_the_date(xuzhou):
    value = policy_in_force("contribution_standard", key="employee", on=dt.date(2024, 5, 1))
    assert value["individual"] == Decimal("20.00")


def test_overlapping_records_are_refused_by_the_database(xuzhou):
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyRecord.objects.create(
            scheme=xuzhou, kind="waiting_period", key="*", valid_from=dt.date(2025, 1, 1), value={"months": 3}
        )


def test_jinjiang_after_its_end_has_no_policy_in_force(load_pack):
    load_pack("jinjiang-2023")
    assert policy_in_force("contribution_standard", key="resident", on=dt.date(2026, 3, 31))[
        "total"
    ] == Decimal("90.00")
    with pytest.raises(NoPolicyInForce, match="no policy in force"):
        policy_in_force("contribution_standard", key="resident", on=dt.date(2026, 4, 1))


def test_standard_left_for_staff_names_itself(load_pack):
    load_pack("lianyungang-2023")
    with pytest.raises(PolicyNotEntered, match="contribution_standard"):
        policy_in_force("contribution_standard", key="employee", on=dt.date(2024, 1, 1))
