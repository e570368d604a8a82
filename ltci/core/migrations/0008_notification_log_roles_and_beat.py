"""The notification log (issue 19): who may read it (staff who serve persons and the supervisor; settlement
officers and fund accountants do not), and the beat schedule that sends what waits and prints the letters."""

from django.db import migrations

READERS = ["参保登记员", "评估协调员", "待遇审核员", "主管"]
VIEW = ["view_notification", "view_letterbatch"]
SWEEP = "ltci.core.tasks.notifications_send_queued"
LETTERS = "ltci.core.tasks.notification_letters_print"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("core")
    config.models_module = True  # the migration state's app config has none; permissions need it
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="core", codename__in=VIEW)
    for name in READERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)


def schedule(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=15, period="minutes")
    Periodic.objects.get_or_create(
        name="每15分钟发送待发通知 (notifications waiting to be sent)",
        defaults={"task": SWEEP, "interval": every, "kwargs": '{"new_only": false}'},
    )
    daily, _ = Crontab.objects.get_or_create(
        minute="0", hour="7", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    Periodic.objects.get_or_create(
        name="每日打印通知信函 (daily letter batch)", defaults={"task": LETTERS, "crontab": daily}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=[SWEEP, LETTERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_notifications"),
        ("core", "0002_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
    ]
