"""Security hardening: the shared rate-limit counter table."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

COUNTER_TABLE = "onboarding_ratelimit"  # onboarding.cache.COUNTER_TABLE, frozen here


def create_counter_table(apps, schema_editor):
    # Made whatever the settings say now, so a site that later runs without Redis has it.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, COUNTER_TABLE, dry_run=False)


def drop_counter_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(COUNTER_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ("onboarding", "0004_email"),
    ]

    operations = [
        migrations.RunPython(create_counter_table, drop_counter_table),
    ]
