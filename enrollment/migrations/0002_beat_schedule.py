"""The yearly contribution run on the beat schedule (SPEC 9): 2 January, 01:00; editable in the admin."""
from django.db import migrations

TASK = "enrollment.tasks.contribution_run_current_year"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = Crontab.objects.get_or_create(minute="0", hour="1", day_of_month="2", month_of_year="1",
                                            day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="年度筹资批处理 (yearly contribution run)",
                                   defaults={"task": TASK, "crontab": cron})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
