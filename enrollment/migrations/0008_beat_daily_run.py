"""Daily rerun of the current year's contribution run for new enrollees (SPEC 3.3, 9): 01:30, editable."""
from django.db import migrations

TASK = "enrollment.tasks.contribution_run_daily"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = Crontab.objects.get_or_create(minute="30", hour="1", day_of_month="*", month_of_year="*",
                                            day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="每日新参保人员筹资 (daily contributions of new enrollees)",
                                   defaults={"task": TASK, "crontab": cron})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0007_booked_on_and_income_actor"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
