# Indexes that keep the admin fast at a million signups; the trigram ones only on PostgreSQL.

from django.db import migrations, models

from onboarding.trigram import create_trigram_indexes, drop_trigram_indexes


def create_trigram_indexes_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # SQLite searches small tables by scanning them
        create_trigram_indexes(schema_editor.execute)


def drop_trigram_indexes_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        drop_trigram_indexes(schema_editor.execute)


class Migration(migrations.Migration):

    dependencies = [
        ("onboarding", "0003_user_manager"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["date_joined", "id"], name="user_date_joined_id_idx"),
        ),
        migrations.RunPython(create_trigram_indexes_on_postgresql, drop_trigram_indexes_on_postgresql),
    ]
