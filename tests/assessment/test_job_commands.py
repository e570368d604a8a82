"""The daily assessment job and spot checks as management commands (SPEC 9: every job also by command)."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from assessment.models import Application, ConclusionEvent, ExpiryReminder, SpotCheck
from tests.assessment.conftest import make_person

D = dt.date


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def conclude(person, grade=3, until=None):
    from assessment.models import Conclusion

    return Conclusion.objects.create(
        person=person,
        grade=grade,
        concluded_on=D(2024, 1, 1),
        valid_until=until or D(2025, 12, 31),
        state="final",
    )


def test_check_assessments_reminds_and_expires_once(xuzhou):
    soon = conclude(make_person(), until=D(2025, 12, 31))
    gone = conclude(make_person(), until=D(2025, 10, 31))
    assert run("check_assessments", "--on", "2025-11-05") == "1 reminders, 1 conclusions expired\n"
    assert run("check_assessments", "--on", "2025-11-05") == "0 reminders, 0 conclusions expired\n"
    assert ExpiryReminder.objects.get().conclusion == soon
    assert ConclusionEvent.objects.get(kind="expired").conclusion == gone


def test_check_assessments_refuses_a_bad_date(xuzhou):
    with pytest.raises(CommandError, match="--on"):
        run("check_assessments", "--on", "2025-13-01")


def test_order_spot_check_dry_run_shows_the_same_sample_the_order_takes(xuzhou):
    people = [make_person() for _ in range(10)]
    for person in people:
        conclude(person)
    preview = run(
        "order_spot_check", "--size", "4", "--seed", "7", "--on", "2025-06-01", "--dry-run"
    ).splitlines()
    assert preview[-1] == "4 persons sampled (dry run, nothing written)"
    assert not SpotCheck.objects.exists() and not Application.objects.exists()
    assert (
        preview[:-1]
        == run(
            "order_spot_check", "--size", "4", "--seed", "7", "--on", "2025-06-01", "--dry-run"
        ).splitlines()[:-1]
    )
    out = run("order_spot_check", "--size", "4", "--seed", "7", "--on", "2025-06-01", "--note", "季度抽查")
    assert out.splitlines()[-1].endswith("4 reassessments opened (seed 7)")
    opened = Application.objects.filter(kind="spot_check", state="accepted")
    assert sorted(opened.values_list("person__national_id", flat=True)) == sorted(preview[:-1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "0", "--seed", "1"], "--size must be at least 1"),
        (["--size", "2", "--seed", "1", "--min-grade", "6"], "--min-grade must be 0-5"),
        (["--size", "2", "--seed", "1", "--on", "tomorrow"], "--on"),
    ],
)
def test_order_spot_check_refuses_bad_arguments(xuzhou, args, message):
    with pytest.raises(CommandError, match=message):
        run("order_spot_check", *args)
    assert not SpotCheck.objects.exists()
