"""Issue 14: CSV files saved by a Chinese spreadsheet (GBK/GB18030) are read like UTF-8 ones."""

import pytest
from django.utils import translation

from enrollment.imports import import_roster
from enrollment.models import Person

from .conftest import ROSTER_HEADER, nid


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


ROWS = f"{nid(1)},张三丰,employee,320302,2022-01-01,,true,,\n{nid(2)},欧阳娜娜,resident,320302,2022-01-01,,false,,\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_roster_is_read_in_utf8_and_gbk(xuzhou, encoding):
    body = (ROSTER_HEADER + ROWS).encode(encoding)
    report = import_roster(content=body, filename="roster.csv")
    assert not report.file_error and not report.errors, report.errors
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(["张三丰", "欧阳娜娜"])


def test_gbk_and_utf8_give_the_same_names(xuzhou):
    import_roster(content=(ROSTER_HEADER + ROWS).encode("gbk"), filename="roster.csv")
    report = import_roster(content=(ROSTER_HEADER + ROWS).encode("utf-8"), filename="roster.csv")
    assert report.unchanged == 2 and report.applied == 0
    assert Person.objects.count() == 2


def test_a_file_in_neither_encoding_is_refused_naming_the_encoding(xuzhou):
    body = (ROSTER_HEADER + ROWS).encode("utf-8") + b"\xff\xfe\x80,x\n"
    report = import_roster(content=body, filename="roster.csv")
    assert "neither UTF-8 nor GB18030/GBK" in report.file_error
    assert not Person.objects.exists()


def test_gbk_roster_with_chinese_header_is_applied(xuzhou):
    from enrollment.imports import ROSTER_COLUMNS, ROSTER_LABELS

    header = ",".join(ROSTER_LABELS[c] for c in ROSTER_COLUMNS) + "\n"
    report = import_roster(content=(header + ROWS).encode("gbk"), filename="花名册.csv")
    assert not report.file_error and not report.errors and report.applied == 2
    assert Person.objects.filter(name="欧阳娜娜").exists()
