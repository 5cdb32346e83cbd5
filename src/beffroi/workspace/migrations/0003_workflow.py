# The moderation workflow (part A): decisions' details, outbox error kinds, block decisions,
# the on-call roster, the portable search column and, on PostgreSQL, the French full-text index.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_search_text(apps, schema_editor):  # type: ignore[no-untyped-def]
    from beffroi.workspace.search import fold

    Item = apps.get_model("workspace", "Item")
    for item in Item.objects.select_related("author").only("id", "text", "author").iterator(chunk_size=500):
        names = f" {item.author.display_name} {item.author.handle}" if item.author_id else ""
        Item.objects.filter(pk=item.pk).update(search_text=fold(f"{item.text}{names}"))


def create_fts_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        from beffroi.workspace.search import POSTGRES_INDEX_SQL

        for sql in POSTGRES_INDEX_SQL:
            schema_editor.execute(sql)


def drop_fts_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        from beffroi.workspace.search import POSTGRES_INDEXES

        for name in POSTGRES_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_append_only_guard"),
        ("workspace", "0002_evidence_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OnCallShift",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField(blank=True, null=True, verbose_name="début")),
                ("ends_at", models.DateTimeField(blank=True, null=True, verbose_name="fin")),
                ("note", models.CharField(blank=True, default="", max_length=200, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("commune", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="oncall_shifts", to="core.commune")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "astreinte",
                "verbose_name_plural": "astreintes",
                "ordering": ["commune", "starts_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="blockrequest",
            name="decided_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="blockrequest",
            name="decision_note",
            field=models.TextField(blank=True, default="", verbose_name="motif de la décision"),
        ),
        migrations.AddField(
            model_name="blockrequest",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="fin du blocage"),
        ),
        migrations.AddField(
            model_name="decision",
            name="data",
            field=models.JSONField(blank=True, default=dict, help_text="Details: service routed to, previous status …"),
        ),
        migrations.AddField(
            model_name="decision",
            name="label",
            field=models.CharField(blank=True, default="", help_text="The label the moderator chose (hide).", max_length=32, verbose_name="motif retenu"),
        ),
        migrations.AlterField(
            model_name="decision",
            name="kind",
            field=models.CharField(choices=[("hide", "masquer"), ("unhide", "rendre visible"), ("delete", "supprimer"), ("keep", "conserver"), ("reply", "répondre"), ("private_reply", "répondre en privé"), ("escalate", "transmettre"), ("block_author", "bloquer l'auteur"), ("unblock_author", "débloquer l'auteur"), ("report", "signaler à la plateforme"), ("like", "aimer"), ("route", "transmettre à un service"), ("undo", "annuler")], max_length=20),
        ),
        migrations.AddField(
            model_name="outboxentry",
            name="error_kind",
            field=models.CharField(blank=True, default="", help_text="transient | rate_limited | auth | refused | uncertain", max_length=16),
        ),
        migrations.AddIndex(
            model_name="outboxentry",
            index=models.Index(fields=["state", "next_attempt_at"], name="workspace_o_state_dc160c_idx"),
        ),
        migrations.AddField(
            model_name="item",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_fts_index, drop_fts_index),
    ]
