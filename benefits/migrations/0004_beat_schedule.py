"""Daily housekeeping on the beat schedule (SPEC 9): end benefit decisions at 02:30; editable in the admin."""
from django.db import migrations

TASK = "benefits.tasks.end_decisions_daily"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = Crontab.objects.get_or_create(minute="30", hour="2", day_of_month="*", month_of_year="*",
                                            day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="待遇核定到期/终止处理 (end benefit decisions daily)",
                                   defaults={"task": TASK, "crontab": cron})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("benefits", "0003_decision_fields"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
