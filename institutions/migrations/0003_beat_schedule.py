"""Daily agreement check on the beat schedule (SPEC 6, 9): 00:30 Asia/Shanghai; editable in the admin."""
from django.db import migrations

TASK = "institutions.tasks.agreement_daily_check"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = Crontab.objects.get_or_create(minute="30", hour="0", day_of_month="*", month_of_year="*",
                                            day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="协议与责任险每日检查 (daily agreement and insurance check)",
                                   defaults={"task": TASK, "crontab": cron})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("institutions", "0002_agreementpause_appraisal_appraisalscore_and_more"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
