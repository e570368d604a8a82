"""Give the staff roles (SPEC 1) their settlement permissions: officers run and audit, supervisors approve,
fund accountants keep the ledger and pay."""
from django.db import migrations

OFFICER, SUPERVISOR, ACCOUNTANT = "结算专员", "主管", "基金会计"
ALL = ["servicerecord", "claim", "settlementrun", "settlementline", "recordaudit", "statement", "payout", "appeal",
       "ledgerentry", "handlingfee", "depositrelease", "fundwarning"]
OFFICER_CHANGE = ["servicerecord", "settlementrun", "appeal", "claim"]
SUPERVISOR_CHANGE = ["settlementrun", "appeal", "fundwarning"]
ACCOUNTANT_CHANGE = ["settlementrun", "handlingfee", "fundwarning", "ledgerentry"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("settlement")
    config.models_module = True  # the migration state's app config has none; permissions need it
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="settlement")
    for name, change in ((OFFICER, OFFICER_CHANGE), (SUPERVISOR, SUPERVISOR_CHANGE), (ACCOUNTANT, ACCOUNTANT_CHANGE)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms.filter(codename__in=[f"view_{m}" for m in ALL]))
        group.permissions.add(*perms.filter(codename__in=[f"change_{m}" for m in change]))
        if name == ACCOUNTANT:
            group.permissions.add(*perms.filter(codename="add_handlingfee"))


class Migration(migrations.Migration):
    dependencies = [("settlement", "0004_alter_ledgerentry_account"), ("core", "0002_staff_groups"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
