"""Yearly release of quality deposits by the annual appraisal, in January for the previous year, and the daily
claim-deadline reminders (SPEC 7.1, 9); editable in the admin."""
from django.db import migrations

YEARLY = "settlement.tasks.deposits_release_previous_year"
DAILY = "settlement.tasks.claim_reminders_today"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    yearly, _ = Crontab.objects.get_or_create(minute="0", hour="3", day_of_month="20", month_of_year="1",
                                              day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="质量保证金年度返还 (yearly deposit release by appraisal)",
                                   defaults={"task": YEARLY, "crontab": yearly})
    daily, _ = Crontab.objects.get_or_create(minute="0", hour="8", day_of_month="*", month_of_year="*",
                                             day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="月度申报提醒 (daily claim-deadline reminders)",
                                   defaults={"task": DAILY, "crontab": daily})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=[YEARLY, DAILY]).delete()


class Migration(migrations.Migration):
    dependencies = [("settlement", "0008_fund_budget"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
