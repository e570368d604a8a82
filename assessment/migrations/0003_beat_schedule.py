"""Daily assessment housekeeping on the beat schedule (SPEC 9): 02:10 every day; editable in the admin."""
from django.db import migrations

TASK = "assessment.tasks.assessment_daily"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = Crontab.objects.get_or_create(minute="10", hour="2", day_of_month="*", month_of_year="*",
                                            day_of_week="*", timezone="Asia/Shanghai")
    Periodic.objects.get_or_create(name="评估结论到期提醒与到期 (assessment expiry reminders and expiry)",
                                   defaults={"task": TASK, "crontab": cron})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_conclusion_adl_conclusion_cognition_and_more"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
