"""Every staff role looks a person up (issue 16): coordinators, auditors and settlement officers read persons,
coverage and contributions (eligibility and settlement depend on them); only clerks change them."""

from django.db import migrations

ROLES = ["评估协调员", "待遇审核员", "结算专员"]
MODELS = ["person", "coverageperiod", "contribution"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="enrollment", codename__in=[f"view_{m}" for m in MODELS]
    )
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0010_collective_subsidy"), ("enrollment", "0006_role_permissions")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
