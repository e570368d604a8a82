"""Daily creation of next year's and next month's table partitions (docs/operations.md "Partitions"): 00:40."""

from django.db import migrations

TASK = "ltci.core.tasks.partitions_ahead"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = Crontab.objects.get_or_create(
        minute="40", hour="0", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    Periodic.objects.get_or_create(
        name="每日预建分区 (partitions of next year and next month)", defaults={"task": TASK, "crontab": cron}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0008_notification_log_roles_and_beat"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
