from django.db import migrations

from beffroi.core.dbguard import GUARD_TABLE, install_guard, remove_guard


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(f"CREATE TABLE {GUARD_TABLE} (id integer PRIMARY KEY, purge_allowed integer NOT NULL)")
    schema_editor.execute(f"INSERT INTO {GUARD_TABLE} (id, purge_allowed) VALUES (1, 0)")
    install_guard(schema_editor, "core_auditrecord")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    remove_guard(schema_editor, "core_auditrecord")
    schema_editor.execute(f"DROP TABLE {GUARD_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
