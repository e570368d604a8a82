"""Staff roles for institutions (SPEC 1, 6): the supervisor manages institutions and their lifecycle;
the settlement officer records violations and appraisals; other roles read what they need."""
from django.db import migrations

MODELS = ["institution", "agreement", "bed", "caregiver", "employment", "institutionuser", "institutionevent",
          "agreementpause", "insurancenotice", "violation", "violationevidence", "appraisal", "appraisalscore",
          "caregivercertificate", "caregivertraining"]
GRANTS = {
    "主管": {"view": MODELS, "add": MODELS, "change": MODELS},
    "结算专员": {"view": MODELS, "add": ["violation", "violationevidence", "appraisal", "appraisalscore"],
             "change": ["violation", "violationevidence", "appraisal", "appraisalscore", "insurancenotice"]},
    "评估协调员": {"view": ["institution", "agreement", "institutionuser"]},
    "待遇审核员": {"view": ["institution", "agreement", "bed", "caregiver", "employment"]},
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("institutions")
    config.models_module = True  # the migration state's app config has none; permissions need it
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    apply_grants(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def apply_grants(Group, Permission):
    """Also used by tests after a flush (transactional tests remove migration data)."""
    for group_name, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for verb, models in grants.items():
            group.permissions.add(*Permission.objects.filter(
                content_type__app_label="institutions", codename__in=[f"{verb}_{m}" for m in models]))


class Migration(migrations.Migration):
    dependencies = [("institutions", "0003_beat_schedule"), ("core", "0002_staff_groups"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
