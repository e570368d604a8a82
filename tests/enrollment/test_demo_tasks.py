import datetime as dt
import io
import random

from enrollment import demo, tasks
from enrollment.models import Contribution, Person
from enrollment.services.run import contribution_mark_arrears


def test_demo_seed_runs_both_years_and_is_idempotent(xuzhou):
    out = io.StringIO()
    demo.seed(persons=150, rng=random.Random(3), stdout=out)
    assert Person.objects.count() == 150
    years = set(Contribution.objects.values_list("year", flat=True))
    assert years == {2025, 2026}
    assert Contribution.objects.filter(status="arrears").exists()
    from enrollment.models import FundIncome

    assert FundIncome.objects.get(source="donation").donor == "徐州市慈善总会"
    before = Contribution.objects.count()
    demo.seed(persons=150, rng=random.Random(3), stdout=out)
    assert Contribution.objects.count() == before


def test_task_runs_the_service_and_is_safe_twice(roster):
    roster("320302196005010015,甲,resident,320302,2022-01-01,,false,,")
    first = tasks.contribution_run_year(2026, "2026-01-10")
    second = tasks.contribution_run_year(2026, "2026-01-10")
    assert first.startswith("contribution_run 2026: done") and second.startswith(
        "contribution_run 2026: done"
    )
    assert Contribution.objects.count() == 1
    assert contribution_mark_arrears(on=dt.date(2026, 2, 1)) == 1
    assert Contribution.objects.get().status == "arrears"


def test_beat_schedule_has_the_yearly_daily_and_arrears_entries(db):
    from django_celery_beat.models import PeriodicTask

    tasks_ = {t.task: t.crontab for t in PeriodicTask.objects.filter(task__startswith="enrollment.")}
    assert tasks_["enrollment.tasks.contribution_run_current_year"].month_of_year == "1"
    assert tasks_["enrollment.tasks.contribution_run_daily"].day_of_month == "*"
    assert "enrollment.tasks.contribution_mark_arrears" in tasks_


def test_daily_run_gives_a_new_enrollee_the_contribution_in_the_enrolment_month(roster):
    from django.utils import timezone

    today = timezone.localdate()
    roster(f"320302196005010015,甲,resident,320302,{today.year}-01-01,,false,,")
    tasks.contribution_run_daily()
    roster(f"320302196005010031,乙,employee,320302,{today.isoformat()},,false,,")
    tasks.contribution_run_daily()
    new = Contribution.objects.get(person__national_id="320302196005010031")
    assert new.year == today.year and new.booked_on == today
    assert Contribution.objects.count() == 2
