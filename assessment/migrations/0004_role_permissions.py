"""Give the assessment coordinator role (评估协调员) the assessment models; supervisors may view them."""
from django.db import migrations

COORDINATOR = "评估协调员"
SUPERVISOR = "主管"


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    create_permissions(global_apps.get_app_config("assessment"), verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="assessment")
    coordinator, _ = Group.objects.get_or_create(name=COORDINATOR)
    coordinator.permissions.add(*perms.exclude(codename__startswith="delete_"))
    supervisor, _ = Group.objects.get_or_create(name=SUPERVISOR)
    supervisor.permissions.add(*perms.filter(codename__startswith="view_"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=[COORDINATOR, SUPERVISOR]):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="assessment"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_beat_schedule"), ("core", "0002_staff_groups"),
                    ("auth", "0012_alter_user_first_name_max_length"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(grant, revoke)]
