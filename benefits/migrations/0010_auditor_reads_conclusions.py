"""The benefit auditor (待遇审核员) reads assessment conclusions: a decision rests on the conclusion in force,
and the auditor's dashboard queue 待核定待遇 lists conclusions awaiting a decision (issue 16)."""

from django.db import migrations

AUDITOR = "待遇审核员"
CODENAMES = ["view_conclusion", "view_conclusionevent"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    auditor, _ = Group.objects.get_or_create(name=AUDITOR)
    auditor.permissions.add(
        *Permission.objects.filter(content_type__app_label="assessment", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=AUDITOR):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="assessment", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("benefits", "0009_bed_use_triggers"), ("assessment", "0004_role_permissions")]
    operations = [migrations.RunPython(grant, revoke)]
