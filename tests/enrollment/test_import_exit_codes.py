"""SPEC 11 exit status of the import commands, run as a real process (issue 13): 0 every row applied, 1 rows
rejected (the valid rows applied, the error report written), 2 the file refused (nothing changed)."""

import os
import subprocess
import sys

import pytest
from django.utils import translation

from enrollment.models import Person
from tests.outside import ROOT, db_url

from .conftest import ROSTER_HEADER, nid


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


def import_roster(path, **env):
    full = {**os.environ, "DATABASE_URL": db_url(), "DJANGO_SETTINGS_MODULE": "ltci.settings.local", **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_roster", str(path)],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_exit_status_is_0_1_or_2(xuzhou, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(ROSTER_HEADER + f"{nid(1)},甲,employee,320302,2022-01-01,,true,,\n", encoding="utf-8")
    assert import_roster(good).returncode == 0
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        ROSTER_HEADER + f"{nid(3)},乙,employee,320302,2022-01-01,,true,,\n"
        f"{nid(5)},丙,employee,999999,2022-01-01,,true,,\n",
        encoding="utf-8",
    )
    result = import_roster(mixed)
    assert result.returncode == 1, result.stderr
    assert "未知的行政区划代码 999999" in result.stderr and (tmp_path / "mixed.csv.errors.csv").exists()
    refused = import_roster(good, LTCI_IMPORT_MAX_BYTES="10")
    assert refused.returncode == 2 and "整个文件被拒绝" in refused.stderr
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert import_roster(empty).returncode == 2
    assert sorted(Person.objects.values_list("name", flat=True)) == ["乙", "甲"]
