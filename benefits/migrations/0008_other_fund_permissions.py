"""Benefit auditors import and keep the work-injury and maternity benefits; supervisors read them."""
import importlib

from django.db import migrations

roles = importlib.import_module("benefits.migrations.0006_role_permissions")


def grant(apps, schema_editor):
    roles.grant(apps, schema_editor, models=["otherfundbenefit"])


class Migration(migrations.Migration):
    dependencies = [("benefits", "0007_other_fund_benefits")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
