"""Permissions for the models added after 0005: budgets (fund accountants), claim reminders (view), and
corrections of approved months (settlement officers and supervisors add them)."""
from django.db import migrations

OFFICER, SUPERVISOR, ACCOUNTANT = "结算专员", "主管", "基金会计"
VIEW = ["fundbudget", "claimreminder", "correction"]
GRANTS = {
    OFFICER: ["add_correction"],
    SUPERVISOR: ["add_correction"],
    ACCOUNTANT: ["add_fundbudget", "change_fundbudget"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("settlement")
    config.models_module = True  # the migration state's app config has none; permissions need it
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="settlement")
    for name, extra in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms.filter(codename__in=[f"view_{m}" for m in VIEW] + extra))


class Migration(migrations.Migration):
    dependencies = [("settlement", "0012_correction"), ("core", "0002_staff_groups"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
