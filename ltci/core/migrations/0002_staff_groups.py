"""Staff roles as Django groups (SPEC 1); names are Chinese, as staff see them."""
from django.db import migrations

ROLES = [
    "参保登记员",  # enrollment clerk
    "评估协调员",  # assessment coordinator
    "待遇审核员",  # benefit auditor
    "结算专员",  # settlement officer
    "基金会计",  # fund accountant
    "主管",  # supervisor
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
