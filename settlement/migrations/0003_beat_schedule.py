"""Monthly settlement on the 10th for the previous month, daily fund warnings (SPEC 9); editable in the admin."""
from django.db import migrations

MONTHLY = "settlement.tasks.settlement_run_previous_month"
DAILY = "settlement.tasks.fund_warnings_today"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = Crontab.objects.get_or_create(minute="0", hour="2", day_of_month="10", month_of_year="*",
                                               day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="月度结算 (monthly settlement, previous month)",
                                   defaults={"task": MONTHLY, "crontab": monthly})
    daily, _ = Crontab.objects.get_or_create(minute="30", hour="6", day_of_month="*", month_of_year="*",
                                             day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="基金预警 (daily fund early warnings)",
                                   defaults={"task": DAILY, "crontab": daily})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=[MONTHLY, DAILY]).delete()


class Migration(migrations.Migration):
    dependencies = [("settlement", "0002_immutability_triggers"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
