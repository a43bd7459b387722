# Indexes that keep the admin fast at a million signups (the trigram ones only on PostgreSQL),
# and the signup funnel's daily roll-up.

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
        ("onboarding", "0004_email"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["date_joined", "id"], name="user_date_joined_id_idx"),
        ),
        migrations.RunPython(create_trigram_indexes_on_postgresql, drop_trigram_indexes_on_postgresql),
        # The signup funnel's daily roll-up (onboarding/funnel/).
        migrations.CreateModel(
            name="FunnelDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("event", models.CharField(max_length=32, verbose_name="event")),
                ("language", models.CharField(blank=True, max_length=16, verbose_name="language")),
                ("field", models.CharField(blank=True, max_length=64, verbose_name="field")),
                ("code", models.CharField(blank=True, max_length=64, verbose_name="code")),
                ("count", models.PositiveBigIntegerField(default=0, verbose_name="count")),
            ],
            options={
                "verbose_name": "signup funnel",
                "verbose_name_plural": "signup funnel",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "event", "language", "field", "code"), name="funnel_day_unique"
                    )
                ],
            },
        ),
    ]
