"""Issue 14: a service-record file saved as GBK by a Chinese spreadsheet is read."""

import datetime as dt

import pytest
from django.utils import translation

from settlement.imports import import_service_records
from settlement.models import ServiceRecord

from .conftest import CAREGIVER, visit
from .test_import_amounts import COLUMNS


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


def test_gbk_service_records_with_chinese_items_are_read(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    row = visit("JJ001", nid, "2024-05-02", "100.00", CAREGIVER)
    text = ",".join(COLUMNS) + "\n" + ",".join(row.get(c, "") for c in COLUMNS) + "\n"
    report = import_service_records(content=text.encode("gbk"), filename="五月.csv")
    assert not report.file_error and not report.errors, (report.file_error, report.errors)
    record = ServiceRecord.objects.get()
    assert record.service_date == dt.date(2024, 5, 2)
    assert list(record.items) == ["清洁照料", "饮食照料"]
