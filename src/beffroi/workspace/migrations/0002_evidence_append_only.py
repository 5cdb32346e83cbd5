from django.db import migrations

from beffroi.core.dbguard import install_guard, remove_guard


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_guard(schema_editor, "workspace_evidencerecord")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    remove_guard(schema_editor, "workspace_evidencerecord")


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_initial"), ("core", "0002_append_only_guard")]
    operations = [migrations.RunPython(forwards, backwards)]
