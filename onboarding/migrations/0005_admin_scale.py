# Indexes that keep the admin fast at a million signups (the trigram ones only on PostgreSQL),
# and the signup funnel's daily roll-up.

from django.db import migrations, models

# The indexes as this migration made them, frozen here (0007 replaced them with one on search_text).
TRIGRAM_INDEXES = [
    ("user_username_trgm", "onboarding_user", "username"),
    ("user_email_trgm", "onboarding_user", "email"),
    ("profile_real_name_trgm", "onboarding_profile", "real_name"),
]


def create_trigram_indexes_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # SQLite searches small tables by scanning them
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            )


def drop_trigram_indexes_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table, _column in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


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
