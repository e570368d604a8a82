"""Staff roles for enrollment (SPEC 1): clerks edit persons and coverage and see contributions; the fund
accountant sees contributions and fund income and enters donations; the supervisor sees everything."""
from django.db import migrations

CLERK, ACCOUNTANT, SUPERVISOR = "参保登记员", "基金会计", "主管"
MODELS = ["person", "coverageperiod", "contribution", "contributiontransaction", "accountevent", "fundincome"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("enrollment")
    config.models_module = True  # the migration state's app config has none; permissions need it
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="enrollment", content_type__model__in=MODELS)
    view = perms.filter(codename__startswith="view_")
    clerk, _ = Group.objects.get_or_create(name=CLERK)
    clerk.permissions.add(*view, *perms.filter(codename__in=["add_person", "change_person", "add_coverageperiod",
                                                             "change_coverageperiod"]))
    accountant, _ = Group.objects.get_or_create(name=ACCOUNTANT)
    accountant.permissions.add(*view, *perms.filter(codename="add_fundincome"))
    supervisor, _ = Group.objects.get_or_create(name=SUPERVISOR)
    supervisor.permissions.add(*view)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0005_beat_mark_arrears"), ("core", "0002_staff_groups"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
