"""Every 5 minutes: fanned-out runs whose chunk tasks were lost are re-dispatched, or given up (issue 20;
docs/operations.md "Scaling beyond one machine")."""

from django.db import migrations

TASK = "ltci.core.tasks.fanout_sweep"


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=5, period="minutes")
    Periodic.objects.get_or_create(
        name="每5分钟检查丢失的作业分块 (lost chunks of fanned-out runs)", defaults={"task": TASK, "interval": every}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0011_jobchunk_sent_at"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
