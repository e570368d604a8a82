"""Give every staff role the shared pages the README names (issue 16): 作业运行 (job runs), 政策参数 and 政策方案
(policy, read), 文件导入 (import batches and their error reports) and the calendar; supervisors also keep
the policy records and the calendar (SPEC 2: staff edit policy records in the admin)."""

from django.db import migrations

ROLES = ["参保登记员", "评估协调员", "待遇审核员", "结算专员", "基金会计", "主管"]
SUPERVISOR = "主管"
VIEW = ["jobrun", "importbatch", "policyscheme", "policyrecord", "calendarday"]
SUPERVISOR_EDIT = ["add_policyrecord", "change_policyrecord", "change_calendarday", "add_calendarday"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("core")
    config.models_module = True  # the migration state's app config has none; permissions need it
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="core")
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms.filter(codename__in=[f"view_{m}" for m in VIEW]))
        if name == SUPERVISOR:
            group.permissions.add(*perms.filter(codename__in=SUPERVISOR_EDIT))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_policy_record_default_mark"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
