"""Give the benefit auditor role the benefits permissions and the supervisor read access (SPEC 1)."""
from django.db import migrations

AUDITOR = "待遇审核员"
SUPERVISOR = "主管"
MODELS = ["benefitdecision", "admission", "hospitalstay", "remoteresidence", "insuredaccount", "agentlink",
          "eventcursor"]


def grant(apps, schema_editor, models=MODELS):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("benefits")
    config.models_module = True  # the migration state's app config has none; permissions need it
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    grant_to_groups(apps, models)


def grant_to_groups(apps, models=MODELS):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="benefits", content_type__model__in=models)
    auditor, _ = Group.objects.get_or_create(name=AUDITOR)
    auditor.permissions.add(*perms.exclude(codename__startswith="delete_"))
    supervisor, _ = Group.objects.get_or_create(name=SUPERVISOR)
    supervisor.permissions.add(*perms.filter(codename__startswith="view_"))


class Migration(migrations.Migration):
    dependencies = [("benefits", "0005_insured_accounts"), ("core", "0002_staff_groups"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
